"""/start and the onboarding questions (the rules live in bot/services/onboarding.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.runner import perform
from bot.services import onboarding
from bot.views import preferences as render


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("start", start, filters=private))
    router.on_press(on_button, callbacks.ONBOARDING)
    show = render.replies_to_message(onboarding.FLOW)
    router.on_text(onboarding.FLOW, onboarding.answer_text, show)
    router.on_location(onboarding.FLOW, onboarding.share_location, show)


async def start(update: Update, context: BotContext) -> None:
    """Welcome the person: the first question for newcomers, a short welcome back for others."""
    chat = update.effective_chat
    if chat is None:
        return
    link = onboarding.parse_start_link(context.args)
    outcome = await perform(context, update, onboarding.start, link)
    await render.send_replies(context, chat.id, onboarding.FLOW, outcome)


async def on_button(update: Update, context: BotContext, press: Press) -> None:
    """An answer by button; the service checks it answers the current question."""
    query = update.callback_query
    assert query is not None
    message_id = render.pressed_message_id(query)
    outcome = await perform(
        context, update, onboarding.press, press.text(0), press.text(1), message_id
    )
    await render.render_press(update, context, onboarding.FLOW, outcome)
