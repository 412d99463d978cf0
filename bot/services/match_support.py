"""What the match services share: who may press, the two people of a match, telling the other
one, and what the pressed message should show afterwards (as plain data)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.i18n import t
from bot.post_views import first_name
from bot.services.markup import Keyboard
from bot.services.request_steps import SentMessage
from bot.services.unit import Unit
from storage.models import Match, Resident


@dataclass(frozen=True)
class Pressed:
    """What the presser sees after a match button: nothing changed (stale), a short popup, or
    the pressed message closed with an answer (its buttons replaced), and maybe a new message.
    `edits` are other people's messages to close after commit (an invitation someone else
    won)."""

    language: str
    stale: bool = False
    toast: str | None = None
    alert: str | None = None
    close: str | None = None
    # With `close`: the buttons under the answer. With `buttons_only`: the message's new ones.
    keyboard: Keyboard | None = None
    buttons_only: bool = False
    reply: str | None = None
    edits: tuple[SentMessage, ...] = ()


def presser(unit: Unit) -> Resident | None:
    """The resident behind a press, if they may answer at all: someone who left (/stop)
    answers nothing until they come back with /start."""
    resident = unit.resident
    if resident is None or resident.id is None or resident.stopped:
        return None
    return resident


def stale(unit: Unit) -> Pressed:
    return Pressed(unit.language, stale=True)


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

    def other(self, resident_id: int | None) -> Resident:
        return self.helper if self.asker.id == resident_id else self.asker


def tell_other(
    unit: Unit,
    pair: Pair,
    sender: Resident,
    key: str,
    *,
    about: str | None,
    keyboard: Keyboard | None = None,
) -> None:
    """A note to the other person of the match, naming `sender` by first name (`key` takes
    `name`). `about` None: the match closed with this very press, so only a block since, a
    pause or /stop can stop the note."""
    other = pair.other(sender.id)
    unit.enqueue(
        to=other,
        text=t(other.language, key, name=first_name(other.language, sender.first_name)),
        keyboard=keyboard,
        about=about,
        counterpart_id=sender.id,
    )
