"""/instellingen: every onboarding choice, each changeable on its own, plus undoing blocks.

One menu message shows what is kept and changes in place: a button opens one choice, picking
something stores it and returns to the menu. The dialog state ("settings" flow) names the screen
shown and the message it is on, so a press on an older or other message changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from telegram import CallbackQuery, InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import BotApplication, BotContext, Services, language_for
from bot.dialog import DialogRouter, DialogState, clear_state, load_state, save_state
from bot.handlers import preferences as prefs
from bot.handlers.post_support import parse_id
from bot.i18n import Html, t
from bot.keyboards import main_menu_keyboard
from matching.area import area_cell
from storage import repo, residents
from storage.db import session_scope
from storage.models import Resident, Wijk

FLOW: Final = "settings"
PREFIX: Final = "set:"
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


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("instellingen", open_settings, filters=private))
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{PREFIX}"))
    router.on_text(FLOW, on_text)
    router.on_location(FLOW, on_location)


@dataclass(frozen=True)
class _Person:
    """A resident with what the screens show about them, read in one transaction."""

    resident: Resident
    wijk_name: str | None
    wijken: list[Wijk]
    blocks: list[residents.BlockedNeighbour]

    @property
    def language(self) -> str:
        return self.resident.language


def _load(services: Services, user_id: int) -> _Person | None:
    with session_scope(services.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=user_id)
        if resident is None or resident.id is None:
            return None
        wijk = residents.resident_wijk(session, resident=resident)
        return _Person(
            resident=resident,
            wijk_name=None if wijk is None else wijk.name,
            wijken=repo.list_wijken(session),
            blocks=residents.blocked_neighbours(session, blocker_id=resident.id),
        )


def _at_screen(services: Services, chat_id: int, screen: str, message_id: int) -> None:
    save_state(services, chat_id, DialogState(FLOW, screen, {"message_id": message_id}))


# --- /instellingen ---------------------------------------------------------------------------


async def open_settings(update: Update, context: BotContext) -> None:
    """Show the settings menu: what is kept now, and a button per thing to change."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = context.services
    with session_scope(services.engine) as session:
        repo.ensure_resident(
            session,
            telegram_user_id=user.id,
            first_name=user.first_name,
            language=language_for(services, user),
            now=services.clock(),
        )
    await _send_menu(context, message.chat_id)


async def _send_menu(context: BotContext, chat_id: int) -> None:
    person = _load(context.services, chat_id)
    if person is None:
        return
    text, markup = _menu(person, saved=False)
    sent = await context.bot.send_message(chat_id, text, reply_markup=markup)
    _at_screen(context.services, chat_id, MENU, sent.message_id)


def _menu(person: _Person, *, saved: bool) -> tuple[str, InlineKeyboardMarkup]:
    language = person.language
    overview = prefs.summary(language, person.resident, person.wijk_name)
    text = t(language, "settings.menu_saved" if saved else "settings.menu", summary=overview)
    rows = [
        [prefs.button(t(language, label), f"{PREFIX}{MENU}:{screen}") for screen, label in row]
        for row in MENU_BUTTONS
    ]
    return text, InlineKeyboardMarkup(rows)


