"""`buurtbot demo`: the real bot against the local emulator, on a throwaway SQLite file.

Needs no token and no network. The scripted run plays a few neighbours through every flow that
exists; `--chat` lets a person play a resident in the terminal.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.app import matching_steps
from bot.context import BotContext, Clock, system_clock
from bot.handlers.nudges import run_nudges
from bot.harness import RunningBot, running_bot
from bot.i18n import normalise_language, t
from bot.prompt import read_line
from bot.sender import send_due_messages, space_chats
from botapi_emulator import Limits, MessageView
from botapi_emulator.scenario import (
    Person,
    Scene,
    closes_keyboard,
    describe_file,
    keyboard_labels,
    location_buttons,
)
from matching.names import first_word
from storage import migrate, repo
from storage.db import make_engine, session_scope
from storage.models import RoleKind

DEMO_WIJK = "Transvaalbuurt"
DEMO_WIJK_CODE = repo.slugify(DEMO_WIJK)  # what `buurtbot wijk add` makes of the name
# A spot in the Transvaalbuurt; the bot keeps only its coarse area.
DEMO_LOCATION = (52.3548, 4.9267)
# The scripted neighbours answer within milliseconds, where people read first; Telegram's
# one-message-per-second limit per chat would only slow the script down, so it is off there:
# in the emulator and in the bot's own pacing (which otherwise keeps it, emulator or not).
SCRIPT_LIMITS = Limits(per_chat_per_second=None)
# Reply wait in --chat mode: how long a line with no visible answer waits before "(no reply)".
CHAT_REPLY_TIMEOUT = 3.0
# An answer can be a few messages in a row (an edit, then the next question): the chat waits
# until the bot is idle and the chat has been quiet this long before reading the next line.
CHAT_SETTLE_SECONDS = 0.3
CHAT_POLL_SECONDS = 0.02
# However busy the bot is, the next line is read after this long.
CHAT_IDLE_TIMEOUT = 30.0
# The most a Telegram message can hold; the apps send longer text as several messages.
MAX_TEXT = 4096
LOCATION_SHORTCUT = "📍"


# The scripted story runs on its own clock: a Wednesday morning, so "zaterdag" and everyone's
# quiet hours come out the same on every run, and it can jump ahead to the follow-up.
DEMO_START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
FOLLOW_UP_JUMP = timedelta(days=4)  # to Sunday morning
RECIPROCITY_JUMP = timedelta(days=5)  # to Friday morning: the reciprocity message is due


class DemoClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def run_demo(*, chat: bool = False) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="buurtbot-demo-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            with session_scope(engine) as session:
                repo.add_wijk(
                    session,
                    name=DEMO_WIJK,
                    center_cell=None,
                    reach_m=1500,
                    now=datetime.now(UTC),
                )
            if chat:
                # The neighbours join at the script's pace; then Telegram's limits hold.
                play = _with_bot(
                    url, engine, _chat, SCRIPT_LIMITS, system_clock, chat_spacing=False
                )
                return asyncio.run(play)
            clock = DemoClock(DEMO_START)
            script = _with_bot(url, engine, _script, SCRIPT_LIMITS, clock, chat_spacing=False)
            return asyncio.run(script)
        finally:
            engine.dispose()


Play = Callable[[RunningBot], Awaitable[int]]
Settle = Callable[[], Awaitable[None]]


async def _with_bot(
    url: str,
    engine: Engine,
    play: Play,
    limits: Limits,
    clock: Clock,
    *,
    chat_spacing: bool = True,
) -> int:
    async with running_bot(
        engine=engine, database_url=url, limits=limits, clock=clock, chat_spacing=chat_spacing
    ) as running:
        return await play(running)


async def _script(running: RunningBot) -> int:
    started = time.perf_counter()
    print("Buurtbot demo: the real bot, a local Telegram emulator and a throwaway database.")
    print(
        f"Wijk: {DEMO_WIJK}. Six neighbours join (you see Anna, Ben and Fatima do it; Karim, "
        "Lotte and Sanne join off stage), then one asks, one offers and one looks around and "
        "is put in touch about the offer; three neighbours nearby are invited for the "
        "request, the first yes is connected, and afterwards there are thank-yous; a week "
        "later one neighbour gets a digest, and Anna a word about offering something "
        "herself. Then a buurtwerker (Willem) looks at a report and makes a chart of the "
        "wijk's figures, and an organiser (Olga) announces a weekly cooking evening that "
        "Anna signs up for.\n"
        "Each bot message is shown when it arrives (→), each change to it as an edit.\n"
    )
    # Each neighbour acts only once the bot has answered the one before (as a person reads
    # first), so every message is told after what caused it and before what it causes.
    settle = functools.partial(until_idle, running)
    scene = Scene(running.emulator, narrate=print, settle=settle)
    with scene.live():
        return await _story(running, scene, settle, started)


async def until_idle(running: RunningBot, timeout: float = CHAT_IDLE_TIMEOUT) -> None:  # noqa: ASYNC109
    """Until the bot has taken every update so far and finished handling each, including the
    messages it sends for them right after (the outbox's job sends the rest later)."""
    emulator, queue = running.emulator, running.application.update_queue
    async with asyncio.timeout(timeout):
        # The emulator counts an update as taken once the bot polls again, which it does only
        # after putting it in its queue; join() returns when every queued update is handled.
        while True:
            await emulator.wait_until_idle(timeout)
            await queue.join()
            if emulator.pending_updates == 0:
                return


async def _story(running: RunningBot, scene: Scene, settle: Settle, started: float) -> int:

    # Anna answers every question: she picks her wijk and shares her location once.
    anna = scene.resident("Anna", language="nl")
    await _join(anna, "Boodschappen", "Koffie en een praatje")
    print()

    # Ben comes in through the wijk group's link and skips what he likes to skip.
    ben = scene.resident("Ben", language="en")
    await ben.sends(f"/start wijk_{DEMO_WIJK_CODE}")
    await ben.sees("Which language")
    await ben.presses("✓ English")
    await ben.sees("share your location once")
    await ben.sends("Skip")
    await ben.sees("How often may I ask")
    await ben.presses("✓ About once a month")
    await ben.sees("When would you rather not get messages?")
    await ben.presses("Keep it as it is")
    await ben.sees("What do you enjoy doing")
    await ben.presses("Done")
    await ben.sees("All done, glad you're here!")
    await ben.sends("/help")
    await ben.sees("Here is what you can do")
    print()

    # Fatima switches to Dutch, types her wijk with a typo, and changes her pace afterwards.
    fatima = scene.resident("Fatima", language="en")
    await fatima.sends("/start")
    await fatima.sees("Which language")
    await fatima.presses("Nederlands")
    await fatima.sees("In welke wijk woon je?")
    await fatima.sends("transval")
    await fatima.sees("Bedoel je een van deze wijken?")
    await fatima.presses(DEMO_WIJK)
    await fatima.sees("Wil je één keer je locatie delen?")
    await fatima.sends("Overslaan")
    await fatima.sees("Hoe vaak mag ik je vragen")
    await fatima.presses("Overslaan")
    await fatima.sees("Wanneer wil je liever geen berichten?")
    await fatima.presses("22:00–07:00")
    await fatima.sees("Wat doe je graag voor een ander?")
    await fatima.presses("Taal oefenen")
    await fatima.sees_button("✓ Taal oefenen")
    await fatima.presses("Klaar")
    await fatima.sees("Klaar, fijn dat je er bent!")
    await fatima.sends("/instellingen")
    await fatima.sees("Je instellingen")
    await fatima.presses("🔔 Hoe vaak")
    await fatima.sees_button("Eén keer")
    await fatima.presses("Eén keer")
    await fatima.sees("Hoe vaak: Eén keer")
    await fatima.presses("Klaar")
    await fatima.sees("Je instellingen zijn bewaard.")

    print()

    scene.say("(Karim, Lotte and Sanne live on Anna's street; they joined the same way.)")
    quiet = Scene(running.emulator, settle=settle)
    neighbours = [quiet.resident(name, language="nl") for name in ("Karim", "Lotte", "Sanne")]
    for person, likes in zip(neighbours, ("Boodschappen", "Koken", "Klusjes"), strict=True):
        await _join(person, likes)
    neighbours = [scene.skip_news(person) for person in neighbours]
    print()

    # Anna asks in her own words; the bot reads the category and the day from them, and
    # invites three neighbours nearby who are open to it.
    await anna.sends("/vraag")
    await anna.sees("Wat kan een buur voor je doen?")
    await anna.sends("Wie kan zaterdag mijn boodschapen doen? Mijn knie doet pijn.")
    await anna.sees("Klopt dat?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Wanneer?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Zo komt het in de buurt te staan")
    invited = await _posted_and_invited(running, scene, anna, [*neighbours, ben, fatima])
    print()

    # Ben offers something of his own.
    await ben.sends("/aanbod")
    await ben.sees("What would you like to offer?")
    await ben.sends("I have a ladder to lend, just ask")
    await ben.sees("Is that right?")
    await ben.presses("✓ Yes, that's right")
    await ben.sees("When would suit you?")
    await ben.presses("Any time")
    await ben.sees("This is how neighbours will see it")
    await ben.presses("✅ Post")
    await ben.sees("Your offer is up")
    print()

    # Fatima looks around and likes Ben's ladder; Ben hears about it and says yes, so the
    # two can arrange it through the bot (the offer stays open for others).
    await fatima.sends("/buurt")
    await fatima.sees("Open in je buurt")
    await fatima.presses("1. Spullen lenen")
    await fatima.sees_button("🤝 Interesse")
    await fatima.presses("🤝 Interesse")
    await fatima.sees("Ik laat Ben weten dat je interesse hebt.")
    await ben.sees("is interested in your offer")
    await ben.presses("Yes, put us in touch")
    await ben.sees("I pass on to Fatima")
    await fatima.sees("Ben zegt ja, graag!")
    await fatima.sends("Mag ik de ladder zaterdag even lenen?")
    await ben.sees("Mag ik de ladder zaterdag even lenen?")
    await ben.sends("Sure, I'll put it by the door on Saturday morning.")
    await fatima.sees("put it by the door")
    print()

    await _first_yes_to_thank_you(running, scene, anna, invited)
    # The ladder was lent too: Fatima thanks Ben the same way.
    await fatima.sees("Is het gelukt met Ben?")
    await fatima.presses("Ja! Bedank Ben")
    await ben.sees("Fatima says: thank you!")
    await _digest_and_giving_back(running, scene, anna, ben, [*neighbours, fatima])
    print()
    chart, willem = await _buurtwerker_scene(running, scene, fatima)
    print(f"\nThe chart from /cijfers is saved as {chart}")
    print()
    olga = await _organiser_scene(running, scene, anna)
    people = [anna, ben, fatima, *neighbours, willem, olga]
    sent = sum(len(running.emulator.messages(p.chat_id)) for p in people)
    errors = len(running.emulator.errors)
    seconds = time.perf_counter() - started
    print(
        f"\nDemo finished: {len(people)} residents, {sent} bot messages, "
        f"{errors} Bot API errors, {seconds:.1f} s."
    )
    return 0 if errors == 0 else 1


async def _organiser_scene(running: RunningBot, scene: Scene, guest: Person) -> Person:
    """Olga becomes an organiser and announces a weekly cooking evening; Anna opens it through
    its link and signs up once; Olga sees who is coming."""
    scene.say("(Olga cooks with friends for neighbours and would like to invite them.)")
    olga = scene.resident("Olga", language="nl")
    await olga.sends("/activiteit")
    await olga.sees("kan je organisator maken")
    await scene.settled()
    scene.say("(She is made an organiser of the wijk: `buurtbot role grant ... organiser`.)")
    with session_scope(running.engine) as session:
        wijk = repo.find_wijk(session, code_or_name=DEMO_WIJK)
        repo.grant_role(
            session,
            telegram_user_id=olga.user.id,
            kind=RoleKind.ORGANISER,
            wijk=wijk,
            now=datetime.now(UTC),
        )
    await olga.sends("/activiteit")
    await olga.sees("Hoe heet hij?")
    await olga.sends("Kookavond")
    await olga.sees("wat jullie gaan doen")
    await olga.sends("Samen koken en eten met buren")
    await olga.sees("Wanneer is het?")
    await olga.sends("elke donderdag om 18:00 tot half 9")
    await olga.sees("Klopt dat?")
    await olga.presses("Ja, klopt")
    await olga.sees("Waar is het?")
    await olga.sends("Buurthuis, zaal achter")
    await olga.sees("Wie mag de plek zien")
    await olga.presses("Alleen wie zich aanmeldt")
    await olga.sees("Wie kunnen er meedoen")
    await olga.sends("koks 2\ngasten 6")
    await olga.sees("Is het één keer, of vaker?")
    await olga.presses("Elke week")
    await olga.sees("Tot wanneer?")
    await olga.presses("Tot ik stop")
    await olga.sees("Zal ik het aankondigen?")
    await olga.presses("Ja, aankondigen")
    published = await olga.sees("Aangekondigd: Kookavond.")
    link = published.content.rsplit("start=", 1)[1].strip()
    await guest.sends(f"/start {link}")
    await guest.sees("de plek hoor je als je je aanmeldt")
    await guest.presses("Ik doe mee: gasten")
    await guest.sees_button("Alleen deze keer")
    await guest.presses("Alleen deze keer")
    await guest.sees("Fijn, je bent erbij!")
    await olga.sends("/mijnactiviteiten")
    await olga.sees_button("Kookavond")
    await olga.presses("Kookavond")
    await olga.sees("Elke week.")
    await olga.presses(olga.last_message().buttons[0][0])
    await olga.sees("gasten (1 van 6): Anna")
    return olga


async def _buurtwerker_scene(
    running: RunningBot, scene: Scene, reporter: Person
) -> tuple[Path, Person]:
    """Willem becomes the wijk's buurtwerker; a report reaches him, he looks at it (nothing
    wrong) and the reporter hears so; then /cijfers, whose chart is saved as a PNG file."""
    scene.say("(Willem is the buurtwerker of the Transvaalbuurt: `buurtbot role grant`.)")
    willem = scene.resident("Willem", language="nl")
    await _join(willem)
    with session_scope(running.engine) as session:
        wijk = repo.find_wijk(session, code_or_name=DEMO_WIJK)
        repo.grant_role(
            session,
            telegram_user_id=willem.user.id,
            kind=RoleKind.BUURTWERKER,
            wijk=wijk,
            now=running.application.bot_data["services"].clock(),
        )
    await reporter.presses("Meld")
    await reporter.sees("Wat is er mis met dit bericht?")
    await reporter.presses("Reclame of spam")
    await reporter.sees("De buurtwerker van je wijk kijkt ernaar")
    await willem.sees("Melding in Transvaalbuurt:")
    await willem.presses("Niets aan de hand")
    await willem.sees("Waarom?")
    await willem.sends("Een ladder uitlenen is gewoon aardig.")
    await willem.sees("Gedaan: niets aan de hand.")
    await reporter.sees("Er is naar je melding gekeken.")
    await willem.sends("/logboek")
    await willem.sees("Logboek van Transvaalbuurt")
    await willem.sends("/cijfers maand")
    shown = await willem.sees("Transvaalbuurt, de laatste 4 weken:")
    assert shown.photo is not None
    path = Path(tempfile.gettempdir()) / "buurtbot-demo-cijfers.png"
    path.write_bytes(running.emulator.world.file_bytes(shown.photo[-1]["file_id"]))
    return path, willem


async def _join(person: Person, *likes: str) -> None:
    """Onboarding in Dutch, answering every question: wijk, location, weekly, quiet hours as
    they are, and the things they like."""
    await person.sends("/start")
    await person.sees("Welke taal")
    await person.presses("✓ Nederlands")
    await person.sees("In welke wijk woon je?")
    await person.presses(DEMO_WIJK)
    await person.sees("Wil je één keer je locatie delen?")
    await person.shares_location(*DEMO_LOCATION)
    await person.sees("Hoe vaak mag ik je vragen")
    await person.presses("Ongeveer eens per week")
    await person.sees("Wanneer wil je liever geen berichten?")
    await person.presses("Zo laten")
    await person.sees("Wat doe je graag voor een ander?")
    for like in likes:
        await person.presses(like)
        await person.sees_button(f"✓ {like}")
    await person.presses("Klaar")
    await person.sees("Klaar, fijn dat je er bent!")


# The neighbours `--chat` starts with, each with what they like doing, and what two of them
# post, so that a request of yours invites someone and /buurt shows something.
CHAT_NEIGHBOURS = (("Karim", "Boodschappen"), ("Lotte", "Koken"), ("Sanne", "Klusjes"))
CHAT_POSTS = (
    ("/aanbod", "Ik kan boodschappen voor je meenemen als ik naar de markt ga."),
    ("/vraag", "Wie wil volgende week mijn plantjes water geven?"),
)


async def _chat_neighbours(running: RunningBot) -> list[Person]:
    """Karim, Lotte and Sanne join as in the script (off stage, side by side), then Karim
    offers something and Lotte asks something."""
    quiet = Scene(running.emulator)
    people = [quiet.resident(name, language="nl") for name, _ in CHAT_NEIGHBOURS]
    joins = (_join(p, likes) for p, (_, likes) in zip(people, CHAT_NEIGHBOURS, strict=True))
    await asyncio.gather(*joins)
    await asyncio.gather(
        *(_post(p, *post) for p, post in zip(people[:2], CHAT_POSTS, strict=True))
    )
    await until_idle(running)
    running.emulator.set_limits(Limits())
    space_chats(running.application)
    return people


async def _post(person: Person, command: str, text: str) -> None:
    """A request (/vraag) or an offer (/aanbod) in Dutch, as the bot reads it, any time."""
    await person.sends(command)
    await person.sees(
        _opening("nl", "posting.prompt_request" if command == "/vraag" else "posting.prompt_offer")
    )
    await person.sends(text)
    await person.sees("Klopt dat?")
    await person.presses(t("nl", "posting.button.yes"))
    await person.sees_button(t("nl", "posting.time.any"))
    await person.presses(t("nl", "posting.time.any"))
    await person.sees_button(t("nl", "posting.button.place"))
    await person.presses(t("nl", "posting.button.place"))
    posted = "posting.posted_request" if command == "/vraag" else "posting.posted_offer"
    await person.sees(_opening("nl", posted))


def _invited(running: RunningBot, person: Person) -> bool:
    language = person.user.language_code or "nl"
    button = t(language, "invite.button.yes")
    return any(m.button(button) for m in running.emulator.messages(person.chat_id))


async def _posted_and_invited(
    running: RunningBot, scene: Scene, anna: Person, everyone: list[Person]
) -> list[Person]:
    """Anna posts her request and the bot invites three neighbours nearby who are open to it.
    Who they are is told before their invitations: those are held back until the bot is done
    (the line can only be written once it has chosen)."""
    with scene.holding(everyone):
        await anna.presses("✅ Plaatsen")
        await anna.sees("Je vraag is geplaatst!")
        await running.emulator.wait_for(
            lambda: sum(_invited(running, p) for p in everyone) >= 3, what="three invitations"
        )
        await scene.settled()
        invited = [p for p in everyone if _invited(running, p)]
        scene.say("Buurtbot invites: " + ", ".join(p.name for p in invited))
        scene.say("(Nobody else sees who was invited, or who said no.)")
    return invited


async def _first_yes_to_thank_you(
    running: RunningBot, scene: Scene, anna: Person, invited: list[Person]
) -> None:
    """Anna's request reached three neighbours nearby; one says "nu even niet", one says yes,
    the third hears it is sorted. Anna agrees, they arrange it through the bot, and after
    Saturday both are asked whether it worked out."""
    no, yes, late = invited[:3]
    await no.presses(t(no.user.language_code or "nl", "invite.button.not_now"))
    await no.sees(t(no.user.language_code or "nl", "invite.not_now_thanks"))
    await yes.presses(t(yes.user.language_code or "nl", "invite.button.yes"))
    await late.sees(t(late.user.language_code or "nl", "invite.taken"))
    await anna.sees("wil graag helpen")
    await anna.presses("Ja, graag")
    await anna.sees("geef ik door aan")
    await anna.sends("Fijn! Ik woon op de hoek, nummer 12. Bel maar aan.")
    await yes.sees("nummer 12")
    await yes.sends("Top, ik kom zaterdag om 10 uur langs.")
    await anna.sees("om 10 uur")
    print()

    await scene.settled()  # the jump comes after everything before it
    clock = running.application.bot_data["services"].clock
    if isinstance(clock, DemoClock):
        clock.now = clock.now + FOLLOW_UP_JUMP
        scene.say("(It is Sunday morning now: the time of Anna's request has passed.)")
    await matching_steps(BotContext(running.application))
    await anna.sees("Is het gelukt met")
    await anna.presses(f"Ja! Bedank {first_word(yes.name)}")
    await anna.sees("laten weten dat je dankbaar bent")
    await yes.sees("Anna zegt: dank je wel!")


def _opening(language: str, key: str) -> str:
    """The first sentence of a text, to recognise the message by."""
    return t(language, key).split("{")[0].split("\n")[0].split(".")[0]


def _digest_of(running: RunningBot, person: Person) -> MessageView | None:
    opening = _opening(person.user.language_code or "nl", "nudge.digest")
    for message in running.emulator.messages(person.chat_id):
        if opening in message.content:
            return message
    return None


async def _digest_and_giving_back(
    running: RunningBot, scene: Scene, anna: Person, ben: Person, others: list[Person]
) -> None:
    """Ben asks something; a week after their last invitation, neighbours who like that kind
    of thing get one calm digest with it (no more often than their pace allows), and a "yes"
    from the digest works like one in /buurt. Anna, whose request worked out, hears a few
    days later that she could offer something herself, if she likes."""
    await ben.sends("/vraag")
    await ben.sees("What could a neighbour do for you?")
    await ben.sends("Could someone pick up my groceries? My bike is broken.")
    await ben.sees("Is that right?")
    await ben.presses("✓ Yes, that's right")
    await ben.sees("When would suit you?")
    await ben.presses("Any time")
    await ben.sees("This is how neighbours will see it")
    await ben.presses("✅ Post")
    await ben.sees("Your request is up")
    print()

    await scene.settled()  # the jump comes after everything before it
    clock = running.application.bot_data["services"].clock
    if isinstance(clock, DemoClock):
        clock.now = clock.now + RECIPROCITY_JUMP
        scene.say("(Five days later, a Friday morning: a week since the first invitations.)")
    context = BotContext(running.application)
    await run_nudges(context)
    await send_due_messages(context)
    await running.emulator.wait_for(
        lambda: any(_digest_of(running, p) is not None for p in others), what="a digest"
    )
    reader = next(p for p in others if _digest_of(running, p) is not None)
    scene.tell_news(reader)
    scene.say("(A digest counts as one ask: nobody gets more than their pace allows.)")
    digest = _digest_of(running, reader)
    assert digest is not None
    label = t(reader.user.language_code or "nl", "nudge.digest.button", text="").strip()
    button = next(b for row in digest.buttons for b in row if b.startswith(label))
    await reader.presses(button)
    await ben.sees("would like to help")
    print()

    await anna.sees("Fijn dat het gelukt is")
    await anna.presses(t("nl", "nudge.reciprocity.button"))
    await anna.sees("Wat wil je aanbieden?")


async def _chat(running: RunningBot) -> int:
    print("Buurtbot chat demo. You are 'Buurtbewoner' in a private chat with the bot.")
    print("Type a message or a command (/start, /help, /taal); type a number to press a button;")
    print(f"type {LOCATION_SHORTCUT} or /locatie 52.35,4.92 to share a location (like the")
    print("keyboard's location button); an empty line, Ctrl-D or Ctrl-C ends the demo.")
    print(
        f"Your neighbours in {DEMO_WIJK}, Karim, Lotte and Sanne, are joining: Karim offers "
        "to bring groceries, Lotte asks who waters her plants (/buurt shows both once you "
        "have joined; a request of yours can invite them).",
        flush=True,
    )
    await _chat_neighbours(running)
    print()
    scene = Scene(running.emulator)
    you = scene.resident("Buurtbewoner", language="nl")
    shown: dict[int, int] = {}

    def arrived(chats: set[int]) -> None:
        if you.chat_id in chats:
            _print_news(running, you, shown)

    # Each message is printed the moment it arrives, each edit as an edit.
    with running.emulator.world.notifier.listening(arrived):
        try:
            return await _chat_lines(running, you)
        except asyncio.CancelledError:  # Ctrl-C: asyncio.run cancels us, then stops
            print("\n" + goodbye(running, you))
            raise


async def _chat_lines(running: RunningBot, you: Person) -> int:
    """Act on each typed line until an empty one or the end of the input."""
    while True:
        try:
            line = (await read_line("> ")).strip()
        except EOFError:
            line = ""
        if not sys.stdin.isatty():
            print(line)  # piped input: show what "you" typed, as a terminal would
        if not line:
            print(goodbye(running, you))
            return 0
        before = _snapshot(running, you)
        if not await _act(running, you, line):
            continue
        # Read the next line only once the bot is idle, so piped input works.
        if not await _replied(running, you, before):
            print("(no reply)")


def goodbye(running: RunningBot, you: Person) -> str:
    """The last line, in the language the bot speaks with you (the one you chose, if any)."""
    with session_scope(running.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=you.user.id)
        language = (
            resident.language
            if resident is not None
            else normalise_language(you.user.language_code)
        )
    return t(language, "demo.goodbye")


async def _act(running: RunningBot, you: Person, line: str) -> bool:
    """Do what the typed line means on a phone: press a numbered button, share a location,
    or send the text (in parts over Telegram's 4096 characters, as its apps do)."""
    if line.isdigit():
        return await press_numbered(you, int(line))
    location = _location_in(running, you, line)
    if location is not None:
        if isinstance(location, str):
            print(location, file=sys.stderr)
            return False
        await running.emulator.send_location(you.user, *location)
        return True
    parts = [line[start : start + MAX_TEXT] for start in range(0, len(line), MAX_TEXT)]
    if len(parts) > 1:
        print(
            f"(That is {len(line)} characters; Telegram allows {MAX_TEXT} per message, so your "
            f"app would send it as {len(parts)} messages. Sending it like that.)"
        )
    for part in parts:
        await running.emulator.send_text(you.user, part)
    return True


def _location_in(running: RunningBot, you: Person, line: str) -> tuple[float, float] | str | None:
    """The location a line shares: 📍 (or the keyboard's location button) shares the demo's
    spot in the wijk, "/locatie lat,lon" a spot of your own; a string says what is wrong."""
    if line == LOCATION_SHORTCUT or line in _location_buttons(running, you):
        return DEMO_LOCATION
    command, _, rest = line.partition(" ")
    if command.lower() not in ("/locatie", "/location"):
        return None
    if not rest.strip():
        return DEMO_LOCATION
    try:
        latitude, longitude = (float(part) for part in rest.replace(" ", "").split(","))
    except ValueError:
        return "(type /locatie followed by latitude,longitude, like /locatie 52.35,4.92)"
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return "(that is not a place on earth: latitude -90..90, longitude -180..180)"
    return latitude, longitude


def _location_buttons(running: RunningBot, you: Person) -> list[str]:
    keyboard = _open_keyboard(running, you)
    return [] if keyboard is None else location_buttons(keyboard)


def _open_keyboard(running: RunningBot, you: Person) -> MessageView | None:
    """The newest bot message that opened or closed a reply keyboard, if it opened one."""
    for message in reversed(running.emulator.messages(you.chat_id)):
        if message.from_bot and message.reply_keyboard is not None:
            return None if closes_keyboard(message) else message
    return None


async def _replied(running: RunningBot, person: Person, before: object) -> bool:
    """Wait for the bot's answer, which may be several messages and edits: until the bot has
    taken the update, finished handling it and the chat stayed unchanged for
    CHAT_SETTLE_SECONDS. False if nothing changed in the chat."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CHAT_IDLE_TIMEOUT
    last = _snapshot(running, person)
    quiet_since = loop.time()
    while loop.time() < deadline:
        await asyncio.sleep(CHAT_POLL_SECONDS)
        now = _snapshot(running, person)
        if now != last or not _bot_idle(running):
            last, quiet_since = now, loop.time()
        elif loop.time() - quiet_since >= CHAT_SETTLE_SECONDS and (
            now != before or loop.time() - quiet_since >= CHAT_REPLY_TIMEOUT
        ):
            break
    return _snapshot(running, person) != before


def _bot_idle(running: RunningBot) -> bool:
    """No update waiting at the emulator, in the bot's queue, or being handled."""
    application = running.application
    return (
        running.emulator.pending_updates == 0
        and application.update_queue.empty()
        and application.update_processor.current_concurrent_updates == 0
    )


def _snapshot(running: RunningBot, person: Person) -> list[tuple[int, int, bool]]:
    return [
        (m.message_id, m.edit_count, m.deleted) for m in running.emulator.messages(person.chat_id)
    ]


def _print_news(running: RunningBot, person: Person, shown: dict[int, int]) -> None:
    for message in running.emulator.messages(person.chat_id):
        if not message.from_bot or shown.get(message.message_id) == message.edit_count:
            continue
        if message.deleted:
            if message.message_id in shown:
                print("(Buurtbot removed a message)")
                del shown[message.message_id]
            continue
        edited = message.message_id in shown
        shown[message.message_id] = message.edit_count
        print(chat_view(running, message, edited))


def chat_view(running: RunningBot, message: MessageView, edited: bool) -> str:
    """A bot message as the chat demo prints it: text, numbered buttons, a file (saved, so
    it can be opened), and the reply keyboard that replaces the phone's keyboard."""
    text = message.content or ""
    if message.photo:
        text = f"[photo] {text}"
    lines = [f"Buurtbot{' (edited)' if edited else ''}: {text}"]
    if message.document:
        path = Path(tempfile.gettempdir()) / f"buurtbot-demo-{message.document.get('file_name')}"
        path.write_bytes(running.emulator.world.file_bytes(message.document["file_id"]))
        lines.append(f"   📎 {describe_file(message.document)}, saved as {path}")
    labels = [label for row in message.buttons for label in row]
    for number, label in button_numbers(labels):
        # Buttons that carry their own number ("6. Tuin") are not numbered twice.
        lines.append(f"   {label}" if own_number(label) == number else f"   {number}. {label}")
    keyboard = keyboard_labels(message)
    if keyboard:
        shown = "  ".join(f"[{label}]" for label in keyboard)
        lines.append(f"   keyboard: {shown}  (type a button's text, or {LOCATION_SHORTCUT})")
    elif closes_keyboard(message):
        lines.append("   (keyboard closed)")
    return "\n".join(lines)


def own_number(label: str) -> int | None:
    """The number a button carries itself ("6. Tuin" on page 2 of /buurt), if any."""
    head, dot, _ = label.partition(". ")
    return int(head) if dot and head.isdigit() else None


def button_numbers(labels: list[str]) -> list[tuple[int, str]]:
    """The number to type for each button: its own number where it carries one, the others
    counted on after the highest of those ("6. Tuin", then "7. ◀ Vorige"), so numbers never
    repeat on a message."""
    own = [n for n in map(own_number, labels) if n is not None]
    numbered, free = [], max(own, default=0) + 1
    for label in labels:
        number = own_number(label)
        if number is None:
            number, free = free, free + 1
        numbered.append((number, label))
    return numbered


async def press_numbered(person: Person, number: int) -> bool:
    message = person.emulator.last_message(person.chat_id)
    labels = [label for row in message.buttons for label in row] if message else []
    chosen = [label for n, label in button_numbers(labels) if n == number]
    if not chosen:
        print("(no button with that number on the last message)", file=sys.stderr)
        return False
    await person.presses(chosen[0])
    return True
