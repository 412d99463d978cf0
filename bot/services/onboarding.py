"""/start: a new neighbour's first few questions, one per message, each one skippable.

Steps, in order: language, wijk (left out when a join link set it already), area, pace, quiet
hours (left out for "never"), things they like doing; then a summary and the main menu. Every
answer is stored at once, so stopping halfway loses nothing, and /instellingen changes it later.

Deep links: `/start wijk_<code>` joins that wijk (newcomers on their way into onboarding,
others at once, or after a yes when it means switching); `/start act_<id>` shows that
activity's card (bot/services/activities.py) before the welcome. Someone who finished
onboarding gets a short welcome back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot import callbacks
from bot.i18n import t
from bot.services import activities, buttons
from bot.services import preferences as prefs
from bot.services.dialogs import DialogData, DialogState, OnboardingData
from bot.services.markup import Keyboard, Screen
from bot.services.preferences import Outcome, Reply
from bot.services.unit import Incoming, Unit
from matching.area import area_cell
from storage import repo, residents
from storage.models import Pace, PostKind, Resident, Wijk

FLOW: Final = "onboarding"
ACTION: Final = callbacks.ONBOARDING
SKIP: Final = "skip"
DONE: Final = "done"
SWITCH: Final = "switch"
# The questions in order; the language one comes with the welcome.
STEPS: Final = ("lang", "wijk", "area", "pace", "quiet", "likes")
# The button value that goes on without changing anything, per step that has one. (The area
# question is skipped with a reply-keyboard button, which sends text; see answer_text.)
SKIPS: Final = {"wijk": SKIP, "pace": SKIP, "quiet": SKIP, "likes": DONE}
WIJK_LINK: Final = "wijk_"
ACTIVITY_LINK: Final = "act_"


@dataclass(frozen=True)
class StartLink:
    """What a deep link asked for: kind "wijk" (value: code), "activity" (value: id) or None."""

    kind: str | None = None
    value: str = ""


def parse_start_link(args: list[str] | None) -> StartLink:
    payload = args[0] if args else ""
    for kind, marker in (("wijk", WIJK_LINK), ("activity", ACTIVITY_LINK)):
        if payload.startswith(marker) and len(payload) > len(marker):
            return StartLink(kind, payload.removeprefix(marker))
    return StartLink()


def activity_card(unit: Unit, raw_id: str) -> Screen:
    activity_id = activities.activity_id_of_link(raw_id)
    if activity_id is None:
        return Screen(t(unit.language, "act.gone"))
    return activities.show(unit, activity_id)


# --- /start ----------------------------------------------------------------------------------


def start(unit: Unit, link: StartLink) -> Outcome:
    """Create or find the resident, bring them back from /stop, drop any half-done dialog (a
    command always wins), then welcome them: the first question for newcomers, a short welcome
    back (or the link's wijk) for others."""
    assert unit.caller is not None
    unit.clear_dialog()
    resident = unit.resident or repo.ensure_resident(
        unit.session,
        telegram_user_id=unit.caller.user_id,
        first_name=unit.caller.first_name,
        language=unit.language,
        now=unit.now,
    )
    came_back = residents.come_back(unit.session, resident=resident, now=unit.now)
    link_wijk = None
    if link.kind == "wijk":
        link_wijk = residents.wijk_by_code(unit.session, code=link.value)
    language, name = resident.language, unit.caller.first_name
    notes = []
    if link.kind == "activity":
        unit.resident = resident
        card = activity_card(unit, link.value)
        notes.append(Reply(card.text, card.keyboard))
    if link.kind == "wijk" and link_wijk is None:
        later = (
            "onboarding.unknown_link_later" if resident.onboarded else "onboarding.unknown_link"
        )
        notes.append(Reply(t(language, later)))
    if not resident.onboarded:
        welcome = _welcome_newcomer(unit, resident, name, link_wijk)
    elif link_wijk is not None:
        welcome = _offer_link_wijk(unit, resident, link_wijk)
    else:
        key = "onboarding.returned" if came_back else "onboarding.welcome_back"
        welcome = Reply(t(language, key, name=name), buttons.main_menu(language))
    return Outcome(language, replies=(*notes, welcome))


def _welcome_newcomer(unit: Unit, resident: Resident, name: str, wijk: Wijk | None) -> Reply:
    language = resident.language
    if wijk is not None:
        # A newcomer who came through the wijk group's link clearly belongs there.
        residents.set_wijk(unit.session, resident=resident, wijk=wijk, now=unit.now)
        text = t(language, "onboarding.welcome_wijk", name=name, wijk=wijk.name)
    else:
        text = t(language, "start.welcome", name=name)
    unit.set_dialog(FLOW, "lang", OnboardingData())
    return Reply(text, prefs.language_rows(ACTION, language), drives_dialog=True)


def _offer_link_wijk(unit: Unit, resident: Resident, wijk: Wijk) -> Reply:
    """Someone who finished onboarding tapped a wijk link: join it, or ask before switching."""
    language = resident.language
    current = residents.resident_wijk(unit.session, resident=resident)
    if current is not None and current.id == wijk.id:
        text = t(language, "onboarding.wijk_already", wijk=wijk.name)
        return Reply(text, buttons.main_menu(language))
    if current is None:
        residents.set_wijk(unit.session, resident=resident, wijk=wijk, now=unit.now)
        text = t(language, "onboarding.wijk_joined", wijk=wijk.name)
        return Reply(text, buttons.main_menu(language))
    rows = (
        *prefs.one_button(t(language, "onboarding.wijk_switch_yes"), ACTION(SWITCH, "yes")),
        *prefs.one_button(t(language, "onboarding.wijk_switch_no"), ACTION(SWITCH, "no")),
    )
    unit.set_dialog(FLOW, SWITCH, OnboardingData(wijk_id=wijk.id))
    text = t(language, "onboarding.wijk_switch_question", current=current.name, wijk=wijk.name)
    return Reply(text, rows, drives_dialog=True)


# --- asking ----------------------------------------------------------------------------------


def _next_step(after: str, resident: Resident, wijken: list[Wijk]) -> str | None:
    for step in STEPS[STEPS.index(after) + 1 :]:
        if step == "wijk" and (resident.wijk_id is not None or not wijken):
            continue
        if step == "quiet" and resident.pace == Pace.NEVER.value:
            continue  # nobody will ask them anything, so there is no time to keep quiet
        return step
    return None


def _ask_next(unit: Unit, resident: Resident, after: str) -> tuple[Reply, ...]:
    """The question after `after` (the dialog now waits for it), or the summary at the end."""
    language = resident.language
    wijken = repo.list_wijken(unit.session)
    notes: tuple[Reply, ...] = ()
    if after == "lang" and resident.wijk_id is None and not wijken:
        notes = (Reply(t(language, "onboarding.no_wijken")),)
    step = _next_step(after, resident, wijken)
    if step is None:
        return (*notes, _finish(unit, resident))
    unit.set_dialog(FLOW, step, OnboardingData())
    if step == "area":
        question = Reply(
            t(language, "pref.area.question"),
            location_prompt=t(language, "pref.skip"),
            drives_dialog=True,
        )
    else:
        text, rows = _question(step, resident, wijken)
        question = Reply(text, rows, drives_dialog=True)
    return (*notes, question)


def ask_wijk_first(unit: Unit, resident: Resident, then: str) -> tuple[str, Keyboard] | None:
    """/vraag or /aanbod before someone has a wijk: the wijk question (the onboarding dialog
    waits for it), remembering what they wanted to do next; None when there is no wijk yet."""
    wijken = repo.list_wijken(unit.session)
    if not wijken:
        return None
    unit.set_dialog(FLOW, "wijk", OnboardingData(then=then))
    return _question("wijk", resident, wijken)


def _then(state: DialogState[DialogData] | None) -> str | None:
    data = None if state is None else state.data
    return data.then if isinstance(data, OnboardingData) else None


def _skip_row(language: str, step: str) -> Keyboard:
    return prefs.one_button(t(language, "pref.skip"), ACTION(step, SKIP))


def _question(step: str, resident: Resident, wijken: list[Wijk]) -> tuple[str, Keyboard]:
    """The text and buttons of a question answered with buttons."""
    language = resident.language
    skip = _skip_row(language, step)
    if step == "wijk":
        if len(wijken) > prefs.WIJK_BUTTONS_MAX:
            return t(language, "pref.wijk.question_type"), skip
        rows = prefs.wijk_rows(ACTION, wijken, resident.wijk_id)
        return t(language, "pref.wijk.question_buttons"), (*rows, *skip)
    if step == "pace":
        rows = prefs.pace_rows(ACTION, language, resident.pace)
        return t(language, "pref.pace.question"), (*rows, *skip)
    if step == "quiet":
        quiet = prefs.current_quiet(resident)
        keep = prefs.one_button(t(language, "pref.quiet.keep"), ACTION("quiet", SKIP))
        text = t(language, "pref.quiet.question", quiet=prefs.quiet_label(quiet))
        return text, (*prefs.quiet_rows(ACTION, quiet), *keep)
    return t(language, "pref.likes.question"), _likes_keyboard(resident)


def _likes_keyboard(resident: Resident) -> Keyboard:
    language = resident.language
    done = prefs.one_button(t(language, "pref.likes.done"), ACTION("likes", DONE))
    return (*prefs.likes_rows(ACTION, language, resident.likes), *done)


def _finish(unit: Unit, resident: Resident) -> Reply:
    residents.mark_onboarded(unit.session, resident=resident, now=unit.now)
    unit.clear_dialog()
    wijk = residents.resident_wijk(unit.session, resident=resident)
    language = resident.language
    overview = prefs.summary(language, resident, None if wijk is None else wijk.name)
    return Reply(t(language, "onboarding.done", summary=overview), buttons.main_menu(language))


# --- answers by button -----------------------------------------------------------------------


def press(unit: Unit, step: str, value: str, message_id: int | None) -> Outcome:
    """Store the answer a button carries, after checking it answers the current question on
    that very message (`message_id`: the pressed message, None when not in the person's chat)."""
    state, resident = unit.state(FLOW), unit.resident
    if resident is None or not prefs.is_current(state, step, message_id):
        return Outcome(unit.language, stale=True)
    assert state is not None
    if step == SWITCH:
        return _answer_switch(unit, resident, value, state)
    skipped = SKIPS.get(step) == value
    if not skipped and not prefs.apply_choice(
        unit.session, resident=resident, step=step, value=value, now=unit.now
    ):
        return Outcome(unit.language, stale=True)
    language = resident.language
    if step == "likes" and not skipped:
        return Outcome(language, new_buttons=_likes_keyboard(resident))
    answered = _answer_words(unit, resident, step, skipped)
    then = _then(state)
    if step == "wijk" and not skipped and then is not None:
        return Outcome(language, answered=answered, replies=(_go_on_with(unit, then),))
    return Outcome(language, answered=answered, replies=_ask_next(unit, resident, step))


def _go_on_with(unit: Unit, then: str) -> Reply:
    """The wijk is chosen: on to the request or offer they wanted to write."""
    from bot.services import posting  # posting asks for the wijk through this module

    unit.clear_dialog()
    screen = posting.start_draft(unit, PostKind(then))
    return Reply(screen.text, screen.keyboard)


def _answer_words(unit: Unit, resident: Resident, step: str, skipped: bool) -> str:
    """The stored answer in words (plain text), shown under its question."""
    language = resident.language
    if step == "lang":
        return t(language, "language.name")
    if step == "wijk" and not skipped:
        wijk = residents.resident_wijk(unit.session, resident=resident)
        assert wijk is not None, "apply_choice just joined it"
        return wijk.name
    if step == "pace":
        return prefs.pace_label(language, resident.pace)
    if step == "quiet":
        return prefs.quiet_label(prefs.current_quiet(resident))
    if step == "likes":
        # "Done" (the only way on) with nothing chosen is an answer, not a skip.
        return prefs.likes_text(language, resident.likes) or t(language, "pref.likes_none")
    return t(language, "pref.skipped")


def _answer_switch(
    unit: Unit, resident: Resident, value: str, state: DialogState[DialogData]
) -> Outcome:
    """Yes moves the person to the wijk their link named (if it still exists); no keeps theirs."""
    language = resident.language
    wijk_id = state.data.wijk_id if isinstance(state.data, OnboardingData) else None
    if value == "yes" and wijk_id is not None:
        wijk = residents.wijk_by_id(unit.session, wijk_id=wijk_id)
        if wijk is None:
            return Outcome(language, stale=True)
        residents.set_wijk(unit.session, resident=resident, wijk=wijk, now=unit.now)
        answered = t(language, "onboarding.wijk_switch_yes")
    elif value == "no":
        answered = t(language, "onboarding.wijk_switch_no")
    else:
        return Outcome(language, stale=True)
    unit.clear_dialog()
    what_next = Reply(t(language, "onboarding.what_next"), buttons.main_menu(language))
    return Outcome(language, answered=answered, replies=(what_next,))


# --- answers by typing or sharing a location -------------------------------------------------


def answer_text(unit: Unit, state: DialogState[DialogData], incoming: Incoming) -> Outcome:
    """Typed text: a wijk name to look up, "skip" under the location question, else a hint."""
    language, resident = unit.language, unit.resident
    if resident is None or incoming.text is None:
        return Outcome(language)  # they deleted their data in the meantime
    if state.step == "wijk":
        found = _search_wijk(unit, resident, incoming.text, then=_then(state))
        return Outcome(language, replies=(found,))
    if state.step == "area" and prefs.is_label(incoming.text, "pref.skip"):
        skipped = Reply(t(language, "pref.skipped"), remove_reply_keyboard=True)
        return Outcome(language, replies=(skipped, *_ask_next(unit, resident, "area")))
    if state.step == "area":
        return Outcome(language, replies=(Reply(t(language, "pref.area.use_button")),))
    return Outcome(language, replies=(Reply(t(language, "onboarding.use_buttons")),))


def _search_wijk(unit: Unit, resident: Resident, typed: str, *, then: str | None) -> Reply:
    """The wijken the typed name could mean, or kindly that none looks like it."""
    language, wijken = resident.language, repo.list_wijken(unit.session)
    text, rows = prefs.search_results(language, ACTION, typed, wijken, resident.wijk_id)
    unit.set_dialog(FLOW, "wijk", OnboardingData(then=then))
    return Reply(text, (*rows, *_skip_row(language, "wijk")), drives_dialog=True)


def share_location(unit: Unit, state: DialogState[DialogData], incoming: Incoming) -> Outcome:
    """A location shared under the area question: keep only its coarse cell, never the point."""
    language, resident = unit.language, unit.resident
    if resident is None or incoming.location is None:
        return Outcome(language)
    if state.step != "area":
        return Outcome(language, replies=(Reply(t(language, "onboarding.use_buttons")),))
    cell = area_cell(*incoming.location)
    residents.set_area_cell(unit.session, resident=resident, area_cell=cell, now=unit.now)
    saved = Reply(t(language, "pref.area.saved"), remove_reply_keyboard=True)
    return Outcome(language, replies=(saved, *_ask_next(unit, resident, "area")))
