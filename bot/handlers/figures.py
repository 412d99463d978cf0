"""/cijfers (a PNG chart with a three-line summary) and /export (the same aggregates as CSV),
for buurtwerkers in the team chat or privately (bot/services/figures.py)."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.constants import ChatAction
from telegram.ext import CommandHandler

from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.menu import spellings
from bot.runner import perform
from bot.services import figures


def register(application: BotApplication, router: DialogRouter) -> None:
    application.add_handler(CommandHandler(spellings("cijfers"), figures_command))
    application.add_handler(CommandHandler("export", export_command))


async def _figures_asked(update: Update, context: BotContext) -> figures.Asked | None:
    """The figures /cijfers and /export are about; None when the answer was a refusal."""
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return None
    asked = await perform(context, update, figures.figures_for, context.args or [])
    if asked.figures is None:
        await message.reply_text(asked.text)
        return None
    return asked


async def figures_command(update: Update, context: BotContext) -> None:
    asked = await _figures_asked(update, context)
    message, chat = update.effective_message, update.effective_chat
    if asked is None or asked.figures is None or message is None or chat is None:
        return
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
    # matplotlib (with numpy and Pillow) costs a bot process ~45 MB: loaded at the first chart.
    from bot.services import chart

    # Rendering is CPU work: off the event loop, so other chats go on meanwhile.
    png = await asyncio.to_thread(chart.render_png, asked.language, asked.figures)
    await message.reply_photo(InputFile(png, filename="cijfers.png"), caption=asked.text)


async def export_command(update: Update, context: BotContext) -> None:
    asked = await _figures_asked(update, context)
    message, chat = update.effective_message, update.effective_chat
    if asked is None or asked.figures is None or message is None or chat is None:
        return
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    data = figures.to_csv(asked.language, asked.figures)
    name = f"cijfers-{asked.figures.period}.csv"
    await message.reply_document(InputFile(data, filename=name), caption=asked.text)