def _screen(person: _Person, screen: str) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons of one choice, with a way back to the menu."""
    language, resident = person.language, person.resident
    back = [[prefs.button(t(language, "settings.button.back"), f"{PREFIX}{screen}:{BACK}")]]
    if screen == "lang":
        rows = prefs.language_rows(PREFIX, language)
        return t(language, "language.choose"), prefs.keyboard(rows, back)
    if screen == "wijk":
        if not person.wijken:
            return t(language, "settings.no_wijken"), prefs.keyboard(back)
        if len(person.wijken) > prefs.WIJK_BUTTONS_MAX:
            return t(language, "pref.wijk.question_type"), prefs.keyboard(back)
        rows = prefs.wijk_rows(PREFIX, person.wijken, resident.wijk_id)
        return t(language, "pref.wijk.question_buttons"), prefs.keyboard(rows, back)
    if screen == "area":
        share = [[prefs.button(t(language, "settings.area.share"), f"{PREFIX}area:share")]]
        if resident.area_cell is None:
            return t(language, "settings.area.not_shared"), prefs.keyboard(share, back)
        remove = [[prefs.button(t(language, "settings.area.remove"), f"{PREFIX}area:remove")]]
        return t(language, "settings.area.shared"), prefs.keyboard(share, remove, back)
    if screen == "pace":
        rows = prefs.pace_rows(PREFIX, language, resident.pace)
        return t(language, "pref.pace.question"), prefs.keyboard(rows, back)
    if screen == "quiet":
        quiet = prefs.current_quiet(resident)
        text = t(language, "pref.quiet.question", quiet=prefs.quiet_label(quiet))
        return text, prefs.keyboard(prefs.quiet_rows(PREFIX, quiet), back)
    if screen == "likes":
        done = [[prefs.button(t(language, "pref.likes.done"), f"{PREFIX}likes:{BACK}")]]
        rows = prefs.likes_rows(PREFIX, language, resident.likes)
        return t(language, "pref.likes.question"), prefs.keyboard(rows, done)
    return _blocks_screen(person, back, undone=None)


def _blocks_screen(
    person: _Person, back: prefs.Rows, undone: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    language = person.language
    rows = [
        # Button labels are plain text, not HTML: the name goes in unescaped.
        [
            prefs.button(
                t(language, "settings.blocks.unblock", name=Html(block.first_name)),
                f"{PREFIX}blocks:{block.block_id}",
            )
        ]
        for block in person.blocks
    ]
    key = "settings.blocks.list" if person.blocks else "settings.blocks.none"
    text = t(language, key)
    if undone is not None:
        text = t(language, "settings.blocks.undone", name=undone) + "\n\n" + text
    return text, prefs.keyboard(rows, back)


# --- buttons ---------------------------------------------------------------------------------


async def on_button(update: Update, context: BotContext) -> None:
    """Open a screen, store a choice, or go back, once the press is checked to be current."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    parsed = prefs.split_callback(query.data, PREFIX)
    state = None if parsed is None else load_state(services, query.from_user.id)
    person = _load(services, query.from_user.id)
    if (
        parsed is None
        or person is None
        or not prefs.is_current_press(state, FLOW, parsed[0], query)
        or not await _handle(context, query, person, *parsed)
    ):
        await query.answer(t(language_for(services, query.from_user), "error.stale_button"))


async def _handle(
    context: BotContext, query: CallbackQuery, person: _Person, screen: str, value: str
) -> bool:
    """Act on a current press; False when its value is not valid here (nothing changed)."""
    services, chat_id = context.services, query.from_user.id
    if screen == MENU and value == DONE:
        clear_state(services, chat_id)
        await query.answer()
        language = person.language
        await query.edit_message_text(
            t(language, "settings.closed"), reply_markup=main_menu_keyboard(language)
        )
        return True
    if screen == MENU:
        if value not in SCREENS:
            return False
        await _show(context, query, value, _screen(person, value))
        return True
    if value == BACK and screen in SCREENS:
        await _show(context, query, MENU, _menu(person, saved=screen == "likes"))
        return True
    if screen == "area":
        return await _area_button(context, query, person, value)
    if screen == "blocks":
        return await _unblock(context, query, person, value)
    if screen not in SCREENS or not _store_choice(services, chat_id, screen, value):
        return False
    changed = _load(services, chat_id)
    assert changed is not None, "the choice was just stored for them"
    if screen == "likes":
        await query.answer()
        await query.edit_message_reply_markup(_screen(changed, "likes")[1])
        return True
    await _show(context, query, MENU, _menu(changed, saved=True))
    return True


async def _show(
    context: BotContext,
    query: CallbackQuery,
    screen: str,
    content: tuple[str, InlineKeyboardMarkup],
) -> None:
    """Turn the menu message into `screen` and remember that it shows that screen now."""
    await query.answer()
    text, markup = content
    await query.edit_message_text(text, reply_markup=markup)
    assert query.message is not None, "is_current_press checked the message"
    _at_screen(context.services, query.from_user.id, screen, query.message.message_id)


