"""Helpers for the posting, browsing and own-posts scenarios: a clock the test controls, forged
button presses, and what ended up in the database."""

from __future__ import annotations

from sqlmodel import col, select

from bot.harness import RunningBot
from bot.keyboards import main_menu_keyboard
from botapi_emulator import CallbackAnswer, MessageView
from botapi_emulator.scenario import Person
from storage.db import session_scope
from storage.models import ChatState, Invitation, Post

# Wednesday 25 November 2026, 10:00 in Amsterdam: "zaterdag" is the 28th.
from tests.e2e.neighbours import NOW as NOW  # re-exported for the posting tests


async def forge_press(
    running: RunningBot, person: Person, message: MessageView, data: str
) -> CallbackAnswer:
    """Press a button with made-up callback data on a real bot message, as a modified client
    can; returns the bot's answer (the emulator only offers buttons that exist)."""
    emulator = running.emulator
    chat = emulator.chat(person.chat_id)
    stored = chat.messages[message.message_id]
    record = emulator.world.new_callback_query(person.user, stored, data)
    emulator.world.enqueue(
        "callback_query",
        {
            "id": record.id,
            "from": person.user.to_api(),
            "message": stored.to_api(),
            "chat_instance": chat.chat_instance,
            "data": data,
        },
    )
    return await emulator.wait_for_callback_answer(record.id)


async def show_main_menu(running: RunningBot, person: Person) -> None:
    """The main menu as onboarding leaves it, so its buttons can be pressed."""
    language = person.user.language_code or "nl"
    await running.application.bot.send_message(
        person.chat_id, "Menu", reply_markup=main_menu_keyboard(language)
    )
    await person.sees("Menu")


def all_posts(running: RunningBot) -> list[Post]:
    with session_scope(running.engine) as session:
        return list(session.exec(select(Post).order_by(col(Post.id))).all())


def all_invitations(running: RunningBot) -> list[Invitation]:
    with session_scope(running.engine) as session:
        return list(session.exec(select(Invitation).order_by(col(Invitation.id))).all())


def chat_state(running: RunningBot, person: Person) -> ChatState | None:
    with session_scope(running.engine) as session:
        return session.get(ChatState, person.chat_id)


def bot_messages(running: RunningBot, person: Person) -> list[MessageView]:
    return running.emulator.messages(person.chat_id)


async def post_request(person: Person, text: str) -> None:
    """The shortest way through: accept the category and the time the bot read."""
    await person.sends("/vraag")
    await person.sees("Wat kan een buur voor je doen?")
    await person.sends(text)
    await person.sees("Klopt dat?")
    await person.presses("✓ Ja, klopt")
    await person.sees("Wanneer")
    if person.last_message().button("✓ Ja, klopt") is not None:
        await person.presses("✓ Ja, klopt")
    else:
        await person.presses("Maakt niet uit")
    await person.sees("Zo komt het in de buurt te staan")
    await person.presses("✅ Plaatsen")
    await person.sees("Je vraag is geplaatst!")
