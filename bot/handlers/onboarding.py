"""/start: a new neighbour's first few questions, one per message, each one skippable.

Steps, in order: language, wijk (left out when a join link set it already), area, pace, quiet
hours (left out for "never"), things they like doing; then a summary and the main menu. Every
answer is stored at once, so stopping halfway loses nothing, and /instellingen changes it later.

Deep links: `/start wijk_<code>` joins that wijk (newcomers on their way into onboarding,
others at once, or after a yes when it means switching); `/start event_<id>` is kept for
activities, which are not there yet. Someone who finished onboarding gets a short welcome back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlmodel import Session
from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardRemove, Update, User
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import BotApplication, BotContext, Services, language_for
from bot.dialog import DialogRouter, DialogState, clear_state, load_state, save_state
from bot.handlers import preferences as prefs
from bot.i18n import normalise_language, t
from bot.keyboards import main_menu_keyboard
from matching.area import area_cell
from storage import repo, residents
from storage.db import session_scope
from storage.models import Pace, Resident, Wijk

FLOW: Final = "onboarding"
PREFIX: Final = "ob:"
SKIP: Final = "skip"
DONE: Final = "done"
# The questions in order; the language one comes with the welcome.
STEPS: Final = ("lang", "wijk", "area", "pace", "quiet", "likes")
# The button value that goes on without changing anything, per step that has one. (The area
# question is skipped with a reply-keyboard button, which sends text; see on_text.)
SKIPS: Final = {"wijk": SKIP, "pace": SKIP, "quiet": SKIP, "likes": DONE}
WIJK_LINK: Final = "wijk_"
EVENT_LINK: Final = "event_"


@dataclass(frozen=True)
class StartLink:
    """What a deep link asked for: kind "wijk" (value: code), "event" (value: id) or None."""

    kind: str | None = None
    value: str = ""


def parse_start_link(args: list[str] | None) -> StartLink:
    payload = args[0] if args else ""
    for kind, marker in (("wijk", WIJK_LINK), ("event", EVENT_LINK)):
        if payload.startswith(marker) and len(payload) > len(marker):
            return StartLink(kind, payload.removeprefix(marker))
    return StartLink()


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("start", start, filters=private))
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{PREFIX}"))
    router.on_text(FLOW, on_text)
    router.on_location(FLOW, on_location)


# --- /start ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Arrival:
    """What /start found out about the person and their link, in one transaction."""

    language: str
    onboarded: bool
    came_back: bool
    current_wijk: Wijk | None
    link_wijk: Wijk | None
    unknown_wijk_link: bool


async def start(update: Update, context: BotContext) -> None:
    """Welcome the person: the first question for newcomers, a short welcome back for others."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = context.services
    link = parse_start_link(context.args)
    arrival = _arrive(services, user, link)
    language = arrival.language
    if link.kind == "event":
        await message.reply_text(t(language, "onboarding.events_soon"))
    if arrival.unknown_wijk_link:
        key = "onboarding.unknown_link_later" if arrival.onboarded else "onboarding.unknown_link"
        await message.reply_text(t(language, key))
    if not arrival.onboarded:
        await _welcome_newcomer(context, message, user.first_name, arrival)
    elif arrival.link_wijk is not None:
        await _offer_link_wijk(context, message, user.id, arrival, arrival.link_wijk)
    else:
        key = "onboarding.returned" if arrival.came_back else "onboarding.welcome_back"
        await message.reply_text(
            t(language, key, name=user.first_name), reply_markup=main_menu_keyboard(language)
        )