def _store_choice(services: Services, user_id: int, screen: str, value: str) -> bool:
    with session_scope(services.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=user_id)
        return resident is not None and prefs.apply_choice(
            session, resident=resident, step=screen, value=value, now=services.clock()
        )


async def _area_button(
    context: BotContext, query: CallbackQuery, person: _Person, value: str
) -> bool:
    services, chat_id, language = context.services, query.from_user.id, person.language
    if value == "remove" and person.resident.area_cell is not None:
        _store_area(services, chat_id, None)
        changed = _load(services, chat_id)
        assert changed is not None
        await _show(context, query, MENU, _menu(changed, saved=True))
        return True
    if value != "share":
        return False
    await query.answer()
    await query.edit_message_reply_markup(None)
    sent = await context.bot.send_message(
        chat_id,
        t(language, "settings.area.ask"),
        reply_markup=prefs.location_keyboard(language, t(language, "settings.cancel")),
    )
    _at_screen(services, chat_id, AREA_SHARE, sent.message_id)
    return True


async def _unblock(context: BotContext, query: CallbackQuery, person: _Person, value: str) -> bool:
    """Lift one of the person's own blocks; the block is looked up again, not trusted."""
    services, chat_id, language = context.services, query.from_user.id, person.language
    resident_id, block_id = person.resident.id, parse_id(value)
    if resident_id is None or block_id is None:
        return False
    with session_scope(services.engine) as session:
        undone = residents.undo_block(session, blocker_id=resident_id, block_id=block_id)
    if not undone:
        await query.answer(t(language, "settings.blocks.gone"))
        return True
    name = next(block.first_name for block in person.blocks if block.block_id == block_id)
    changed = _load(services, chat_id)
    assert changed is not None
    back = [[prefs.button(t(language, "settings.button.back"), f"{PREFIX}blocks:{BACK}")]]
    await _show(context, query, "blocks", _blocks_screen(changed, back, undone=name))
    return True


def _store_area(services: Services, user_id: int, cell: str | None) -> None:
    with session_scope(services.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=user_id)
        if resident is not None:
            residents.set_area_cell(
                session, resident=resident, area_cell=cell, now=services.clock()
            )


# --- typing and sharing a location -----------------------------------------------------------


async def on_text(update: Update, context: BotContext, state: DialogState) -> None:
    """A wijk name on the wijk screen, "cancel" while waiting for a location, else a hint."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    services = context.services
    person = _load(services, message.chat_id)
    if person is None:
        return
    language = person.language
    if state.step == "wijk":
        text, rows = prefs.search_results(
            language, PREFIX, message.text, person.wijken, person.resident.wijk_id
        )
        back = [[prefs.button(t(language, "settings.button.back"), f"{PREFIX}wijk:{BACK}")]]
        sent = await message.reply_text(text, reply_markup=prefs.keyboard(rows, back))
        _at_screen(services, message.chat_id, "wijk", sent.message_id)
    elif state.step == AREA_SHARE and prefs.is_label(message.text, "settings.cancel"):
        await message.reply_text(
            t(language, "settings.unchanged"), reply_markup=ReplyKeyboardRemove()
        )
        await _send_menu(context, message.chat_id)
    elif state.step == AREA_SHARE:
        await message.reply_text(t(language, "settings.area.use_button"))
    else:
        await message.reply_text(t(language, "settings.use_buttons"))


async def on_location(update: Update, context: BotContext, state: DialogState) -> None:
    """A location shared while in the settings (clearly meant as the new area, whichever screen
    is showing): keep only its coarse cell, never the point, and show the menu again."""
    message = update.effective_message
    if message is None or message.location is None:
        return
    services = context.services
    language = language_for(services, update.effective_user)
    cell = area_cell(message.location.latitude, message.location.longitude)
    _store_area(services, message.chat_id, cell)
    await message.reply_text(t(language, "pref.area.saved"), reply_markup=ReplyKeyboardRemove())
    await _send_menu(context, message.chat_id)
