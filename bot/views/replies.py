"""One way to answer a command or a press with a service's Reply (bot/services/reply.py).

The handlers of /pauze, /stop, /blokkeer, /meld, /mijngegevens and /verwijder all start the
same way: run one service for the update (it finds the resident and decides what to say when
there is none), then show what it said. That is `answer`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Concatenate, ParamSpec

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.keyboards import markup
from bot.runner import perform
from bot.services.reply import Edit, Reply, Show
from bot.services.unit import Unit

P = ParamSpec("P")
log = logging.getLogger(__name__)


async def answer(
    update: Update,
    context: BotContext,
    service: Callable[Concatenate[Unit, P], Reply],
    *args: P.args,
    **kwargs: P.kwargs,
) -> None:
    """Run `service` in one unit of work, then show its Reply to the person."""
    await show(update, context, await perform(context, update, service, *args, **kwargs))


async def show(update: Update, context: BotContext, reply: Reply) -> None:
    """A command gets the reply as a message. A press: a refusal pops up on the button, a
    question goes to the presser's private chat (never a group), anything else replaces the
    pressed message; the spinner stops once the new text is there."""
    await _show(update, context, reply)
    await apply_edits(context, reply.edits)


async def _show(update: Update, context: BotContext, reply: Reply) -> None:
    query, keyboard = update.callback_query, markup(reply.keyboard)
    if query is None:
        message = update.effective_message
        if message is not None:
            await message.reply_text(reply.text, reply_markup=keyboard)
        return
    if reply.show is Show.POPUP:
        await query.answer(reply.text)
        return
    if reply.show is Show.MESSAGE:
        await context.bot.send_message(query.from_user.id, reply.text, reply_markup=keyboard)
    else:
        await query.edit_message_text(reply.text, reply_markup=keyboard)
    await query.answer()


async def apply_edits(context: BotContext, edits: tuple[Edit, ...]) -> None:
    """Change messages other people hold (after the person's own answer, which matters more).
    Cosmetic: whatever they press is re-checked, so a failed edit is only logged."""
    for edit in edits:
        try:
            await context.bot.edit_message_text(
                edit.text,
                chat_id=edit.chat_id,
                message_id=edit.message_id,
                reply_markup=markup(edit.keyboard),
            )
        except TelegramError as error:
            # Deleted by the person, or unchanged since the last edit.
            log.info("could not edit message %s in %s: %s", edit.message_id, edit.chat_id, error)
