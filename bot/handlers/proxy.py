"""/namens: a request for someone who is not on Telegram, and the step-back question after it
worked (rules and texts: bot/services/proxy.py; the request's words, category and time go
through the normal posting dialog)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.menu import spellings
from bot.runner import perform
from bot.services import proxy
from bot.services.markup import Screen
from bot.views import presses
from bot.views.screens import answer, say


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(spellings("namens"), command, filters=private))
    router.on_press(
        consent_pressed, callbacks.PROXY_AGREED, callbacks.PROXY_CANCEL, callbacks.PROXY_OWN_AREA
    )
    router.on_press(step_back_pressed, callbacks.STEP_BACK, callbacks.STEP_BACK_CONTACT)
    router.on_text(proxy.FLOW, proxy.typed, _show)
    router.on_location(proxy.FLOW, proxy.share_location, _show)


async def command(update: Update, context: BotContext) -> None:
    await say(update, context, await perform(context, update, proxy.start, context.args or []))


async def _show(update: Update, context: BotContext, screen: Screen) -> None:
    await say(update, context, screen)


async def consent_pressed(update: Update, context: BotContext, press: Press) -> None:
    service = {
        callbacks.PROXY_AGREED: proxy.agreed,
        callbacks.PROXY_CANCEL: proxy.cancel,
        callbacks.PROXY_OWN_AREA: proxy.own_area,
    }[press.action]
    await answer(update, context, await perform(context, update, service))


async def step_back_pressed(update: Update, context: BotContext, press: Press) -> None:
    query = update.callback_query
    assert query is not None
    if press.action is callbacks.STEP_BACK:
        pressed = await perform(context, update, proxy.answer_step_back, press.id(), press.text(1))
    else:
        pressed = await perform(context, update, proxy.ask_contact, press.id())
    await presses.show(query, context, pressed)
