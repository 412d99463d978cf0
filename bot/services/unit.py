"""One unit of work: one session, one transaction, for one update or one job step.

The runner (bot/runner.py) opens it in a worker thread, claims the update id (a redelivered
update is skipped), loads the caller's resident and dialog state once, lets one service do its
reads and writes, queues the outbox rows for other people, and commits once. Telegram is only
called after that commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.i18n import has_text, normalise_language
from bot.services import dialogs
from bot.services.markup import Keyboard, to_json
from bot.settings import Settings
from storage import outbox, repo
from storage.models import OutboxMessage, Resident


@dataclass(frozen=True)
class Caller:
    """Who an update is from, as plain data (the handler reads it off the Telegram update)."""

    user_id: int
    chat_id: int
    first_name: str = ""
    language_code: str | None = None


@dataclass(frozen=True)
class Incoming:
    """A message from a resident (text, a location, a photo), as plain data for the services."""

    message_id: int
    text: str | None = None
    location: tuple[float, float] | None = None
    photo_file_id: str | None = None
    caption: str | None = None
    username: str | None = None
    # The message this one answers with Telegram's "reply" (its id in this chat), if any.
    reply_to_message_id: int | None = None


@dataclass(frozen=True)
class Outgoing:
    """An outbox message claimed for sending now (leased), with what the sender needs."""

    id: int
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None
    media: dict[str, Any] | None = None


# Dialogs that are a menu on screen, not a question waiting for an answer: a command simply
# moves on from them, nothing is lost to mention.
MENU_DIALOGS = frozenset({"settings"})


@dataclass
class Unit:
    session: Session
    now: datetime
    settings: Settings
    caller: Caller | None = None
    resident: Resident | None = None
    dialog: dialogs.DialogState[dialogs.DialogData] | dialogs.StaleDialog | None = None
    # Outbox rows this unit queued; the runner claims the sendable ones before commit.
    queued: list[int] = field(default_factory=list)
    # Filled in by the runner: what it claimed for immediate delivery after commit.
    outgoing: list[Outgoing] = field(default_factory=list)
    # The dialog the caller was in when the unit began, and whether the service changed it.
    dialog_at_start: str | None = None
    dialog_changed: bool = False

    @property
    def language(self) -> str:
        """The caller's language: their choice, else their Telegram app's, else ours."""
        if self.resident is not None:
            return self.resident.language
        default = self.settings.default_language
        code = None if self.caller is None else self.caller.language_code
        return normalise_language(code, default)

    def ensure_resident(self) -> Resident:
        """The caller's resident row, made now if the bot has none yet (a newcomer, or someone
        who deleted their data earlier), and kept as `resident` for the rest of the unit."""
        assert self.caller is not None
        if self.resident is None:
            self.resident = repo.ensure_resident(
                self.session,
                telegram_user_id=self.caller.user_id,
                first_name=self.caller.first_name,
                language=self.language,
                now=self.now,
            )
        return self.resident

    def load_caller(self) -> None:
        """Read the caller's resident row and dialog state (once per unit)."""
        if self.caller is None:
            return
        self.resident = repo.find_resident(self.session, telegram_user_id=self.caller.user_id)
        if self.resident is not None and self.resident.unreachable_since is not None:
            # They write again: whatever made Telegram answer 403 (a block) is over.
            self.resident.unreachable_since = None
            self.session.add(self.resident)
        self.dialog = dialogs.load(self.session, self.caller.chat_id)
        if isinstance(self.dialog, dialogs.DialogState):
            self.dialog_at_start = self.dialog.flow

    def dialog_note(self) -> str | None:
        """For a command: what became of the dialog the caller was in (left for another one,
        or kept, waiting for them), as a text id; None when there was none or it simply went
        on (the command started the same dialog again, or the service set one of its own)."""
        started = self.dialog_at_start
        if started is None or started in MENU_DIALOGS:
            return None
        now = self.dialog.flow if isinstance(self.dialog, dialogs.DialogState) else None
        if now == started:
            if self.dialog_changed:
                return None
            what = "kept"
        else:
            what = "left"
        # Every dialog has its own texts (a test checks); a new one without them still gets a
        # sentence, never its text id.
        key = f"dialog.{what}.{started}"
        return key if has_text(key) else f"dialog.{what}.other"

    def state(self, flow: str) -> dialogs.DialogState[dialogs.DialogData] | None:
        """The caller's dialog state if it is `flow` (and its data still fits)."""
        dialog = self.dialog
        if isinstance(dialog, dialogs.DialogState) and dialog.flow == flow:
            return dialog
        return None

    def set_dialog(self, flow: str, step: str, data: dialogs.DialogData) -> None:
        assert self.caller is not None
        state = dialogs.DialogState(flow, step, data)
        dialogs.save(self.session, self.caller.chat_id, state, self.now)
        self.dialog = state
        self.dialog_changed = True

    def clear_dialog(self) -> None:
        assert self.caller is not None
        if self.dialog is not None:
            repo.clear_chat_state(self.session, chat_id=self.caller.chat_id)
            self.dialog = None
            self.dialog_changed = True

    def enqueue(
        self,
        *,
        to: Resident,
        text: str,
        keyboard: Keyboard | None = None,
        key: str | None = None,
        about: str | None = None,
        counterpart_id: int | None = None,
        due_at: datetime | None = None,
        media: dict[str, Any] | None = None,
    ) -> OutboxMessage:
        """Queue a message to a resident who did not just ask for it (an invitation, a note
        from the other side of a match). `about` names what it is about ("inv:<id>",
        "post:<id>", "match:<id>") and `counterpart_id` the other person, so the sender can
        check at send time that it is still wanted. A message due now for the caller
        themselves (what their own action led to) is marked as answering them."""
        answers_caller = (
            due_at is None
            and self.caller is not None
            and self.caller.user_id == to.telegram_user_id
        )
        message = outbox.enqueue(
            self.session,
            chat_id=to.telegram_user_id,
            text=text,
            reply_markup=to_json(keyboard),
            due_at=self.now if due_at is None else due_at,
            key=key,
            resident_id=to.id,
            about=about,
            counterpart_id=counterpart_id,
            media=media,
            answers_caller=answers_caller,
        )
        assert message.id is not None
        self.queued.append(message.id)
        return message

    def enqueue_chat(
        self,
        *,
        chat_id: int,
        text: str,
        keyboard: Keyboard | None = None,
        key: str | None = None,
        about: str | None = None,
    ) -> OutboxMessage:
        """Queue a message for a chat that is not (necessarily) a resident's: a wijk's group or
        team chat, or a buurtwerker privately. `about` "work:..." marks work for buurtwerkers,
        which reaches them even without a resident row (bot/services/delivery.py)."""
        message = outbox.enqueue(
            self.session,
            chat_id=chat_id,
            text=text,
            reply_markup=to_json(keyboard),
            due_at=self.now,
            key=key,
            about=about,
        )
        assert message.id is not None
        self.queued.append(message.id)
        return message
