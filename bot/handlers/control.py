"""/pauze, /stop, /blokkeer and /meld, and their buttons (the rules live in
bot/services/control.py).

/blokkeer and /meld typed as a reply to one of the bot's messages act on that message's block
or report button, exactly as pressing it would. /meld as a reply to a relayed line (which has
no buttons) reports that line.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CommandHandler, filters

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter, typed_command
from bot.menu import spellings
from bot.services import control
from bot.views.replies import answer, show


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(spellings("pauze"), pause_command, filters=private))
    application.add_handler(CommandHandler("stop", stop_command, filters=private))
    application.add_handler(CommandHandler(spellings("blokkeer"), block_command, filters=private))
    application.add_handler(CommandHandler(spellings("meld"), report_command, filters=private))
    router.on_press(pause_pressed, callbacks.PAUSE, callbacks.RESUME)
    router.on_press(
        block_pressed,
        callbacks.BLOCK_POST_AUTHOR,
        callbacks.BLOCK_RESPONDER,
        callbacks.BLOCK_CONFIRM,
        callbacks.BLOCK_CANCEL,
    )
    router.on_press(
        report_pressed,
        callbacks.REPORT_POST,
        callbacks.REPORT_REASON,
        callbacks.REPORT_WITHOUT_REASON,
        callbacks.REPORT_CANCEL,
        callbacks.REPORT_NAMED,
        callbacks.REPORT_REASON_NAMED,
        callbacks.REPORT_WITHOUT_REASON_NAMED,
        callbacks.REPORT_LINE,
        callbacks.REPORT_LINE_NAMED,
    )
    router.on_text(control.REPORT_FLOW, control.report_in_own_words, show)


def button_press(message: Message | None, bot_id: int, *actions: callbacks.Action) -> Press | None:
    """The first of `actions` among the buttons of a message the bot sent (for /blokkeer and
    /meld typed as a reply to it)."""
    if message is None or message.reply_markup is None:
        return None
    if message.from_user is None or message.from_user.id != bot_id:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            data = button.callback_data if isinstance(button.callback_data, str) else None
            press = callbacks.decode(data)
            if press is not None and press.action in actions:
                return press
    return None


async def pause_command(update: Update, context: BotContext) -> None:
    await answer(update, context, control.offer_pause)


async def pause_pressed(update: Update, context: BotContext, press: Press) -> None:
    """Pause or resume at once, and say so on the same message."""
    if press.action is callbacks.RESUME:
        await answer(update, context, control.resume)
    else:
        await answer(update, context, control.pause, press.text())


async def stop_command(update: Update, context: BotContext) -> None:
    await answer(update, context, control.stop)


def _kind(action: callbacks.Action) -> control.Kind:
    return "p" if action is callbacks.BLOCK_POST_AUTHOR else "i"


async def block_command(update: Update, context: BotContext) -> None:
    """Block the person behind the message this is a reply to, or explain how blocking works."""
    message = update.effective_message
    if message is None:
        return
    press = button_press(
        message.reply_to_message,
        context.bot.id,
        callbacks.BLOCK_POST_AUTHOR,
        callbacks.BLOCK_RESPONDER,
    )
    if press is None:
        await answer(update, context, control.how_to_block, typed_command(message)[0])
    else:
        await answer(update, context, control.block_command, _kind(press.action), press.id())


async def block_pressed(update: Update, context: BotContext, press: Press) -> None:
    """blk:p / blk:i ask, blk:ok blocks, blk:no cancels."""
    if press.action is callbacks.BLOCK_CANCEL:
        await answer(update, context, control.cancel_block)
    elif press.action is callbacks.BLOCK_CONFIRM:
        kind: control.Kind = "p" if press.text(0) == "p" else "i"
        await answer(update, context, control.block, kind, press.id(1))
    else:
        await answer(update, context, control.ask_block, _kind(press.action), press.id())


async def report_command(update: Update, context: BotContext) -> None:
    """Report the post (or the invitation's request) this is a reply to, or explain how
    reporting works."""
    message = update.effective_message
    if message is None:
        return
    # A post's card has "Meld"; an invitation has "Blokkeer" for the request's author: both
    # name the post, so /meld as a reply to an invitation reports the request.
    press = button_press(
        message.reply_to_message,
        context.bot.id,
        callbacks.REPORT_POST,
        callbacks.BLOCK_POST_AUTHOR,
    )
    replied = message.reply_to_message
    if press is not None:
        await answer(update, context, control.report_command, press.id())
    elif (
        replied is not None
        and replied.from_user is not None
        and replied.from_user.id == context.bot.id
    ):
        # A line relayed from the other person in a conversation has no buttons of its own.
        await answer(
            update,
            context,
            control.report_line_command,
            replied.message_id,
            typed_command(message)[0],
        )
    else:
        await answer(update, context, control.how_to_report, typed_command(message)[0])


async def report_pressed(update: Update, context: BotContext, press: Press) -> None:
    """rep:p asks why, rep:why / rep:none file the report, rep:no cancels."""
    if press.action is callbacks.REPORT_CANCEL:
        await answer(update, context, control.cancel_report)
    elif press.action is callbacks.REPORT_POST:
        await answer(update, context, control.ask_report, press.id())
    elif press.action is callbacks.REPORT_REASON:
        await answer(update, context, control.report_reason, press.id(), press.text(1))
    elif press.action is callbacks.REPORT_NAMED:
        await answer(update, context, control.report_named, press.id(), press.text(1))
    elif press.action is callbacks.REPORT_REASON_NAMED:
        await answer(update, context, control.report_reason, press.id(), press.text(1), True)
    elif press.action is callbacks.REPORT_LINE:
        await answer(
            update, context, control.report_line, press.id(), press.text(1), press.text(2)
        )
    elif press.action is callbacks.REPORT_LINE_NAMED:
        await answer(update, context, control.report_line_named, press.id(), press.text(1))
    elif press.action is callbacks.REPORT_WITHOUT_REASON_NAMED:
        await answer(update, context, control.report_without_words, press.id(), "", True)
    else:
        await answer(update, context, control.report_without_words, press.id())
