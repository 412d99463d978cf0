"""The simulation API: act as Telegram users, inspect what the bot did, wait with deadlines.

This is the in-process side used by tests and the demo; server.py exposes the same operations
under ``/sim`` for other processes. User actions check what a real Telegram client allows
(members only, no writing after blocking the bot, only buttons that are really on the message)
so a test cannot pass by doing something no user could do.

All waits are deadline-based and wake on every state change; on timeout they raise
`EmulatorTimeoutError` with a transcript of the chat, so failures read like a chat log.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from botapi_emulator.bot_api import BotApi
from botapi_emulator.errors import ButtonNotFoundError, EmulatorTimeoutError, SimulationError
from botapi_emulator.events import ApiErrorRecord, Event
from botapi_emulator.html_check import utf16_len
from botapi_emulator.jsontypes import JSONDict
from botapi_emulator.limits import Limits, RateLimiter
from botapi_emulator.media import make_png
from botapi_emulator.notifier import ChatWatch
from botapi_emulator.state import (
    CallbackAnswer,
    CallbackQueryRecord,
    MemberStatus,
    MessageView,
    SimChat,
    SimUser,
    StoredMessage,
    World,
    chat_member,
    escape_plain,
)

DEFAULT_TOKEN = "7000000001:EMULATOR-buurtbot-test-token_AAAAAAAA"
_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_PRESENT = ("creator", "administrator", "member")

# A chat: the chat itself, its id, or a user (meaning that user's private chat with the bot).
ChatRef = SimChat | SimUser | int
UserRef = SimUser | int


class MessageLike(Protocol):
    """Anything with a message_id and chat_id: a MessageView or a telegram.Message."""

    @property
    def message_id(self) -> int: ...

    @property
    def chat_id(self) -> int: ...


# A message: a MessageView, a telegram.Message, a Bot API Message dict, or a message id.
MessageRef = MessageLike | JSONDict | int


def command_entities(text: str) -> list[JSONDict]:
    """bot_command entities for every ``/command`` or ``/command@bot`` in ``text``."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for m in _COMMAND_RE.finditer(text)
    ]


