"""Routing of free text, locations, photos and button presses; dialog state lives in the database.

A dialog (onboarding, posting, ...) keeps one ChatState row per chat: which flow, which step,
its typed data (bot/services/dialogs.py). It survives a restart and works with several bot
processes on one PostgreSQL, unlike PTB's in-memory ConversationHandler. A message in a
private chat goes, inside one unit of work, to the service of the dialog waiting for it (or,
outside any dialog, to the fallbacks such as the relay of a match); the handler then renders
what that service returned. A command always wins (it starts its own dialog or none).

Button presses are decoded in one place (bot/callbacks.py) and dispatched by action; data that
does not decode is answered as a stale button, so no spinner keeps turning.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import callbacks
from bot.context import BotApplication, BotContext
from bot.i18n import t
from bot.keyboards import markup
from bot.runner import perform
from bot.services import buttons, dialogs
from bot.services.unit import Incoming, Unit


def incoming_of(message: Message) -> Incoming:
    location = message.location
    return Incoming(
        message_id=message.message_id,
        text=_valid(message.text),
        location=None if location is None else (location.latitude, location.longitude),
        photo_file_id=message.photo[-1].file_id if message.photo else None,
        caption=_valid(message.caption),
        username=None if message.from_user is None else message.from_user.username,
        reply_to_message_id=None
        if message.reply_to_message is None
        else message.reply_to_message.message_id,
    )


def typed_command(message: Message) -> tuple[str, str | None]:
    """The command a message starts with, as typed, and the bot it is addressed to, if any:
    ("/block", None) for "/block now", ("/help", "buurtbot") for "/help@buurtbot"."""
    words = (message.text or "").split(maxsplit=1)
    command, _, addressee = (words[0] if words else "").partition("@")
    return command.lower(), addressee or None


def _valid(text: str | None) -> str | None:
    """Text a forged update may carry with lone surrogates, made sendable (they become "?")."""
    return None if text is None else text.encode("utf-8", "replace").decode("utf-8")


# A dialog step: the service (in the unit of work) and how to show its result.
StepService = Callable[[Unit, dialogs.DialogState[Any], Incoming], Any]
# A fallback outside dialogs: its result, or None when the message is not for it.
FallbackService = Callable[[Unit, Incoming], Any]
Render = Callable[[Update, BotContext, Any], Awaitable[None]]
PressHandler = Callable[[Update, BotContext, callbacks.Press], Awaitable[None]]
Command = Callable[[Update, BotContext], Awaitable[None]]


@dataclass(frozen=True)
class _Route:
    service: Any
    render: Render


def caller_language(unit: Unit) -> str:
    """A service that only answers which language to speak (for a stale press or a reply)."""
    return unit.language


class DialogRouter:
    """Sends free text, locations and photos to the dialog waiting for them; presses by action."""

    def __init__(self) -> None:
        self._text: dict[str, _Route] = {}
        self._location: dict[str, _Route] = {}
        self._other: dict[str, _Route] = {}
        self._otherwise: list[_Route] = []
        self._presses: dict[callbacks.Action, PressHandler] = {}

    def on_text(self, flow: str, service: StepService, render: Render) -> None:
        self._text[flow] = _Route(service, render)

    def on_location(self, flow: str, service: StepService, render: Render) -> None:
        self._location[flow] = _Route(service, render)

    def on_other(self, flow: str, service: StepService, render: Render) -> None:
        """A photo (or other message) while `flow` waits."""
        self._other[flow] = _Route(service, render)

    def otherwise(self, service: FallbackService, render: Render) -> None:
        """Offer messages that no dialog is waiting for (text, location, photo) to `service`."""
        self._otherwise.append(_Route(service, render))

    def on_press(self, handler: PressHandler, *actions: callbacks.Action) -> None:
        for action in actions:
            if action in self._presses:
                raise ValueError(f"two handlers for {action.name}")
            self._presses[action] = handler

    def on_menu(self, action: callbacks.Action, command: Command) -> None:
        """A main menu button that does just what its command does."""

        async def pressed(update: Update, context: BotContext, _press: callbacks.Press) -> None:
            assert update.callback_query is not None
            await update.callback_query.answer()
            await command(update, context)

        self.on_press(pressed, action)

    def install(self, application: BotApplication) -> None:
        """Add the catch-all handlers; call after every feature registered its commands."""
        private = filters.ChatType.PRIVATE
        application.add_handler(
            MessageHandler(private & filters.TEXT & ~filters.COMMAND, self._route_text)
        )
        application.add_handler(MessageHandler(private & filters.LOCATION, self._route_location))
        application.add_handler(MessageHandler(private & filters.PHOTO, self._route_other))
        application.add_handler(CallbackQueryHandler(self._pressed))

    async def _pressed(self, update: Update, context: BotContext) -> None:
        query = update.callback_query
        if query is None:
            return
        press = callbacks.decode(query.data)
        handler = None if press is None else self._presses.get(press.action)
        if press is None or handler is None:
            language = await perform(context, update, caller_language)
            await query.answer(t(language, "error.stale_button"))
            return
        await handler(update, context, press)

    async def _route_text(self, update: Update, context: BotContext) -> None:
        await self._route(update, context, self._text)

    async def _route_location(self, update: Update, context: BotContext) -> None:
        await self._route(update, context, self._location)

    async def _route_other(self, update: Update, context: BotContext) -> None:
        await self._route(update, context, self._other)

    def _step(
        self, unit: Unit, routes: dict[str, _Route], incoming: Incoming
    ) -> tuple[_Route | None, Any]:
        """In the unit of work: the dialog's (or a fallback's) service, and its result."""
        dialog = unit.dialog
        if isinstance(dialog, dialogs.StaleDialog):
            # Stored by another version of the bot, or broken: start again, kindly.
            unit.clear_dialog()
            return None, "dialog.stale"
        if dialog is None:
            # Only outside any dialog: a location or photo sent while posting must never
            # reach someone else by mistake.
            for fallback in self._otherwise:
                result = fallback.service(unit, incoming)
                if result is not None:
                    return fallback, result
            return None, "dialog.not_understood"
        route = routes.get(dialog.flow)
        if route is None:
            return None, "dialog.not_understood"
        return route, route.service(unit, dialog, incoming)

    async def _route(self, update: Update, context: BotContext, routes: dict[str, _Route]) -> None:
        message = update.effective_message
        if message is None or update.effective_chat is None:
            return
        incoming = incoming_of(message)

        def step(unit: Unit) -> tuple[_Route | None, Any, str]:
            route, result = self._step(unit, routes, incoming)
            return route, result, unit.language

        route, result, language = await perform(context, update, step)
        if route is None:
            # "Kies iets in het menu": so the menu comes with it.
            menu = markup(buttons.main_menu(language))
            await message.reply_text(t(language, str(result)), reply_markup=menu)
            return
        await route.render(update, context, result)
