"""The answer to whoever typed a command or pressed a button, as plain data.

Services of /pauze, /stop, /blokkeer, /meld, /mijngegevens and /verwijder return a Reply; one
handler helper (bot/handlers/reply.py) shows it: a command gets it as a message, a press as a
pop-up, an edit of the pressed message, or a new message in the presser's private chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.services.markup import Keyboard


class Show(Enum):
    POPUP = "popup"  # a refusal, on the pressed button
    EDIT = "edit"  # the pressed message becomes this
    MESSAGE = "message"  # a question in the presser's private chat (never in a group)


@dataclass(frozen=True)
class GroupMessageRef:
    """A message in a group the handler is to delete once the unit of work committed (a
    buurtwerker's "delete the group message" on a /meld report), and the audit entry that
    says so (undone if Telegram refuses)."""

    chat_id: int
    message_id: int
    entry_id: int


@dataclass(frozen=True)
class Edit:
    """A message the bot sent someone earlier, to change once the unit of work committed (the
    copies of a report card other buurtwerkers hold, when one of them acted on it)."""

    chat_id: int
    message_id: int
    text: str
    keyboard: Keyboard | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    keyboard: Keyboard | None = None
    show: Show = Show.EDIT
    delete: GroupMessageRef | None = None
    edits: tuple[Edit, ...] = ()
