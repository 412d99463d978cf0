"""The simulated Telegram world: users, chats, messages, files, callback queries, commands.

Everything here is plain synchronous data on one event loop; the Bot API (bot_api.py) and the
simulation API (sim.py) both mutate it and then call `World.changed()` so waiters wake up.
Objects render themselves in Bot API shape (`to_api`) so both sides see identical JSON.
"""

from __future__ import annotations

import copy
import hashlib
import html
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from botapi_emulator.errors import SimulationError
from botapi_emulator.events import EventLog
from botapi_emulator.jsontypes import JSONDict
from botapi_emulator.media import image_size, photo_dimensions
from botapi_emulator.notifier import Notifier
from botapi_emulator.updates import QueuedUpdate, UpdateQueue, WebhookConfig

ChatType = Literal["private", "group", "supergroup"]
# Membership statuses as in ChatMember.status.
MemberStatus = Literal["creator", "administrator", "member", "left", "kicked"]

FIRST_USER_ID = 6_000_000_001
FIRST_GROUP_ID = -4_000_000_001
FIRST_SUPERGROUP_ID = -1_002_000_000_001


@dataclass(eq=False)
class SimUser:
    """A simulated Telegram user. Pass it to the simulation API to act as this user."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def to_api(self) -> JSONDict:
        user: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


@dataclass(eq=False)
class SimChat:
    """A private chat (id == user id) or a group. Tracks the bot's own membership too."""

    id: int
    type: ChatType
    title: str | None = None
    user: SimUser | None = None
    # The bot's status: a private chat goes to "kicked" while the user blocks the bot.
    bot_status: MemberStatus = "member"
    # Private chats only: the user has written to the bot, so the bot may write back.
    started: bool = False
    members: dict[int, MemberStatus] = field(default_factory=dict)
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1

    @property
    def is_group(self) -> bool:
        return self.type != "private"

    @property
    def label(self) -> str:
        if self.user is not None:
            return f"private chat with {self.user.full_name} ({self.id})"
        return f"{self.type} {self.title!r} ({self.id})"

    def to_api(self) -> JSONDict:
        chat: JSONDict = {"id": self.id, "type": self.type}
        if self.user is not None:
            chat["first_name"] = self.user.first_name
            if self.user.last_name:
                chat["last_name"] = self.user.last_name
            if self.user.username:
                chat["username"] = self.user.username
        else:
            chat["title"] = self.title
        return chat

    @property
    def chat_instance(self) -> str:
        """Stable per chat, like Telegram's CallbackQuery.chat_instance."""
        digest = hashlib.sha256(f"chat-instance:{self.id}".encode()).hexdigest()
        return str(int(digest[:15], 16) - 2**59)