def _arrive(services: Services, user: User, link: StartLink) -> _Arrival:
    """Create or find the resident, bring them back from /stop, look up their link's wijk,
    and drop any half-done dialog (a command always wins): one transaction."""
    now = services.clock()
    app_language = normalise_language(user.language_code, services.settings.default_language)
    with session_scope(services.engine) as session:
        repo.clear_chat_state(session, chat_id=user.id)
        resident = repo.ensure_resident(
            session,
            telegram_user_id=user.id,
            first_name=user.first_name,
            language=app_language,
            now=now,
        )
        came_back = residents.come_back(session, resident=resident, now=now)
        link_wijk = None
        if link.kind == "wijk":
            link_wijk = residents.wijk_by_code(session, code=link.value)
        if link_wijk is not None and not resident.onboarded:
            # A newcomer who came through the wijk group's link clearly belongs there.
            residents.set_wijk(session, resident=resident, wijk=link_wijk, now=now)
        return _Arrival(
            language=resident.language,
            onboarded=resident.onboarded,
            came_back=came_back,
            current_wijk=residents.resident_wijk(session, resident=resident),
            link_wijk=link_wijk,
            unknown_wijk_link=link.kind == "wijk" and link_wijk is None,
        )


async def _welcome_newcomer(
    context: BotContext, message: Message, first_name: str, arrival: _Arrival
) -> None:
    language, wijk = arrival.language, arrival.link_wijk
    if wijk is not None:
        text = t(language, "onboarding.welcome_wijk", name=first_name, wijk=wijk.name)
    else:
        text = t(language, "start.welcome", name=first_name)
    rows = prefs.language_rows(PREFIX, language)
    sent = await message.reply_text(text, reply_markup=prefs.keyboard(rows))
    _at_step(context.services, sent, "lang")


async def _offer_link_wijk(
    context: BotContext, message: Message, user_id: int, arrival: _Arrival, wijk: Wijk
) -> None:
    """Someone who finished onboarding tapped a wijk link: join it, or ask before switching."""
    language, current = arrival.language, arrival.current_wijk
    if current is not None and current.id == wijk.id:
        await message.reply_text(
            t(language, "onboarding.wijk_already", wijk=wijk.name),
            reply_markup=main_menu_keyboard(language),
        )
        return
    if current is None:
        with session_scope(context.services.engine) as session:
            resident = repo.find_resident(session, telegram_user_id=user_id)
            assert resident is not None, "_arrive created them"
            residents.set_wijk(session, resident=resident, wijk=wijk, now=context.services.clock())
        await message.reply_text(
            t(language, "onboarding.wijk_joined", wijk=wijk.name),
            reply_markup=main_menu_keyboard(language),
        )
        return
    rows = [
        [prefs.button(t(language, "onboarding.wijk_switch_yes"), f"{PREFIX}switch:yes")],
        [prefs.button(t(language, "onboarding.wijk_switch_no"), f"{PREFIX}switch:no")],
    ]
    sent = await message.reply_text(
        t(language, "onboarding.wijk_switch_question", current=current.name, wijk=wijk.name),
        reply_markup=prefs.keyboard(rows),
    )
    _at_step(context.services, sent, "switch", wijk_id=wijk.id)


def _at_step(services: Services, sent: Message, step: str, **data: object) -> None:
    """Remember that the chat now waits for an answer to `step`, asked in message `sent`."""
    state = DialogState(FLOW, step, {"message_id": sent.message_id, **data})
    save_state(services, sent.chat_id, state)


# --- asking ----------------------------------------------------------------------------------


def _load(services: Services, user_id: int) -> tuple[Resident | None, list[Wijk]]:
    with session_scope(services.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=user_id)
        return resident, repo.list_wijken(session)


def _next_step(after: str, resident: Resident, wijken: list[Wijk]) -> str | None:
    for step in STEPS[STEPS.index(after) + 1 :]:
        if step == "wijk" and (resident.wijk_id is not None or not wijken):
            continue
        if step == "quiet" and resident.pace == Pace.NEVER.value:
            continue  # nobody will ask them anything, so there is no time to keep quiet
        return step
    return None


