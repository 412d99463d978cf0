"""Conversations with the bot that read like a script, for tests and the demo.

    anna = scene.resident("Anna")
    await anna.sends("/start")
    await anna.sees("Welke taal")
    await anna.presses("English")

Every wait has a deadline (the emulator raises with a transcript of the chat); nothing sleeps.
With `narrate`, every action and every new or edited bot message is told as it happens.
"""

from __future__ import annotations

from collections.abc import Callable

from botapi_emulator import ButtonNotFoundError, CallbackAnswer, Emulator, MessageView, SimUser

DEFAULT_TIMEOUT = 5.0


class Scene:
    """A few simulated people talking to the bot through one emulator."""

    def __init__(self, emulator: Emulator, narrate: Callable[[str], None] | None = None) -> None:
        self.emulator = emulator
        self._narrate = narrate
        # (chat id, message id) -> edit count already told, so edits are told once each.
        self._told: dict[tuple[int, int], int] = {}

    def resident(
        self, name: str, language: str | None = "nl", username: str | None = None
    ) -> Person:
        user = self.emulator.add_user(name, language_code=language, username=username)
        return Person(self, user)

    def say(self, line: str) -> None:
        if self._narrate is not None:
            self._narrate(line)

    def skip_news(self, person: Person) -> Person:
        """Count everything in a person's chat so far as told (what happened off stage), and
        return the person as part of this scene from here on."""
        for message in self.emulator.messages(person.chat_id):
            self._told[(message.chat_id, message.message_id)] = message.edit_count
        return Person(self, person.user)

    def tell_news(self, person: Person) -> None:
        """Narrate the bot messages in a person's chat that are new or changed since last told."""
        if self._narrate is None:
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
        self.scene.say(f"{self.name}: {text}")
        await self.emulator.send_text(self.user, text)

    async def shares_location(self, latitude: float, longitude: float) -> None:
        self.scene.say(f"{self.name} shares a location")
        await self.emulator.send_location(self.user, latitude, longitude)

    async def presses(self, label: str, timeout: float = DEFAULT_TIMEOUT) -> CallbackAnswer:  # noqa: ASYNC109
        """Press the button labelled `label` on the newest bot message that has it."""
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
    """A bot message as one readable block: its text and its buttons."""
    text = message.content if message.content else "(no text)"
    if message.photo:
        text = f"[photo] {text}"
    buttons = "  ".join(f"[{label}]" for row in message.buttons for label in row)
    indented = "\n".join(f"      {line}" if line else "" for line in text.split("\n")).lstrip()
    return f"{indented}\n      {buttons}" if buttons else indented
