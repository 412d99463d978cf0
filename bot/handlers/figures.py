"""/cijfers (a PNG chart with a three-line summary) and /export (the same aggregates as CSV),
for buurtwerkers in the team chat or privately (bot/services/figures.py)."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.constants import ChatAction
from telegram.ext import CommandHandler

from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.runner import perform
from bot.services import chart, figures


def register(application: BotApplication, router: DialogRouter) -> None:
    application.add_handler(CommandHandler("cijfers", figures_command))
    application.add_handler(CommandHandler("export", export_command))


async def figures_command(update: Update, context: BotContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    asked = await perform(context, update, figures.figures_for, context.args or [])
    if asked.figures is None:
        await message.reply_text(asked.text)
        return
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
    # Rendering is CPU work: off the event loop, so other chats go on meanwhile.
    png = await asyncio.to_thread(chart.render_png, asked.language, asked.figures)
    await message.reply_photo(InputFile(png, filename="cijfers.png"), caption=asked.text)


async def export_command(update: Update, context: BotContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    asked = await perform(context, update, figures.figures_for, context.args or [])
    if asked.figures is None:
        await message.reply_text(asked.text)
        return
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    data = figures.to_csv(asked.language, asked.figures)
    name = f"cijfers-{asked.figures.period}.csv"
    await message.reply_document(InputFile(data, filename=name), caption=asked.text)