async def _ask_next(context: BotContext, chat_id: int, after: str) -> None:
    """Send the question after `after`, or the summary when all were asked."""
    resident, wijken = _load(context.services, chat_id)
    if resident is None:
        return  # they deleted their data in the meantime
    language = resident.language
    if after == "lang" and resident.wijk_id is None and not wijken:
        await context.bot.send_message(chat_id, t(language, "onboarding.no_wijken"))
    step = _next_step(after, resident, wijken)
    if step is None:
        await _finish(context, chat_id)
        return
    if step == "area":
        sent = await context.bot.send_message(
            chat_id,
            t(language, "pref.area.question"),
            reply_markup=prefs.location_keyboard(language, t(language, "pref.skip")),
        )
    else:
        text, markup = _question(step, resident, wijken)
        sent = await context.bot.send_message(chat_id, text, reply_markup=markup)
    _at_step(context.services, sent, step)


def _question(
    step: str, resident: Resident, wijken: list[Wijk]
) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons of a question answered with buttons."""
    language = resident.language
    skip = [[prefs.button(t(language, "pref.skip"), f"{PREFIX}{step}:{SKIP}")]]
    if step == "wijk":
        if len(wijken) > prefs.WIJK_BUTTONS_MAX:
            return t(language, "pref.wijk.question_type"), prefs.keyboard(skip)
        rows = prefs.wijk_rows(PREFIX, wijken, resident.wijk_id)
        return t(language, "pref.wijk.question_buttons"), prefs.keyboard(rows, skip)
    if step == "pace":
        rows = prefs.pace_rows(PREFIX, language, resident.pace)
        return t(language, "pref.pace.question"), prefs.keyboard(rows, skip)
    if step == "quiet":
        quiet = prefs.current_quiet(resident)
        keep = [[prefs.button(t(language, "pref.quiet.keep"), f"{PREFIX}quiet:{SKIP}")]]
        text = t(language, "pref.quiet.question", quiet=prefs.quiet_label(quiet))
        return text, prefs.keyboard(prefs.quiet_rows(PREFIX, quiet), keep)
    return t(language, "pref.likes.question"), _likes_keyboard(resident)


def _likes_keyboard(resident: Resident) -> InlineKeyboardMarkup:
    language = resident.language
    done = [[prefs.button(t(language, "pref.likes.done"), f"{PREFIX}likes:{DONE}")]]
    return prefs.keyboard(prefs.likes_rows(PREFIX, language, resident.likes), done)


async def _finish(context: BotContext, chat_id: int) -> None:
    services = context.services
    with session_scope(services.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=chat_id)
        if resident is None:
            return
        residents.mark_onboarded(session, resident=resident, now=services.clock())
        wijk = residents.resident_wijk(session, resident=resident)
    clear_state(services, chat_id)
    language = resident.language
    overview = prefs.summary(language, resident, None if wijk is None else wijk.name)
    await context.bot.send_message(
        chat_id,
        t(language, "onboarding.done", summary=overview),
        reply_markup=main_menu_keyboard(language),
    )


# --- answers by button -----------------------------------------------------------------------


async def on_button(update: Update, context: BotContext) -> None:
    """Store the answer a button carries, after checking it answers the current question."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    user_id = query.from_user.id
    parsed = prefs.split_callback(query.data, PREFIX)
    answer = None
    if parsed is not None:
        state = load_state(services, user_id)
        if prefs.is_current_press(state, FLOW, parsed[0], query):
            assert state is not None
            answer = _store_answer(services, user_id, *parsed, state)
    if parsed is None or answer is None:
        await query.answer(t(language_for(services, query.from_user), "error.stale_button"))
        return
    step, value = parsed
    if step == "likes" and value != DONE:
        resident, _ = _load(services, user_id)
        assert resident is not None, "the answer was just stored for them"
        await query.answer()
        await query.edit_message_reply_markup(_likes_keyboard(resident))
        return
    await prefs.show_answer(query, answer)
    if step != "switch":
        await _ask_next(context, user_id, step)
        return
    clear_state(services, user_id)
    language = language_for(services, query.from_user)
    await context.bot.send_message(
        user_id, t(language, "onboarding.what_next"), reply_markup=main_menu_keyboard(language)
    )


