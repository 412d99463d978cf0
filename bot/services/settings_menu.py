"""/instellingen: every onboarding choice, each changeable on its own, plus undoing blocks.

One menu message shows what is kept and changes in place: a button opens one choice, picking
something stores it and returns to the menu. The dialog ("settings" flow) names the screen
shown and the message it is on, so a press on an older or other message changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot import callbacks
from bot.i18n import Html, t
from bot.services import buttons
from bot.services import preferences as prefs
from bot.services.dialogs import DialogData, DialogState, SettingsData
from bot.services.markup import Button, Keyboard, keyboard
from bot.services.preferences import Outcome, Reply
from bot.services.unit import Incoming, Unit
from matching.area import area_cell
from storage import repo, residents
from storage.models import Resident, Wijk

FLOW: Final = "settings"
ACTION: Final = callbacks.SETTINGS
MENU: Final = "menu"
BACK: Final = "back"
DONE: Final = "done"
# Waiting for a location after "share a new location"; this screen has no buttons of its own.
AREA_SHARE: Final = "area_share"
# The menu's buttons: the screen each opens, and its label.
MENU_BUTTONS: Final = (
    (("lang", "settings.button.language"), ("wijk", "settings.button.wijk")),
    (("area", "settings.button.area"), ("pace", "settings.button.pace")),
    (("quiet", "settings.button.quiet"), ("likes", "settings.button.likes")),
    (("blocks", "settings.button.blocks"),),
    ((DONE, "settings.button.done"),),
)
SCREENS: Final = frozenset(screen for row in MENU_BUTTONS for screen, _ in row) - {DONE}


@dataclass(frozen=True)
class _Person:
    """A resident with what the screens show about them."""

    resident: Resident
    wijk_name: str | None
    wijken: list[Wijk]
    blocks: list[residents.BlockedNeighbour]

    @property
    def language(self) -> str:
        return self.resident.language


def _person(unit: Unit, resident: Resident) -> _Person:
    assert resident.id is not None
    wijk = residents.resident_wijk(unit.session, resident=resident)
    return _Person(
        resident=resident,
        wijk_name=None if wijk is None else wijk.name,
        wijken=repo.list_wijken(unit.session),
        blocks=residents.blocked_neighbours(unit.session, blocker_id=resident.id),
    )


def _at_screen(unit: Unit, screen: str, message_id: int | None = None) -> None:
    unit.set_dialog(FLOW, screen, SettingsData(message_id=message_id))


# --- /instellingen ---------------------------------------------------------------------------


def open_settings(unit: Unit) -> Outcome:
    """The settings menu: what is kept now, and a button per thing to change."""
    assert unit.caller is not None
    resident = unit.resident or repo.ensure_resident(
        unit.session,
        telegram_user_id=unit.caller.user_id,
        first_name=unit.caller.first_name,
        language=unit.language,
        now=unit.now,
    )
    return Outcome(resident.language, replies=(_new_menu(unit, resident),))


def _new_menu(unit: Unit, resident: Resident) -> Reply:
    """The menu as a new message (the dialog waits on it once it is sent)."""
    _at_screen(unit, MENU)
    text, rows = _menu(_person(unit, resident), saved=False)
    return Reply(text, rows, drives_dialog=True)


def _menu(person: _Person, *, saved: bool) -> tuple[str, Keyboard]:
    language = person.language
    overview = prefs.summary(language, person.resident, person.wijk_name)
    text = t(language, "settings.menu_saved" if saved else "settings.menu", summary=overview)
    rows = keyboard(
        *(
            [Button(t(language, label), ACTION(MENU, screen)) for screen, label in row]
            for row in MENU_BUTTONS
        )
    )
    return text, rows


def _back(language: str, screen: str) -> Keyboard:
    return prefs.one_button(t(language, "settings.button.back"), ACTION(screen, BACK))


def _screen(person: _Person, screen: str) -> tuple[str, Keyboard]:
    """The text and buttons of one choice, with a way back to the menu."""
    language, resident = person.language, person.resident
    back = _back(language, screen)
    if screen == "lang":
        return t(language, "language.choose"), (*prefs.language_rows(ACTION, language), *back)
    if screen == "wijk":
        if not person.wijken:
            return t(language, "settings.no_wijken"), back
        if len(person.wijken) > prefs.WIJK_BUTTONS_MAX:
            return t(language, "pref.wijk.question_type"), back
        rows = prefs.wijk_rows(ACTION, person.wijken, resident.wijk_id)
        return t(language, "pref.wijk.question_buttons"), (*rows, *back)
    if screen == "area":
        share = prefs.one_button(t(language, "settings.area.share"), ACTION("area", "share"))
        if resident.area_cell is None:
            return t(language, "settings.area.not_shared"), (*share, *back)
        remove = prefs.one_button(t(language, "settings.area.remove"), ACTION("area", "remove"))
        return t(language, "settings.area.shared"), (*share, *remove, *back)
    if screen == "pace":
        rows = prefs.pace_rows(ACTION, language, resident.pace)
        return t(language, "pref.pace.question"), (*rows, *back)
    if screen == "quiet":
        quiet = prefs.current_quiet(resident)
        text = t(language, "pref.quiet.question", quiet=prefs.quiet_label(quiet))
        return text, (*prefs.quiet_rows(ACTION, quiet), *back)
    if screen == "likes":
        done = prefs.one_button(t(language, "pref.likes.done"), ACTION("likes", BACK))
        rows = prefs.likes_rows(ACTION, language, resident.likes)
        return t(language, "pref.likes.question"), (*rows, *done)
    return _blocks_screen(person, undone=None)


def _blocks_screen(person: _Person, undone: str | None) -> tuple[str, Keyboard]:
    language = person.language
    rows = keyboard(
        # Button labels are plain text, not HTML: the name goes in unescaped.
        *(
            [
                Button(
                    t(language, "settings.blocks.unblock", name=Html(block.first_name)),
                    ACTION("blocks", str(block.block_id)),
                )
            ]
            for block in person.blocks
        )
    )
    key = "settings.blocks.list" if person.blocks else "settings.blocks.none"
    text = t(language, key)
    if undone is not None:
        text = t(language, "settings.blocks.undone", name=undone) + "\n\n" + text
    return text, (*rows, *_back(language, "blocks"))


# --- buttons ---------------------------------------------------------------------------------


def press(unit: Unit, screen: str, value: str, message_id: int | None) -> Outcome:
    """Open a screen, store a choice, or go back, once the press is checked to be current on
    that very message (`message_id`: the pressed one, None when not in the person's chat)."""
    resident = unit.resident
    if resident is None or not prefs.is_current(unit.state(FLOW), screen, message_id):
        return Outcome(unit.language, stale=True)
    assert message_id is not None
    outcome = _handle(unit, _person(unit, resident), screen, value, message_id)
    return Outcome(unit.language, stale=True) if outcome is None else outcome


def _show(unit: Unit, screen: str, content: tuple[str, Keyboard], message_id: int) -> Outcome:
    """Turn the menu message into `screen` and remember that it shows that screen now."""
    _at_screen(unit, screen, message_id)
    text, rows = content
    return Outcome(unit.language, edit=Reply(text, rows))


def _handle(
    unit: Unit, person: _Person, screen: str, value: str, message_id: int
) -> Outcome | None:
    """Act on a current press; None when its value is not valid here (nothing changed)."""
    language, resident = person.language, person.resident
    if screen == MENU and value == DONE:
        unit.clear_dialog()
        closed = Reply(t(language, "settings.closed"), buttons.main_menu(language))
        return Outcome(language, edit=closed)
    if screen == MENU:
        if value not in SCREENS:
            return None
        return _show(unit, value, _screen(person, value), message_id)
    if value == BACK and screen in SCREENS:
        return _show(unit, MENU, _menu(person, saved=screen == "likes"), message_id)
    if screen == "area":
        return _area_button(unit, person, value, message_id)
    if screen == "blocks":
        return _unblock(unit, person, value, message_id)
    if screen not in SCREENS or not prefs.apply_choice(
        unit.session, resident=resident, step=screen, value=value, now=unit.now
    ):
        return None
    changed = _person(unit, resident)
    if screen == "likes":
        return Outcome(language, new_buttons=_screen(changed, "likes")[1])
    return _show(unit, MENU, _menu(changed, saved=True), message_id)


def _area_button(unit: Unit, person: _Person, value: str, message_id: int) -> Outcome | None:
    language, resident = person.language, person.resident
    if value == "remove" and resident.area_cell is not None:
        residents.set_area_cell(unit.session, resident=resident, area_cell=None, now=unit.now)
        return _show(unit, MENU, _menu(_person(unit, resident), saved=True), message_id)
    if value != "share":
        return None
    _at_screen(unit, AREA_SHARE)
    ask = Reply(
        t(language, "settings.area.ask"),
        location_prompt=t(language, "settings.cancel"),
        drives_dialog=True,
    )
    return Outcome(language, drop_buttons=True, replies=(ask,))


def _unblock(unit: Unit, person: _Person, value: str, message_id: int) -> Outcome | None:
    """Lift one of the person's own blocks; the block is looked up again, not trusted."""
    language, resident_id = person.language, person.resident.id
    block_id = callbacks.ID.parse(value)
    if resident_id is None or not isinstance(block_id, int):
        return None
    if not residents.undo_block(unit.session, blocker_id=resident_id, block_id=block_id):
        return Outcome(language, notice=t(language, "settings.blocks.gone"))
    name = next(block.first_name for block in person.blocks if block.block_id == block_id)
    changed = _person(unit, person.resident)
    return _show(unit, "blocks", _blocks_screen(changed, undone=name), message_id)


# --- typing and sharing a location -----------------------------------------------------------


def answer_text(unit: Unit, state: DialogState[DialogData], incoming: Incoming) -> Outcome:
    """A wijk name on the wijk screen, "cancel" while waiting for a location, else a hint."""
    language, resident = unit.language, unit.resident
    if resident is None or incoming.text is None:
        return Outcome(language)
    if state.step == "wijk":
        wijken = repo.list_wijken(unit.session)
        text, rows = prefs.search_results(
            language, ACTION, incoming.text, wijken, resident.wijk_id
        )
        _at_screen(unit, "wijk")
        reply = Reply(text, (*rows, *_back(language, "wijk")), drives_dialog=True)
        return Outcome(language, replies=(reply,))
    if state.step == AREA_SHARE and prefs.is_label(incoming.text, "settings.cancel"):
        unchanged = Reply(t(language, "settings.unchanged"), remove_reply_keyboard=True)
        return Outcome(language, replies=(unchanged, _new_menu(unit, resident)))
    if state.step == AREA_SHARE:
        return Outcome(language, replies=(Reply(t(language, "settings.area.use_button")),))
    return Outcome(language, replies=(Reply(t(language, "settings.use_buttons")),))


def share_location(unit: Unit, state: DialogState[DialogData], incoming: Incoming) -> Outcome:
    """A location shared while in the settings (clearly meant as the new area, whichever screen
    is showing): keep only its coarse cell, never the point, and show the menu again."""
    language, resident = unit.language, unit.resident
    if resident is None or incoming.location is None:
        return Outcome(language)
    cell = area_cell(*incoming.location)
    residents.set_area_cell(unit.session, resident=resident, area_cell=cell, now=unit.now)
    saved = Reply(t(language, "pref.area.saved"), remove_reply_keyboard=True)
    return Outcome(language, replies=(saved, _new_menu(unit, resident)))