@dataclass(eq=False)
class StoredMessage:
    """A message as the emulator remembers it, current after edits and deletions."""

    chat: SimChat
    message_id: int
    date: int
    sender: JSONDict
    from_bot: bool
    text: str | None = None
    html: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    caption: str | None = None
    caption_html: str | None = None
    caption_entities: list[JSONDict] = field(default_factory=list)
    photo: list[JSONDict] | None = None
    document: JSONDict | None = None
    location: JSONDict | None = None
    reply_markup: JSONDict | None = None
    reply_keyboard: JSONDict | None = None
    reply_to: StoredMessage | None = None
    service: JSONDict = field(default_factory=dict)
    edit_date: int | None = None
    edit_count: int = 0
    deleted: bool = False

    def to_api(self, *, with_reply: bool = True) -> JSONDict:
        message: JSONDict = {
            "message_id": self.message_id,
            "from": copy.deepcopy(self.sender),
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if with_reply and self.reply_to is not None:
            message["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.text is not None:
            message["text"] = self.text
            if self.entities:
                message["entities"] = copy.deepcopy(self.entities)
        if self.photo is not None:
            message["photo"] = copy.deepcopy(self.photo)
        if self.document is not None:
            message["document"] = dict(self.document)
        if self.caption is not None:
            message["caption"] = self.caption
            if self.caption_entities:
                message["caption_entities"] = copy.deepcopy(self.caption_entities)
        if self.location is not None:
            message["location"] = dict(self.location)
        if self.reply_markup is not None:
            message["reply_markup"] = copy.deepcopy(self.reply_markup)
        message.update(copy.deepcopy(self.service))
        return message

    def view(self) -> MessageView:
        return MessageView(
            chat_id=self.chat.id,
            message_id=self.message_id,
            from_bot=self.from_bot,
            sender_id=self.sender["id"],
            date=self.date,
            text=self.text,
            html=self.html,
            caption=self.caption,
            caption_html=self.caption_html,
            reply_markup=copy.deepcopy(self.reply_markup),
            reply_keyboard=copy.deepcopy(self.reply_keyboard),
            photo=copy.deepcopy(self.photo),
            document=dict(self.document) if self.document else None,
            location=dict(self.location) if self.location else None,
            edit_date=self.edit_date,
            edit_count=self.edit_count,
            deleted=self.deleted,
            reply_to_message_id=self.reply_to.message_id if self.reply_to else None,
            raw=self.to_api(),
        )

    def describe(self) -> str:
        """One transcript line, e.g. ``#3 bot: Kies een wijk [Noord|cb=n] (edited)``."""
        who = "bot" if self.from_bot else self.sender.get("first_name", "?")
        if self.service:
            body = f"<service: {', '.join(sorted(self.service))}>"
        elif self.photo is not None:
            body = f"<photo {self.photo[-1]['width']}x{self.photo[-1]['height']}>"
            if self.caption:
                body += f" {self.caption!r}"
        elif self.document is not None:
            body = f"<document {self.document.get('file_name', '?')}>"
            if self.caption:
                body += f" {self.caption!r}"
        elif self.location is not None:
            body = f"<location {self.location['latitude']}, {self.location['longitude']}>"
        else:
            body = repr(self.text)
        if self.reply_markup:
            rows = self.reply_markup["inline_keyboard"]
            body += " " + " ".join(f"[{_describe_button(b)}]" for row in rows for b in row)
        flags = [
            flag for flag, on in (("edited", self.edit_count > 0), ("DELETED", self.deleted)) if on
        ]
        suffix = f" ({', '.join(flags)})" if flags else ""
        return f"#{self.message_id} {who}: {body}{suffix}"


def _describe_button(button: JSONDict) -> str:
    if "callback_data" in button:
        return f"{button['text']}|cb={button['callback_data']}"
    if "url" in button:
        return f"{button['text']}|url={button['url']}"
    return str(button["text"])


@dataclass(frozen=True)
class MessageView:
    """A snapshot of one message for assertions; later edits do not change it."""

    chat_id: int
    message_id: int
    from_bot: bool
    sender_id: int
    date: int
    text: str | None
    html: str | None
    caption: str | None
    caption_html: str | None
    reply_markup: JSONDict | None
    reply_keyboard: JSONDict | None
    photo: list[JSONDict] | None
    document: JSONDict | None
    location: JSONDict | None
    edit_date: int | None
    edit_count: int
    deleted: bool
    reply_to_message_id: int | None
    raw: JSONDict

    @property
    def content(self) -> str:
        """The visible text: message text, else caption, else empty."""
        return self.text or self.caption or ""

    @property
    def buttons(self) -> list[list[str]]:
        """Labels of the inline keyboard, row by row."""
        if self.reply_markup is None:
            return []
        return [[b["text"] for b in row] for row in self.reply_markup["inline_keyboard"]]

    def button(self, label_or_data: str) -> JSONDict | None:
        """The inline button with this label, else with this callback_data, else None."""
        if self.reply_markup is None:
            return None
        found: list[JSONDict] = [b for row in self.reply_markup["inline_keyboard"] for b in row]
        for button in found:
            if button["text"] == label_or_data:
                return button
        for button in found:
            if button.get("callback_data") == label_or_data:
                return button
        return None

    def to_json(self) -> JSONDict:
        """JSON for the /sim HTTP API."""
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "from_bot": self.from_bot,
            "text": self.text,
            "html": self.html,
            "caption": self.caption,
            "caption_html": self.caption_html,
            "reply_markup": self.reply_markup,
            "reply_keyboard": self.reply_keyboard,
            "photo": self.photo,
            "document": self.document,
            "location": self.location,
            "edit_date": self.edit_date,
            "edit_count": self.edit_count,
            "deleted": self.deleted,
            "reply_to_message_id": self.reply_to_message_id,
            "message": self.raw,
        }


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot passed to answerCallbackQuery."""

    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass
class CallbackQueryRecord:
    id: str
    user: SimUser
    message: StoredMessage
    data: str
    answer: CallbackAnswer | None = None


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str


ADMIN_RIGHTS: JSONDict = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


def chat_member(user: JSONDict, status: MemberStatus) -> JSONDict:
    """A ChatMember object of the right subtype for ``status``."""
    member: JSONDict = {"status": status, "user": copy.deepcopy(user)}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(ADMIN_RIGHTS)
    elif status == "kicked":
        member["until_date"] = 0
    return member


def escape_plain(text: str) -> str:
    """The HTML that displays ``text`` literally (used when a message had no parse_mode)."""
    return html.escape(text, quote=False)


class World:
    """All mutable emulator state, shared by the Bot API and the simulation API."""

    def __init__(
        self,
        *,
        bot_id: int,
        bot_username: str,
        bot_first_name: str,
        privacy_mode: bool,
        wall_clock: Callable[[], float] = time.time,
        max_events: int = 100_000,
        first_update_id: int | None = None,
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.privacy_mode = privacy_mode
        self.wall_clock = wall_clock
        self.notifier = Notifier()
        self.log = EventLog(max_events)
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        if first_update_id is None:
            # Like Telegram, ids keep growing across restarts (1000 per second of wall time),
            # so a bot that remembers processed update ids is not fooled by a new emulator.
            first_update_id = int(wall_clock() * 1000) % 2**31 + 1
        self.updates = UpdateQueue(first_update_id)
        self.webhook: WebhookConfig | None = None
        self.webhook_generation = 0
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.commands: dict[tuple[tuple[Any, ...], str], list[JSONDict]] = {}
        self.files: dict[str, StoredFile] = {}
        # Every PhotoSize file_id maps to the full size list, for re-sending by file_id.
        self.photos: dict[str, list[JSONDict]] = {}
        self.documents: dict[str, JSONDict] = {}
        self._next_user_id = FIRST_USER_ID
        self._next_group_id = FIRST_GROUP_ID
        self._next_supergroup_id = FIRST_SUPERGROUP_ID
        self._next_query = 1
        self._next_file = 1

    # -- basics -------------------------------------------------------------------------

    def now(self) -> int:
        """Telegram dates: whole seconds since the epoch."""
        return int(self.wall_clock())

    def changed(self) -> None:
        self.notifier.notify()

    def touch(self, chat: SimChat) -> None:
        """Note that messages or callback answers in `chat` changed; `changed()` follows."""
        self.notifier.touch(chat.id)

    def record(self, kind: str, method: str | None = None, **data: Any) -> None:
        self.log.add(self.wall_clock(), kind, method, **data)

    @property
    def bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # -- population -----------------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        *,
        language_code: str | None,
        username: str | None,
        last_name: str | None,
    ) -> SimUser:
        user = SimUser(self._next_user_id, first_name, last_name, username, language_code)
        self._next_user_id += 1
        self.users[user.id] = user
        self.chats[user.id] = SimChat(user.id, "private", user=user)
        self.record("sim", "add_user", user=user.to_api())
        return user

    def add_group(
        self,
        title: str,
        *,
        members: list[SimUser],
        admins: list[SimUser],
        supergroup: bool,
        bot_status: MemberStatus,
    ) -> SimChat:
        if supergroup:
            chat_id = self._next_supergroup_id
            self._next_supergroup_id -= 1
        else:
            chat_id = self._next_group_id
            self._next_group_id -= 1
        chat = SimChat(chat_id, "supergroup" if supergroup else "group", title=title)
        chat.bot_status = bot_status
        everyone = [*admins, *(m for m in members if m not in admins)]
        for position, user in enumerate(everyone):
            if user.id not in self.users:
                raise SimulationError(f"user {user.id} does not belong to this emulator")
            if user in admins:
                chat.members[user.id] = "creator" if position == 0 else "administrator"
            else:
                chat.members[user.id] = "creator" if position == 0 else "member"
        self.chats[chat.id] = chat
        self.record("sim", "add_group", chat=chat.to_api(), bot_status=bot_status)
        return chat

    # -- messages, updates, queries, files ------------------------------------------------

    def new_message(
        self, chat: SimChat, *, from_user: SimUser | None, **fields: Any
    ) -> StoredMessage:
        """Store a new message in ``chat`` from a user, or from the bot when from_user is None."""
        sender = self.bot_user if from_user is None else from_user.to_api()
        message = StoredMessage(
            chat=chat,
            message_id=chat.next_message_id,
            date=self.now(),
            sender=sender,
            from_bot=from_user is None,
            **fields,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        self.touch(chat)
        return message

    def enqueue(self, kind: str, payload: JSONDict) -> QueuedUpdate | None:
        update = self.updates.push(kind, payload)
        if update is None:
            self.record("update", None, dropped=kind, reason="not in allowed_updates")
        else:
            self.record("update", None, update_id=update.update_id, type=kind)
        self.changed()
        return update

    def new_callback_query(
        self, user: SimUser, message: StoredMessage, data: str
    ) -> CallbackQueryRecord:
        # Telegram's query ids are big opaque numbers in a string; keep them unique per bot.
        query_id = str(4_000_000_000_000_000_000 + self.bot_id % 10**6 * 10**6 + self._next_query)
        self._next_query += 1
        record = CallbackQueryRecord(query_id, user, message, data)
        self.callback_queries[query_id] = record
        return record

    def store_file(self, data: bytes, kind: str, extension: str) -> StoredFile:
        number = self._next_file
        self._next_file += 1
        digest = hashlib.sha256(data).hexdigest()[:16]
        stored = StoredFile(
            file_id=f"AgACAgQAAxkBAAEmu{kind[:2].upper()}{number:06d}-{digest}",
            file_unique_id=f"AQAD{number:06d}{digest[:6]}",
            data=data,
            file_path=f"{kind}/file_{number}.{extension}",
        )
        self.files[stored.file_id] = stored
        return stored

    def store_document(self, data: bytes, file_name: str, mime_type: str) -> JSONDict:
        """Store an uploaded document and return its Document object."""
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = self.store_file(data, "documents", extension)
        document: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        self.documents[stored.file_id] = document
        return dict(document)

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes behind a file id, for assertions on what the bot sent."""
        return self.files[file_id].data

    def store_photo(self, data: bytes) -> list[JSONDict]:
        """Store an image and return its PhotoSize list; ValueError if it is no image."""
        width, height = image_size(data)
        extension = "png" if data.startswith(b"\x89PNG") else "jpg"
        sizes: list[JSONDict] = []
        for w, h in photo_dimensions(width, height):
            stored = self.store_file(data, "photos", extension)
            share = (w * h) / max(1, width * height)
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": w,
                    "height": h,
                    "file_size": max(1, round(len(data) * min(1.0, share))),
                }
            )
        for size in sizes:
            self.photos[size["file_id"]] = sizes
        return copy.deepcopy(sizes)