class Simulation:
    """The emulated Telegram world for one bot, driven from Python.

    The emulator serves one bot. With ``token`` given, only that token is accepted; without,
    the first well-formed token used binds the emulator to that bot. Any other token gets 401
    like a revoked one. The bot's id is the token's numeric prefix.

    ``privacy_mode`` mirrors BotFather's group privacy setting: when on, the bot only receives
    commands, replies to its messages and service messages in groups (unless it is an admin
    there). ``clock`` drives the rate limiter and ``wall_clock`` the message dates.
    ``first_update_id`` defaults to a value that grows with wall time, like Telegram's.
    """

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        bot_username: str = "buurtbot_test_bot",
        bot_first_name: str = "Buurtbot",
        token: str | None = None,
        privacy_mode: bool = True,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        max_events: int = 100_000,
        first_update_id: int | None = None,
    ) -> None:
        self.world = World(
            bot_id=int(DEFAULT_TOKEN.split(":", 1)[0]),
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            privacy_mode=privacy_mode,
            wall_clock=wall_clock,
            max_events=max_events,
            first_update_id=first_update_id,
        )
        self._clock = clock
        self.api = BotApi(self.world, RateLimiter(limits or Limits(), clock), token)
        # A slow Bot API: seconds each sending call waits *after* it took effect, before the
        # answer (so a client that gives up first has, unknowingly, sent the message).
        self.send_latency = 0.0
        # The same for any method by (lower-case) name, e.g. {"setwebhook": 2.0}.
        self.method_latency: dict[str, float] = {}

    @property
    def token(self) -> str:
        """The bot's token: the bound one, else `DEFAULT_TOKEN` (which binds on first use)."""
        return self.api.token or DEFAULT_TOKEN

    # -- configuration and overview ------------------------------------------------------------

    @property
    def bot_id(self) -> int:
        return self.world.bot_id

    @property
    def bot_username(self) -> str:
        return self.world.bot_username

    def set_limits(self, limits: Limits) -> None:
        """Replace the flood limits (and forget past sends), e.g. to tighten them mid-test."""
        self.api.limiter = RateLimiter(limits, self._clock)

    @property
    def errors(self) -> list[ApiErrorRecord]:
        """Every error response sent to the bot, oldest first."""
        return list(self.world.log.errors)

    @property
    def events(self) -> list[Event]:
        """The event log: calls, errors, updates, confirmations, webhook attempts, sim actions."""
        return self.world.log.events

    @property
    def pending_updates(self) -> int:
        """Updates the bot has not confirmed yet (delivered or not)."""
        return len(self.world.updates)

    @property
    def webhook_url(self) -> str | None:
        return None if self.world.webhook is None else self.world.webhook.url

    def chat(self, chat: ChatRef) -> SimChat:
        """The chat object for an id (a user's id is their private chat)."""
        if isinstance(chat, SimChat):
            return chat
        if isinstance(chat, SimUser):
            chat = chat.id
        found = self.world.chats.get(chat)
        if found is None:
            raise SimulationError(f"no chat with id {chat}")
        return found

    def user(self, user: UserRef) -> SimUser:
        if isinstance(user, SimUser):
            return user
        found = self.world.users.get(user)
        if found is None:
            raise SimulationError(f"no user with id {user}")
        return found

    # -- population ----------------------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        language_code: str | None = "nl",
        username: str | None = None,
        last_name: str | None = None,
    ) -> SimUser:
        """A new user with a unique id; their private chat exists but is not started yet."""
        return self.world.add_user(
            first_name, language_code=language_code, username=username, last_name=last_name
        )

    def add_group(
        self,
        title: str,
        members: list[SimUser] | tuple[SimUser, ...] = (),
        admins: list[SimUser] | tuple[SimUser, ...] = (),
        with_bot: bool = True,
        *,
        bot_admin: bool = False,
        supergroup: bool = False,
    ) -> SimChat:
        """A group that already exists (no updates are produced for its creation).

        The first admin (else the first member) is the creator. With ``with_bot`` the bot is
        already a member (an admin with ``bot_admin``); use `add_bot_to_group` to simulate
        the bot being added, with the updates that produces.
        """
        status: MemberStatus = ("administrator" if bot_admin else "member") if with_bot else "left"
        return self.world.add_group(
            title,
            members=list(members),
            admins=list(admins),
            supergroup=supergroup,
            bot_status=status,
        )

    def _bot_membership_update(self, chat: SimChat, by: SimUser, new: MemberStatus) -> None:
        old = chat.bot_status
        chat.bot_status = new
        payload = {
            "chat": chat.to_api(),
            "from": by.to_api(),
            "date": self.world.now(),
            "old_chat_member": chat_member(self.world.bot_user, old),
            "new_chat_member": chat_member(self.world.bot_user, new),
        }
        self.world.enqueue("my_chat_member", payload)

    async def add_bot_to_group(
        self, group: ChatRef, by: UserRef, *, as_admin: bool = False
    ) -> None:
        """``by`` adds the bot: a my_chat_member update plus the new_chat_members message."""
        chat, user = self._group(group), self.user(by)
        self._require_present(chat, user)
        if chat.bot_status in _PRESENT:
            raise SimulationError(f"the bot is already in {chat.label}")
        self._bot_membership_update(chat, user, "administrator" if as_admin else "member")
        bot_user = self.world.bot_user
        service = {
            "new_chat_members": [bot_user],
            "new_chat_member": bot_user,
            "new_chat_participant": bot_user,
        }
        message = self.world.new_message(chat, from_user=user, service=service)
        self.world.enqueue("message", message.to_api())

    async def remove_bot_from_group(self, group: ChatRef, by: UserRef) -> None:
        """``by`` removes the bot: a my_chat_member update with status "kicked", plus the
        left_chat_member service message (the last message the bot gets from the group)."""
        chat, user = self._group(group), self.user(by)
        self._require_present(chat, user)
        if chat.bot_status not in _PRESENT:
            raise SimulationError(f"the bot is not in {chat.label}")
        self._bot_membership_update(chat, user, "kicked")
        service = {
            "left_chat_member": self.world.bot_user,
            "left_chat_participant": self.world.bot_user,
        }
        message = self.world.new_message(chat, from_user=user, service=service)
        self.world.enqueue("message", message.to_api())

    async def join_group(self, user: UserRef, group: ChatRef) -> JSONDict:
        """``user`` joins the group; the bot sees the new_chat_members service message."""
        chat, member = self._group(group), self.user(user)
        if chat.members.get(member.id) in _PRESENT:
            raise SimulationError(f"{member.full_name} is already in {chat.label}")
        chat.members[member.id] = "member"
        service = {
            "new_chat_members": [member.to_api()],
            "new_chat_member": member.to_api(),
            "new_chat_participant": member.to_api(),
        }
        message = self.world.new_message(chat, from_user=member, service=service)
        self._deliver(chat, message)
        return message.to_api()

    async def block_bot(self, user: UserRef) -> None:
        """The user blocks the bot: my_chat_member "kicked"; sending to them now gives 403."""
        member = self.user(user)
        chat = self.world.chats[member.id]
        if chat.bot_status == "kicked":
            raise SimulationError(f"{member.full_name} already blocked the bot")
        self._bot_membership_update(chat, member, "kicked")

    async def unblock_bot(self, user: UserRef) -> None:
        """The user unblocks the bot (my_chat_member "member"). Real clients then also send
        /start; call `send_text` for that if the scenario needs it."""
        member = self.user(user)
        chat = self.world.chats[member.id]
        if chat.bot_status != "kicked":
            raise SimulationError(f"{member.full_name} has not blocked the bot")
        self._bot_membership_update(chat, member, "member")

    def is_blocked(self, user: UserRef) -> bool:
        return self.world.chats[self.user(user).id].bot_status == "kicked"

    # -- user actions --------------------------------------------------------------------------

    def _group(self, group: ChatRef) -> SimChat:
        chat = self.chat(group)
        if not chat.is_group:
            raise SimulationError(f"{chat.label} is not a group")
        return chat

    @staticmethod
    def _require_present(chat: SimChat, user: SimUser) -> None:
        if chat.members.get(user.id) not in _PRESENT:
            raise SimulationError(f"{user.full_name} is not a member of {chat.label}")

    def _writing_chat(self, user: SimUser, chat: ChatRef | None) -> SimChat:
        """Where ``user`` writes: their private chat by default; checks they are allowed to."""
        target = self.world.chats[user.id] if chat is None else self.chat(chat)
        if target.is_group:
            self._require_present(target, user)
            return target
        if target.id != user.id:
            raise SimulationError(
                f"{user.full_name} cannot write in {target.label}; only in their own chat"
            )
        if target.bot_status == "kicked":
            raise SimulationError(f"{user.full_name} blocked the bot; call unblock_bot() first")
        target.started = True
        return target

    def _stored(self, chat: SimChat, message: MessageRef) -> StoredMessage:
        message_id = _message_id(message)
        stored = chat.messages.get(message_id)
        if stored is None:
            raise SimulationError(f"no message #{message_id} in {chat.label}")
        return stored

    def _bot_sees(self, chat: SimChat, message: StoredMessage) -> bool:
        """Telegram's group privacy mode, for a bot that is a member of ``chat``."""
        if not self.world.privacy_mode or chat.bot_status == "administrator" or message.service:
            return True
        if message.reply_to is not None and message.reply_to.from_bot:
            return True
        first = _COMMAND_RE.match(message.text or message.caption or "")
        if first is None:
            return False
        _, _, addressee = first[0].partition("@")
        return addressee in ("", self.world.bot_username)

    def _deliver(self, chat: SimChat, message: StoredMessage) -> None:
        """Queue the message update if the bot can see it; log why not otherwise."""
        reason = None
        if chat.is_group and chat.bot_status not in _PRESENT:
            reason = "the bot is not a member of the group"
        elif chat.is_group and not self._bot_sees(chat, message):
            reason = "privacy mode: the bot does not see this group message"
        if reason is None:
            self.world.enqueue("message", message.to_api())
        else:
            self.world.record("sim", "not_delivered", message_id=message.message_id, reason=reason)
            self.world.changed()

    def _user_message(
        self, user: UserRef, chat: ChatRef | None, reply_to: MessageRef | None, **fields: Any
    ) -> JSONDict:
        sender = self.user(user)
        target = self._writing_chat(sender, chat)
        reply = None if reply_to is None else self._stored(target, reply_to)
        message = self.world.new_message(target, from_user=sender, reply_to=reply, **fields)
        self.world.record("sim", "user_message", chat_id=target.id, message=message.describe())
        self._deliver(target, message)
        return message.to_api()

    async def send_text(
        self,
        user: UserRef,
        text: str,
        chat: ChatRef | None = None,
        *,
        reply_to: MessageRef | None = None,
    ) -> JSONDict:
        """``user`` sends ``text`` (commands get bot_command entities); returns the Message."""
        if not text.strip():
            raise SimulationError("Telegram clients cannot send an empty message")
        if len(text) > 4096:
            raise SimulationError("Telegram clients cannot send more than 4096 characters")
        entities = command_entities(text)
        return self._user_message(
            user, chat, reply_to, text=text, html=escape_plain(text), entities=entities
        )

    async def send_location(
        self,
        user: UserRef,
        latitude: float,
        longitude: float,
        chat: ChatRef | None = None,
        *,
        reply_to: MessageRef | None = None,
    ) -> JSONDict:
        """``user`` shares a location; returns the Message."""
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise SimulationError(f"invalid coordinates {latitude}, {longitude}")
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(user, chat, reply_to, location=location)

    async def send_photo(
        self,
        user: UserRef,
        data: bytes | None = None,
        caption: str | None = None,
        chat: ChatRef | None = None,
        *,
        reply_to: MessageRef | None = None,
    ) -> JSONDict:
        """``user`` sends a photo (a generated 640x480 PNG by default); returns the Message.

        The bot can fetch it with getFile and the file download URL (`Emulator.base_file_url`).
        """
        try:
            photo = self.world.store_photo(make_png() if data is None else data)
        except ValueError as error:
            raise SimulationError(f"not a photo: {error}") from None
        fields: dict[str, Any] = {"photo": photo}
        if caption:
            fields.update(
                caption=caption,
                caption_html=escape_plain(caption),
                caption_entities=command_entities(caption),
            )
        return self._user_message(user, chat, reply_to, **fields)

    async def press_button(
        self,
        user: UserRef,
        message: MessageRef,
        button: str,
        chat: ChatRef | None = None,
    ) -> str:
        """``user`` presses the inline button labelled ``button`` (or with that callback_data)
        on a bot message; queues the callback_query update and returns its query id.

        Raises ButtonNotFoundError if the button is not on the message's *current* keyboard.
        """
        presser = self.user(user)
        where = chat if chat is not None else _message_chat_id(message)
        target = self._writing_chat(presser, where)
        if target.is_group and target.bot_status not in _PRESENT:
            raise SimulationError(f"the bot is not in {target.label}")
        stored = self._stored(target, message)
        if stored.deleted or not stored.from_bot:
            state = "was deleted" if stored.deleted else "is not a bot message"
            raise ButtonNotFoundError(f"message #{stored.message_id} in {target.label} {state}")
        found = stored.view().button(button)
        if found is None:
            raise ButtonNotFoundError(
                f"no button {button!r} on message #{stored.message_id} in {target.label}; "
                f"current message: {stored.describe()}"
            )
        if "callback_data" not in found:
            raise ButtonNotFoundError(f"button {button!r} is not a callback button: {found}")
        record = self.world.new_callback_query(presser, stored, found["callback_data"])
        payload = {
            "id": record.id,
            "from": presser.to_api(),
            "message": stored.to_api(),
            "chat_instance": target.chat_instance,
            "data": record.data,
        }
        self.world.record("sim", "press_button", chat_id=target.id, button=found["text"])
        self.world.enqueue("callback_query", payload)
        return record.id

    # -- inspection ----------------------------------------------------------------------------

    def messages(self, chat: ChatRef) -> list[MessageView]:
        """The bot's messages in ``chat``, oldest first, as they are now (deleted ones too)."""
        return [m.view() for m in self.chat(chat).messages.values() if m.from_bot]

    def history(self, chat: ChatRef) -> list[MessageView]:
        """All messages in ``chat`` (users' and the bot's), oldest first."""
        return [m.view() for m in self.chat(chat).messages.values()]

    def last_message(self, chat: ChatRef) -> MessageView | None:
        """The bot's most recent message in ``chat`` that is not deleted."""
        # Only the newest message is turned into a view: waits poll this on every change.
        for stored in reversed(self.chat(chat).messages.values()):
            if stored.from_bot and not stored.deleted:
                return stored.view()
        return None

    def peek_last(self, chat: ChatRef) -> tuple[str, tuple[str, ...]] | None:
        """Text (or caption) and button labels of the bot's newest live message in ``chat``.

        A cheap read without copying the message, for waits that poll many chats often
        (benchmarks); use `last_message` for a full snapshot.
        """
        for stored in reversed(self.chat(chat).messages.values()):
            if stored.from_bot and not stored.deleted:
                rows = stored.reply_markup["inline_keyboard"] if stored.reply_markup else []
                labels = tuple(str(button["text"]) for row in rows for button in row)
                return stored.text or stored.caption or "", labels
        return None

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        return self._query(query_id).answer

    def _query(self, query_id: str) -> CallbackQueryRecord:
        record = self.world.callback_queries.get(query_id)
        if record is None:
            raise SimulationError(f"no callback query {query_id!r}")
        return record

    def visible_commands(self, user: UserRef, chat: ChatRef | None = None) -> list[JSONDict]:
        """The command menu ``user`` would see, using Telegram's scope/language fallback."""
        viewer = self.user(user)
        where = self.world.chats[viewer.id] if chat is None else self.chat(chat)
        language = viewer.language_code or ""
        if where.is_group:
            admin = where.members.get(viewer.id) in ("creator", "administrator")
            scopes: list[tuple[Any, ...]] = [("chat_member", where.id, viewer.id)]
            if admin:
                scopes.append(("chat_administrators", where.id))
            scopes.append(("chat", where.id))
            if admin:
                scopes.append(("all_chat_administrators",))
            scopes += [("all_group_chats",), ("default",)]
        else:
            scopes = [("chat", where.id), ("all_private_chats",), ("default",)]
        for scope in scopes:
            for lang in dict.fromkeys((language, "")):
                commands = self.world.commands.get((scope, lang))
                if commands:
                    return [dict(c) for c in commands]
        return []

    def transcript(self, chat: ChatRef | None = None) -> str:
        """A readable dump of one chat (or all chats), pending updates and recent errors."""
        chats = list(self.world.chats.values()) if chat is None else [self.chat(chat)]
        lines: list[str] = []
        for shown in chats:
            if chat is None and not shown.messages:
                continue
            lines.append(f"{shown.label} - bot status: {shown.bot_status}")
            lines += [f"  {m.describe()}" for m in shown.messages.values()] or ["  (no messages)"]
        lines.append(f"pending updates: {self.pending_updates}")
        errors = self.world.log.errors[-10:]
        if errors:
            lines.append("recent bot API errors:")
            lines += [f"  {e}" for e in errors]
        return "\n".join(lines)

    # -- waiting -------------------------------------------------------------------------------

    def watch_chats(self) -> AbstractContextManager[ChatWatch]:
        """While the block runs, collect the chats whose bot or user messages (new, edited,
        deleted) or callback answers change; `take()` them after each wake-up so a wait on
        many chats re-checks only those::

            with emu.watch_chats() as watch:
                ...
                await emu.wait_for(lambda: check(watch.take()))
        """
        return self.world.notifier.watching()

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the public test API
        *,
        what: str = "condition",
        chat: ChatRef | None = None,
    ) -> None:
        """Return as soon as ``predicate()`` is true; EmulatorTimeoutError after ``timeout``."""
        if not await self.world.notifier.wait_until(predicate, timeout):
            raise EmulatorTimeoutError(
                f"timed out after {timeout:g}s waiting for {what}\n{self.transcript(chat)}"
            )

    async def wait_for_message(
        self,
        chat: ChatRef,
        contains: str | None = None,
        *,
        after: MessageRef | None = None,
        match: Callable[[MessageView], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the public test API
    ) -> MessageView:
        """The first live bot message in ``chat`` whose text/caption contains ``contains``
        (and satisfies ``match``), newer than message ``after`` if given."""
        target = self.chat(chat)
        after_id = 0 if after is None else _message_id(after)
        found: list[MessageView] = []

        def matching() -> bool:
            for stored in target.messages.values():
                if not stored.from_bot or stored.deleted or stored.message_id <= after_id:
                    continue
                if contains is not None and contains not in (stored.text or stored.caption or ""):
                    continue
                view = stored.view()
                if match is None or match(view):
                    found.append(view)
                    return True
            return False

        wanted = "a bot message" + (f" containing {contains!r}" if contains is not None else "")
        await self.wait_for(matching, timeout, what=f"{wanted} in {target.label}", chat=target)
        return found[0]

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the public test API
    ) -> CallbackAnswer:
        """The bot's answerCallbackQuery for ``query_id``, as soon as it arrives."""
        record = self._query(query_id)
        answers: list[CallbackAnswer] = []

        def answered() -> bool:
            if record.answer is not None:
                answers.append(record.answer)
            return bool(answers)

        await self.wait_for(
            answered,
            timeout,
            what=f"an answer to callback query {query_id}",
            chat=record.message.chat,
        )
        return answers[0]

    async def wait_until_idle(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the public test API
    ) -> None:
        """Wait until the bot has confirmed every update queued so far.

        Confirmation means fetched and acknowledged (offset or webhook 2xx), not necessarily
        handled; wait for the bot's visible effects with `wait_for_message` and friends.
        """
        await self.wait_for(
            lambda: not self.world.updates.pending, timeout, what="all updates confirmed"
        )


def _message_id(message: MessageRef) -> int:
    if isinstance(message, int):
        return message
    if isinstance(message, dict):
        message_id = message.get("message_id")
        if not isinstance(message_id, int):
            raise SimulationError(f"not a message: {message!r}")
        return message_id
    return message.message_id


def _message_chat_id(message: MessageRef) -> int | None:
    if isinstance(message, int):
        return None
    if isinstance(message, dict):
        chat = message.get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        return None
    return message.chat_id
