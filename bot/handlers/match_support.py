"""What the match buttons share: who pressed what, the two people of a match, and closing a
pressed message with a short answer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session
from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update

from bot.context import BotContext
from bot.handlers.post_support import parse_id, show_in_place, stale
from storage import repo
from storage.db import session_scope
from storage.models import Match, Resident


@dataclass(frozen=True)
class Press:
    """A pressed match button ("<prefix><action>:<id>"): who pressed, which action, which row."""

    query: CallbackQuery
    resident: Resident
    action: str
    ref: int

    @property
    def language(self) -> str:
        return self.resident.language

    @property
    def resident_id(self) -> int:
        assert self.resident.id is not None
        return self.resident.id


async def read_press(update: Update, context: BotContext, prefix: str) -> Press | None:
    """Parse and check the press; answer a forged or stale one and return None."""
    query = update.callback_query
    if query is None or query.data is None:
        return None
    with session_scope(context.services.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=query.from_user.id)
    parts = query.data.removeprefix(prefix).split(":")
    ref = parse_id(parts[1]) if len(parts) == 2 else None
    if resident is None or ref is None or resident.stopped:
        # Someone who left (/stop) answers nothing until they come back with /start.
        await stale(query, "nl" if resident is None else resident.language)
        return None
    return Press(query, resident, parts[0], ref)


@dataclass(frozen=True)
class Pair:
    """The two people of a match, as needed for the messages after a press."""

    match_id: int
    post_id: int
    asker: Resident
    helper: Resident
    both_share: bool = False
    asker_username: str | None = None
    helper_username: str | None = None

    @classmethod
    def of(cls, session: Session, match: Match, *, both_share: bool = False) -> Pair:
        asker = session.get(Resident, match.asker_id)
        helper = session.get(Resident, match.helper_id)
        assert asker is not None
        assert helper is not None
        assert match.id is not None
        return cls(
            match.id,
            match.post_id,
            asker,
            helper,
            both_share,
            match.asker_username,
            match.helper_username,
        )

    def other(self, resident_id: int) -> Resident:
        return self.helper if self.asker.id == resident_id else self.asker


async def close_message(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the pressed message's buttons: the original text stays, the answer follows."""
    message = query.message
    original = message.text_html if isinstance(message, Message) and message.text else ""
    if not original:
        new_text = text
    elif original.endswith(text):  # closed before (say, when someone else said yes first)
        new_text = original
    else:
        new_text = f"{original}\n\n{text}"
    await show_in_place(query, new_text, reply_markup)
