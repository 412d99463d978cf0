"""Conversations with the bot that read like a script, for tests and the demo.

    anna = scene.resident("Anna")
    await anna.sends("/start")
    await anna.sees("Welke taal")
    await anna.presses("English")

Every wait has a deadline (the emulator raises with a transcript of the chat); nothing sleeps.
With `narrate`, every action and every new or edited bot message is told as it happens; with
`settle`, each action first waits until the bot has finished answering the one before, as a
person reads the answer before tapping on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager

from botapi_emulator import ButtonNotFoundError, CallbackAnswer, Emulator, MessageView, SimUser

DEFAULT_TIMEOUT = 5.0


class Scene:
    """A few simulated people talking to the bot through one emulator."""

    def __init__(
        self,
        emulator: Emulator,
        narrate: Callable[[str], None] | None = None,
        settle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.emulator = emulator
        self._narrate = narrate
        self._settle = settle
        # Chats whose news is kept back for now (`holding`), and the order it arrived in.
        self._held: set[int] = set()
        self._held_news: list[int] = []
        # (chat id, message id) -> edit count already told, so edits are told once each.
        self._told: dict[tuple[int, int], int] = {}
        # The people whose chats are narrated, by chat id.
        self._people: dict[int, Person] = {}

    def resident(
        self, name: str, language: str | None = "nl", username: str | None = None
    ) -> Person:
        user = self.emulator.add_user(name, language_code=language, username=username)
        return self._cast(Person(self, user))

    def _cast(self, person: Person) -> Person:
        self._people[person.chat_id] = person
        return person

    @contextmanager
    def live(self) -> Iterator[None]:
        """Narrate every bot message to the scene's people the moment it arrives, and every
        edit as an edit, in the order they happen (not only when someone looks)."""
        with self.emulator.world.notifier.listening(self._arrived):
            yield

    def _arrived(self, chats: set[int]) -> None:
        for chat_id in sorted(chats):
            person = self._people.get(chat_id)
            if person is not None:
                self.tell_news(person)

    @contextmanager
    def holding(self, people: Iterable[Person]) -> Iterator[None]:
        """Keep these people's news back until the block ends, then tell it in the order it
        arrived: for a line that announces what the bot sends them ("Buurtbot invites: ..."),
        which can only be said once the bot has decided."""
        chats = {person.chat_id for person in people}
        self._held |= chats
        try:
            yield
        finally:
            self._held -= chats
            arrived, self._held_news = self._held_news, []
            for chat_id in dict.fromkeys(arrived):
                self.tell_news(self._people[chat_id])

    async def settled(self) -> None:
        """Wait until the bot has finished answering (when the scene was given `settle`)."""
        if self._settle is not None:
            await self._settle()

    def say(self, line: str) -> None:
        if self._narrate is not None:
            self._narrate(line)

    def skip_news(self, person: Person) -> Person:
        """Count everything in a person's chat so far as told (what happened off stage), and
        return the person as part of this scene from here on."""
        for message in self.emulator.messages(person.chat_id):
            self._told[(message.chat_id, message.message_id)] = message.edit_count
        return self._cast(Person(self, person.user))

    def tell_news(self, person: Person) -> None:
        """Narrate the bot messages in a person's chat that are new or changed since last told."""
        if self._narrate is None:
            return
        if person.chat_id in self._held:
            self._held_news.append(person.chat_id)
            return
        for message in self.emulator.messages(person.chat_id):
            key = (message.chat_id, message.message_id)
            if self._told.get(key) == message.edit_count and not message.deleted:
                continue
            if message.deleted:
                if key in self._told:
                    self.say(f"    (bot removed a message for {person.name})")
                    del self._told[key]
                continue
            verb = "edits" if key in self._told else "→"
            self._told[key] = message.edit_count
            self.say(f"  Buurtbot {verb} {person.name}: {render(message)}")