def _store_answer(
    services: Services, user_id: int, step: str, value: str, state: DialogState
) -> str | None:
    """Store one answer; the words to show as the answer (plain text), None when invalid."""
    now = services.clock()
    with session_scope(services.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=user_id)
        if resident is None:
            return None
        if step == "switch":
            return _answer_switch(session, resident, value, state, now)
        skipped = SKIPS.get(step) == value
        if not skipped and not prefs.apply_choice(
            session, resident=resident, step=step, value=value, now=now
        ):
            return None
        language = resident.language
        if step == "lang":
            return t(language, "language.name")
        if step == "wijk" and not skipped:
            wijk = residents.resident_wijk(session, resident=resident)
            assert wijk is not None, "apply_choice just joined it"
            return wijk.name
        if step == "pace":
            return prefs.pace_label(language, resident.pace)
        if step == "quiet":
            return prefs.quiet_label(prefs.current_quiet(resident))
        if step == "likes":
            return prefs.likes_text(language, resident.likes) or t(language, "pref.skipped")
        return t(language, "pref.skipped")


def _answer_switch(
    session: Session, resident: Resident, value: str, state: DialogState, now: datetime
) -> str | None:
    """Yes moves the person to the wijk their link named (if it still exists); no keeps theirs."""
    language = resident.language
    wijk_id = state.data.get("wijk_id")
    if value == "yes" and isinstance(wijk_id, int):
        wijk = residents.wijk_by_id(session, wijk_id=wijk_id)
        if wijk is None:
            return None
        residents.set_wijk(session, resident=resident, wijk=wijk, now=now)
        return t(language, "onboarding.wijk_switch_yes")
    if value == "no":
        return t(language, "onboarding.wijk_switch_no")
    return None


# --- answers by typing or sharing a location -------------------------------------------------


async def on_text(update: Update, context: BotContext, state: DialogState) -> None:
    """Typed text: a wijk name to look up, "skip" under the location question, else a hint."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    language = language_for(context.services, update.effective_user)
    if state.step == "wijk":
        await _search_wijk(context, message, message.text)
    elif state.step == "area" and prefs.is_label(message.text, "pref.skip"):
        await message.reply_text(t(language, "pref.skipped"), reply_markup=ReplyKeyboardRemove())
        await _ask_next(context, message.chat_id, "area")
    elif state.step == "area":
        await message.reply_text(t(language, "pref.area.use_button"))
    else:
        await message.reply_text(t(language, "onboarding.use_buttons"))


async def _search_wijk(context: BotContext, message: Message, typed: str) -> None:
    """Offer the wijken the typed name could mean, or say kindly that none looks like it."""
    resident, wijken = _load(context.services, message.chat_id)
    if resident is None:
        return
    text, rows = prefs.search_results(resident.language, PREFIX, typed, wijken, resident.wijk_id)
    skip = [[prefs.button(t(resident.language, "pref.skip"), f"{PREFIX}wijk:{SKIP}")]]
    sent = await message.reply_text(text, reply_markup=prefs.keyboard(rows, skip))
    _at_step(context.services, sent, "wijk")


async def on_location(update: Update, context: BotContext, state: DialogState) -> None:
    """A location shared under the area question: keep only its coarse cell, never the point."""
    message = update.effective_message
    if message is None or message.location is None:
        return
    services = context.services
    language = language_for(services, update.effective_user)
    if state.step != "area":
        await message.reply_text(t(language, "onboarding.use_buttons"))
        return
    cell = area_cell(message.location.latitude, message.location.longitude)
    with session_scope(services.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=message.chat_id)
        if resident is None:
            return
        residents.set_area_cell(session, resident=resident, area_cell=cell, now=services.clock())
    await message.reply_text(t(language, "pref.area.saved"), reply_markup=ReplyKeyboardRemove())
    await _ask_next(context, message.chat_id, "area")
