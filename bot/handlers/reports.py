"""Reports that reach someone: the buttons on a report card, the reason typed privately, undo,
/logboek, /signalen, the job that lifts suspensions whose end has passed (bot/services/reports.py)
and the daily signal message (bot/services/signal_news.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Final

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import CommandHandler, filters

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.i18n import normalise_language, t
from bot.keyboards import markup
from bot.menu import spellings
from bot.runner import perform
from bot.sender import deliver
from bot.services import reports, signal_news, signals
from bot.services.reply import Reply, Show
from bot.services.unit import Unit
from bot.views.replies import answer, show

log = logging.getLogger(__name__)

LIFT_EVERY: Final = timedelta(minutes=5)
SIGNAL_NEWS_EVERY: Final = timedelta(minutes=5)
SIGNAL_SERVICES: Final[dict[callbacks.Action, Callable[[Unit, int], Reply]]] = {
    callbacks.SIGNAL_CLAIM: signals.claim,
    callbacks.SIGNAL_DONE: signals.done,
    callbacks.SPIKE_CLAIM: signals.claim_spike,
    callbacks.SPIKE_DONE: signals.done_spike,
    callbacks.REPORT_PICKUP: signals.claim_report,
    callbacks.SIGNALS_OPEN: signals.open_list,
}


def register(application: BotApplication, router: DialogRouter) -> None:
    groups = filters.ChatType.GROUPS
    application.add_handler(
        CommandHandler(spellings("meld"), group_report_command, filters=groups)
    )
    application.add_handler(CommandHandler(spellings("logboek"), logbook_command))
    application.add_handler(CommandHandler(spellings("signalen"), signals_command))
    router.on_press(signal_pressed, *SIGNAL_SERVICES)
    router.on_press(action_pressed, callbacks.MODERATE)
    router.on_press(cancel_pressed, callbacks.MODERATE_CANCEL)
    router.on_press(undo_pressed, callbacks.UNDO)
    router.on_text(reports.FLOW, reports.apply, show_moderation)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            lift_ended, interval=LIFT_EVERY, first=30, name="lift-suspensions"
        )
        application.job_queue.run_repeating(
            send_signal_news, interval=SIGNAL_NEWS_EVERY, first=40, name="signal-news"
        )


async def action_pressed(update: Update, context: BotContext, press: Press) -> None:
    """An action on a report card: the reason is asked in the presser's private chat (a card
    in the team chat too), so the team chat stays readable."""
    query = update.callback_query
    assert query is not None
    reply = await perform(context, update, reports.choose, press.id(), press.text(1))
    if reply.show is not Show.MESSAGE:
        await show(update, context, reply)
        return
    try:
        await context.bot.send_message(
            query.from_user.id, reply.text, reply_markup=markup(reply.keyboard)
        )
    except Forbidden:
        language = normalise_language(
            query.from_user.language_code, context.services.settings.default_language
        )
        await query.answer(t(language, "reports.start_private"), show_alert=True)
        return
    await query.answer()


async def show_moderation(update: Update, context: BotContext, reply: Reply) -> None:
    """The answer to a moderation reason; "delete the group message" happens here, after the
    unit committed. If Telegram refuses, the report opens again (reports.delete_refused)."""
    target = reply.delete
    if target is not None:
        try:
            await context.bot.delete_message(target.chat_id, target.message_id)
        except TelegramError as error:
            log.info(
                "could not delete message %s in chat %s: %s",
                target.message_id,
                target.chat_id,
                error,
            )
            reply = await perform(context, update, reports.delete_refused, target.entry_id)
    await show(update, context, reply)


async def group_report_command(update: Update, context: BotContext) -> None:
    """/meld in a group, as a reply to the message it is about."""
    message = update.effective_message
    replied = None if message is None else message.reply_to_message
    author = None if replied is None else replied.from_user
    reported = None
    if replied is not None and author is not None and replied.forum_topic_created is None:
        reported = reports.GroupMessage(
            message_id=replied.message_id,
            author_id=author.id,
            author_name=author.first_name,
            from_this_bot=author.id == context.bot.id,
            text=replied.text or replied.caption or "",
        )
    await answer(update, context, reports.report_group_message, reported, context.args or [])


async def cancel_pressed(update: Update, context: BotContext, press: Press) -> None:
    await answer(update, context, reports.cancel)


async def undo_pressed(update: Update, context: BotContext, press: Press) -> None:
    await answer(update, context, reports.undo, press.id())


async def logbook_command(update: Update, context: BotContext) -> None:
    await answer(update, context, reports.logbook, context.args or [])


async def signals_command(update: Update, context: BotContext) -> None:
    await answer(update, context, signals.show_signals, context.args or [])


async def signal_pressed(update: Update, context: BotContext, press: Press) -> None:
    """ "Ik pak het op" / "afgehandeld": the list is shown again as it is now. ("Afgehandeld"
    on a report is a moderation action: action_pressed.)"""
    await answer(update, context, SIGNAL_SERVICES[press.action], press.id())


async def lift_ended(context: BotContext) -> None:
    """Lift the suspensions whose end has passed; their authors hear it at once."""
    await perform(context, None, reports.lift_ended_suspensions)
    outgoing, context.outgoing = context.outgoing, []
    await deliver(context, outgoing)


async def send_signal_news(context: BotContext) -> None:
    """Once a day per wijk: what is new among the signals, to the team chat or buurtwerkers."""
    await perform(context, None, signal_news.send_due)
    outgoing, context.outgoing = context.outgoing, []
    await deliver(context, outgoing)