class Person:
    """One simulated resident in their private chat with the bot."""

    def __init__(self, scene: Scene, user: SimUser) -> None:
        self.scene = scene
        self.user = user

    @property
    def name(self) -> str:
        return self.user.first_name

    @property
    def chat_id(self) -> int:
        return self.user.id

    @property
    def emulator(self) -> Emulator:
        return self.scene.emulator

    async def sends(self, text: str) -> None:
        await self.scene.settled()
        self.scene.say(f"{self.name}: {text}")
        await self.emulator.send_text(self.user, text)

    async def shares_location(self, latitude: float, longitude: float) -> None:
        await self.scene.settled()
        self.scene.say(f"{self.name} shares a location")
        await self.emulator.send_location(self.user, latitude, longitude)

    async def presses(self, label: str, timeout: float = DEFAULT_TIMEOUT) -> CallbackAnswer:  # noqa: ASYNC109
        """Press the button labelled `label` on the newest bot message that has it."""
        await self.scene.settled()
        message = self._newest_with_button(label)
        self.scene.say(f"{self.name} presses [{label}]")
        query_id = await self.emulator.press_button(self.user, message.message_id, label)
        answer = await self.emulator.wait_for_callback_answer(query_id, timeout=timeout)
        if answer.text:
            self.scene.say(f"  (pop-up for {self.name}: {answer.text})")
        return answer

    async def sees(self, contains: str, timeout: float = DEFAULT_TIMEOUT) -> MessageView:  # noqa: ASYNC109
        """Wait until a live bot message in this chat (new or edited) contains `contains`."""
        found: list[MessageView] = []

        def visible() -> bool:
            for message in reversed(self.emulator.messages(self.chat_id)):
                if not message.deleted and contains in message.content:
                    found.append(message)
                    return True
            return False

        await self.emulator.wait_for(
            visible, timeout, what=f"{self.name} seeing {contains!r}", chat=self.chat_id
        )
        self.scene.tell_news(self)
        return found[0]

    async def sees_button(self, label: str, timeout: float = DEFAULT_TIMEOUT) -> MessageView:  # noqa: ASYNC109
        """Wait until a live bot message in this chat has a button `label` (for edits that
        change only the buttons, such as a ticked choice)."""
        found: list[MessageView] = []

        def visible() -> bool:
            message = self._find_with_button(label)
            if message is not None:
                found.append(message)
            return message is not None

        await self.emulator.wait_for(
            visible, timeout, what=f"{self.name} seeing a button {label!r}", chat=self.chat_id
        )
        self.scene.tell_news(self)
        return found[-1]

    def last_message(self) -> MessageView:
        message = self.emulator.last_message(self.chat_id)
        assert message is not None, f"the bot has sent {self.name} nothing"
        return message

    def _find_with_button(self, label: str) -> MessageView | None:
        for message in reversed(self.emulator.messages(self.chat_id)):
            if not message.deleted and message.button(label) is not None:
                return message
        return None

    def _newest_with_button(self, label: str) -> MessageView:
        message = self._find_with_button(label)
        if message is not None:
            return message
        raise ButtonNotFoundError(
            f"no message for {self.name} has a button {label!r}\n"
            + self.emulator.transcript(self.chat_id)
        )


def render(message: MessageView) -> str:
    """A bot message as one readable block: its text, its buttons and the keyboard it opens
    (a reply keyboard replaces the phone's keyboard until it is closed)."""
    text = message.content if message.content else "(no text)"
    if message.photo:
        text = f"[photo] {text}"
    if message.document:
        text = f"[file {describe_file(message.document)}] {text}"
    lines = [text]
    buttons = "  ".join(f"[{label}]" for row in message.buttons for label in row)
    if buttons:
        lines.append(buttons)
    keyboard = keyboard_labels(message)
    if keyboard:
        lines.append("keyboard: " + "  ".join(f"[{label}]" for label in keyboard))
    elif closes_keyboard(message):
        lines.append("(keyboard closed)")
    block = "\n".join(lines)
    return "\n".join(f"      {line}" if line else "" for line in block.split("\n")).lstrip()


def keyboard_labels(message: MessageView) -> list[str]:
    """The buttons of the reply keyboard a message opens, in order ([] if it opens none)."""
    keyboard = (message.reply_keyboard or {}).get("keyboard") or []
    return [button_text(button) for row in keyboard for button in row]


def location_buttons(message: MessageView) -> list[str]:
    """The labels of a reply keyboard's "share my location" buttons."""
    keyboard = (message.reply_keyboard or {}).get("keyboard") or []
    return [
        button_text(button)
        for row in keyboard
        for button in row
        if isinstance(button, dict) and button.get("request_location")
    ]


def closes_keyboard(message: MessageView) -> bool:
    return bool((message.reply_keyboard or {}).get("remove_keyboard"))


def button_text(button: object) -> str:
    return str(button.get("text", "")) if isinstance(button, dict) else str(button)


def describe_file(document: dict[str, object]) -> str:
    """A document as a phone lists it: name and size ("mijngegevens.json, 2.1 KB")."""
    name = document.get("file_name") or "file"
    size = document.get("file_size")
    if not isinstance(size, int):
        return str(name)
    shown = f"{size} bytes" if size < 1024 else f"{size / 1024:.1f} KB"
    return f"{name}, {shown}"
