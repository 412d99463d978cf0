"""Multi-step conversations (onboarding, posting, ...) whose state lives in the database.

A flow keeps one ChatState row per chat: which flow, which step, the answers so far. It
survives a restart and works with several bot processes on one PostgreSQL, unlike PTB's
in-memory ConversationHandler. Plain text and shared locations in a private chat are routed to
the active flow's handler; a command always wins (it starts its own flow or none).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.context import BotApplication, BotContext, Services, language_for
from bot.i18n import t
from storage import repo
from storage.db import session_scope


@dataclass
class DialogState:
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


FlowHandler = Callable[[Update, BotContext, DialogState], Awaitable[None]]
# Gets a message no dialog is waiting for; True when it took it (e.g. the relay of a match).
Fallback = Callable[[Update, BotContext], Awaitable[bool]]


def load_state(services: Services, chat_id: int) -> DialogState | None:
    with session_scope(services.engine) as session:
        state = repo.get_chat_state(session, chat_id=chat_id)
        return None if state is None else DialogState(state.flow, state.step, dict(state.data))


def save_state(services: Services, chat_id: int, state: DialogState) -> None:
    with session_scope(services.engine) as session:
        repo.save_chat_state(
            session,
            chat_id=chat_id,
            flow=state.flow,
            step=state.step,
            data=state.data,
            now=services.clock(),
        )


def clear_state(services: Services, chat_id: int) -> None:
    with session_scope(services.engine) as session:
        repo.clear_chat_state(session, chat_id=chat_id)


class DialogRouter:
    """Sends free text and locations to the flow that is waiting for them."""

    def __init__(self) -> None:
        self._text: dict[str, FlowHandler] = {}
        self._location: dict[str, FlowHandler] = {}
        self._otherwise: list[Fallback] = []

    def on_text(self, flow: str, handler: FlowHandler) -> None:
        self._text[flow] = handler

    def on_location(self, flow: str, handler: FlowHandler) -> None:
        self._location[flow] = handler

    def otherwise(self, handler: Fallback) -> None:
        """Offer messages that no dialog is waiting for (text, location, photo) to `handler`."""
        self._otherwise.append(handler)

    def install(self, application: BotApplication) -> None:
        """Add the catch-all handlers; call after every feature registered its commands."""
        private = filters.ChatType.PRIVATE
        application.add_handler(
            MessageHandler(private & filters.TEXT & ~filters.COMMAND, self._route_text)
        )
        application.add_handler(MessageHandler(private & filters.LOCATION, self._route_location))
        application.add_handler(MessageHandler(private & filters.PHOTO, self._route_other))

    async def _route_text(self, update: Update, context: BotContext) -> None:
        await self._route(update, context, self._text)

    async def _route_location(self, update: Update, context: BotContext) -> None:
        await self._route(update, context, self._location)

    async def _route_other(self, update: Update, context: BotContext) -> None:
        await self._route(update, context, {})

    async def _route(
        self, update: Update, context: BotContext, handlers: dict[str, FlowHandler]
    ) -> None:
        chat, message = update.effective_chat, update.effective_message
        if chat is None or message is None:
            return
        state = load_state(context.services, chat.id)
        handler = None if state is None else handlers.get(state.flow)
        if state is None or handler is None:
            # Only outside any dialog: a location or photo sent while posting must never
            # reach someone else by mistake.
            for fallback in self._otherwise if state is None else ():
                if await fallback(update, context):
                    return
            language = language_for(context.services, update.effective_user)
            await message.reply_text(t(language, "dialog.not_understood"))
            return
        await handler(update, context, state)
