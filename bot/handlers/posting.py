"""/vraag and /aanbod: a request or an offer in one's own words, placed in the wijk.

Dialog flow "post" (state in the database, see bot/dialog.py), one step at a time:
  text      waiting for the words ("Wie kan zaterdag mijn boodschappen doen?")
  category  the category read from the words: yes, or pick another
  time      the time read from the words (if any): yes, or pick a preset
  preview   the post as neighbours will see it: "Plaatsen", or change category or time
Typing new words at any step starts again from them. The draft lives in the state's data; the
buttons of one message drive the flow and presses on any other message are stale.

Callback data (re-checked against the stored draft on every press): pst:cat:<key>,
pst:cats (top 3 and "other categories"), pst:all (every category), pst:time:<preset>
(ok = the time read from the text), pst:times, pst:ok (place it), pst:stop.

Also the main menu buttons menu:vraag|aanbod|buurt|mijn (bot/keyboards.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Final

from sqlmodel import Session
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import BotApplication, BotContext, language_for
from bot.dialog import DialogRouter, DialogState, clear_state, load_state, save_state
from bot.handlers import browse, mine
from bot.handlers.post_support import say, settled_resident, show_in_place, stale, words_or_explain
from bot.i18n import t
from bot.keyboards import MENU_PREFIX
from bot.matchmaking import start_looking
from bot.post_views import (
    category_name,
    describe_window,
    known_category,
    post_summary,
    summary,
)
from matching.categories import CATEGORY_KEYS, rank_categories, suggest_category
from matching.posting_rules import (
    MAX_OPEN_POSTS,
    Hold,
    clean_text,
    flood_window_start,
    is_too_long,
    posting_hold,
)
from matching.time_presets import TimePreset, preset_window
from matching.timewindow import parse_time_window
from storage import matchmaking, posts, repo
from storage.db import session_scope
from storage.models import PostKind, Resident

FLOW: Final = "post"
STEP_TEXT: Final = "text"
STEP_CATEGORY: Final = "category"
STEP_TIME: Final = "time"
STEP_PREVIEW: Final = "preview"

PREFIX: Final = "pst:"
KEEP_READ_TIME: Final = "ok"
CHOICES_SHOWN: Final = 3
ALL_CATEGORY_COLUMNS: Final = 2

PRESET_LABELS = {
    TimePreset.TODAY: "posting.time.today",
    TimePreset.TOMORROW: "posting.time.tomorrow",
    TimePreset.WEEK: "posting.time.week",
    TimePreset.ANY_TIME: "posting.time.any",
}
PROMPTS = {
    PostKind.REQUEST: "posting.prompt_request",
    PostKind.OFFER: "posting.prompt_offer",
}
POSTED = {
    PostKind.REQUEST: "posting.posted_request",
    PostKind.OFFER: "posting.posted_offer",
}


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("vraag", ask, filters=private))
    application.add_handler(CommandHandler("aanbod", offer, filters=private))
    application.add_handler(CallbackQueryHandler(menu_pressed, pattern=f"^{MENU_PREFIX}"))
    application.add_handler(CallbackQueryHandler(draft_pressed, pattern=f"^{PREFIX}"))
    router.on_text(FLOW, words_received)


# --- starting -----------------------------------------------------------------------------


async def ask(update: Update, context: BotContext) -> None:
    """Start a request: ask for it in the person's own words."""
    await start_draft(update, context, PostKind.REQUEST)


async def offer(update: Update, context: BotContext) -> None:
    """Start an offer: ask for it in the person's own words."""
    await start_draft(update, context, PostKind.OFFER)


async def menu_pressed(update: Update, context: BotContext) -> None:
    """Do what a main menu button says, just like its command."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    actions: dict[str, Callable[[Update, BotContext], Awaitable[None]]] = {
        "vraag": ask,
        "aanbod": offer,
        "buurt": browse.look_around,
        "mijn": mine.show_own_posts,
    }
    action = actions.get(query.data.removeprefix(MENU_PREFIX))
    if action is None:
        await stale(query, language_for(context.services, query.from_user))
        return
    await query.answer()
    await action(update, context)


async def start_draft(update: Update, context: BotContext, kind: PostKind) -> None:
    chat = update.effective_chat
    resident = await settled_resident(update, context)
    if chat is None or resident is None:
        return
    services = context.services
    clear_state(services, chat.id)  # a command replaces whatever dialog was going on
    language = resident.language
    hold = _hold_for(context, resident)
    if hold is not None:
        await say(update, context, _hold_text(language, hold))
        return
    save_state(services, chat.id, DialogState(FLOW, STEP_TEXT, {"kind": kind.value}))
    await say(update, context, t(language, PROMPTS[kind]))


def _hold_for(context: BotContext, resident: Resident) -> Hold | None:
    services = context.services
    with session_scope(services.engine) as session:
        return hold_for(session, resident, services.clock())


def hold_for(session: Session, resident: Resident, now: datetime) -> Hold | None:
    """Whether the resident must wait before placing another post (limits in posting_rules)."""
    assert resident.id is not None
    return posting_hold(
        open_posts=posts.count_open_posts(session, resident_id=resident.id),
        recent_posts=posts.count_posts_since(
            session, resident_id=resident.id, since=flood_window_start(now)
        ),
    )


def _hold_text(language: str, hold: Hold) -> str:
    if hold is Hold.TOO_MANY_OPEN:
        return t(language, "posting.hold.too_many_open", count=MAX_OPEN_POSTS)
    return t(language, "posting.hold.too_fast")


# --- the words ----------------------------------------------------------------------------


async def words_received(update: Update, context: BotContext, state: DialogState) -> None:
    """Read a category and a time from the words and propose them, one at a time."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    services = context.services
    resident = await settled_resident(update, context)
    kind = _kind(state.data)
    if resident is None or kind is None:
        clear_state(services, chat.id)
        return
    language = resident.language
    text = await words_or_explain(message, language)
    if text is None:
        return
    now = services.clock().astimezone(services.settings.tz)
    read = parse_time_window(text, now, language)
    guess = suggest_category(text)
    draft: dict[str, Any] = {
        "kind": kind.value,
        "text": text,
        "category": guess.key if guess else None,
        "read_time": None if read is None else [read.start.isoformat(), read.end.isoformat()],
    }
    if guess is None:
        screen, markup = _category_choices(language, draft, everything=True)
    else:
        screen = t(
            language, "posting.category_question", category=category_name(language, guess.key)
        )
        markup = _keyboard(
            [(t(language, "posting.button.yes"), f"{PREFIX}cat:{guess.key}")],
            [(t(language, "posting.button.other_category"), f"{PREFIX}cats")],
        )
    sent = await message.reply_text(screen, reply_markup=markup)
    draft["message_id"] = sent.message_id
    save_state(services, chat.id, DialogState(FLOW, STEP_CATEGORY, draft))


def _kind(data: dict[str, Any]) -> PostKind | None:
    try:
        return PostKind(str(data.get("kind")))
    except ValueError:
        return None


# --- the buttons --------------------------------------------------------------------------


DraftAction = Callable[[CallbackQuery, BotContext, DialogState, str, str], Awaitable[None]]


async def draft_pressed(update: Update, context: BotContext) -> None:
    """A button of the draft: checked against the stored draft, then acted on."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    services = context.services
    language = language_for(services, query.from_user)
    state = load_state(services, chat.id)
    action, _, argument = query.data.removeprefix(PREFIX).partition(":")
    allowed = ACTIONS.get(action)
    if (
        state is None
        or state.flow != FLOW
        or allowed is None
        or state.step not in allowed[0]
        or chat.id != query.from_user.id
        or not isinstance(query.message, Message)
        or state.data.get("message_id") != query.message.message_id
        or _kind(state.data) is None
    ):
        await stale(query, language)
        return
    await allowed[1](query, context, state, argument, language)


async def _category_chosen(
    query: CallbackQuery, context: BotContext, state: DialogState, key: str, language: str
) -> None:
    if key not in CATEGORY_KEYS:
        await stale(query, language)
        return
    state.data["category"] = key
    await query.answer()
    if "window" in state.data:  # time already settled: back to the preview
        await _show(query, context, state, STEP_PREVIEW, language)
    else:
        await _show(query, context, state, STEP_TIME, language)


async def _other_categories(
    query: CallbackQuery, context: BotContext, state: DialogState, _arg: str, language: str
) -> None:
    await query.answer()
    screen, markup = _category_choices(language, state.data, everything=False)
    await _switch(query, context, state, STEP_CATEGORY, screen, markup)


async def _all_categories(
    query: CallbackQuery, context: BotContext, state: DialogState, _arg: str, language: str
) -> None:
    await query.answer()
    screen, markup = _category_choices(language, state.data, everything=True)
    await _switch(query, context, state, STEP_CATEGORY, screen, markup)


async def _time_chosen(
    query: CallbackQuery, context: BotContext, state: DialogState, preset: str, language: str
) -> None:
    services = context.services
    if preset == KEEP_READ_TIME:
        window = _stored_window(state.data.get("read_time"))
    else:
        try:
            chosen = TimePreset(preset)
        except ValueError:
            await stale(query, language)
            return
        now = services.clock().astimezone(services.settings.tz)
        picked = preset_window(chosen, now)
        window = None if picked is None else (picked.start, picked.end)
    if preset == KEEP_READ_TIME and window is None:
        await stale(query, language)
        return
    state.data["window"] = None if window is None else [moment.isoformat() for moment in window]
    await query.answer()
    await _show(query, context, state, STEP_PREVIEW, language)


async def _change_time(
    query: CallbackQuery, context: BotContext, state: DialogState, _arg: str, language: str
) -> None:
    await query.answer()
    await _show(query, context, state, STEP_TIME, language)


async def _stop(
    query: CallbackQuery, context: BotContext, state: DialogState, _arg: str, language: str
) -> None:
    clear_state(context.services, query.from_user.id)
    await query.answer()
    await show_in_place(query, t(language, "posting.stopped_draft"))


async def _place(
    query: CallbackQuery, context: BotContext, state: DialogState, _arg: str, language: str
) -> None:
    """Place the post if the person may post now; the draft is claimed, so it is placed once."""
    services = context.services
    kind = _kind(state.data)
    text = clean_text(str(state.data.get("text", "")))
    if kind is None or not text or is_too_long(text):
        await stale(query, language)
        return
    now = services.clock()
    window = _stored_window(state.data.get("window"))
    if window is not None and window[1] <= now:
        # The draft waited past its own moment ("vandaag", placed after midnight): ask again
        # rather than post something nobody can see any more.
        state.data.pop("read_time", None)
        await query.answer(t(language, "posting.time_passed"), show_alert=True)
        await _show(query, context, state, STEP_TIME, language)
        return
    with session_scope(services.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=query.from_user.id)
        if resident is None or resident.wijk_id is None or resident.stopped:
            await stale(query, language)
            return
        hold = hold_for(session, resident, now)
        placed = None
        if hold is None and posts.take_chat_state(
            session, chat_id=query.from_user.id, flow=FLOW, step=STEP_PREVIEW
        ):
            placed = posts.create_post(
                session,
                resident=resident,
                kind=kind,
                category=known_category(state.data.get("category")),
                text=text,
                window_start=None if window is None else window[0],
                window_end=None if window is None else window[1],
                now=now,
            )
            if kind is PostKind.REQUEST:
                matchmaking.start_flow(session, post=placed, now=now)
    if hold is not None:
        # The draft stays, so "Plaatsen" works once there is room again.
        await query.answer(_hold_text(language, hold), show_alert=True)
        return
    if placed is None:  # placed by an earlier tap already
        await stale(query, language)
        return
    await query.answer()
    zone = services.settings.tz
    block = post_summary(language, placed, now=now.astimezone(zone), zone=zone)
    await show_in_place(query, t(language, POSTED[kind], summary=block))
    if kind is PostKind.REQUEST:
        await start_looking(context, placed)


# action -> (steps in which its buttons are shown, what it does)
ACTIONS: Final[dict[str, tuple[frozenset[str], DraftAction]]] = {
    "cat": (frozenset({STEP_CATEGORY}), _category_chosen),
    "cats": (frozenset({STEP_CATEGORY, STEP_PREVIEW}), _other_categories),
    "all": (frozenset({STEP_CATEGORY, STEP_PREVIEW}), _all_categories),
    "time": (frozenset({STEP_TIME}), _time_chosen),
    "times": (frozenset({STEP_PREVIEW}), _change_time),
    "ok": (frozenset({STEP_PREVIEW}), _place),
    "stop": (frozenset({STEP_CATEGORY, STEP_TIME, STEP_PREVIEW}), _stop),
}


# --- screens ------------------------------------------------------------------------------


async def _show(
    query: CallbackQuery, context: BotContext, state: DialogState, step: str, language: str
) -> None:
    """Show the time question or the preview, and remember that the draft is there now."""
    services = context.services
    zone = services.settings.tz
    now = services.clock().astimezone(zone)
    data = state.data
    if step == STEP_TIME:
        read = _stored_window(data.get("read_time"))
        presets = [
            [_button(language, TimePreset.TODAY), _button(language, TimePreset.TOMORROW)],
            [_button(language, TimePreset.WEEK), _button(language, TimePreset.ANY_TIME)],
        ]
        if read is None:
            text = t(language, "posting.time_choose")
            markup = InlineKeyboardMarkup(presets)
        else:
            when = describe_window(language, read[0], read[1], now=now, zone=zone)
            text = t(language, "posting.time_question", when=when)
            keep = InlineKeyboardButton(
                t(language, "posting.button.yes"), callback_data=f"{PREFIX}time:{KEEP_READ_TIME}"
            )
            markup = InlineKeyboardMarkup([[keep], *presets])
    else:
        window = _stored_window(data.get("window"))
        block = summary(
            language,
            kind=str(data["kind"]),
            category=known_category(data.get("category")),
            text=str(data.get("text", "")),
            start=None if window is None else window[0],
            end=None if window is None else window[1],
            now=now,
            zone=zone,
        )
        text = t(language, "posting.preview", summary=block)
        markup = _keyboard(
            [(t(language, "posting.button.place"), f"{PREFIX}ok")],
            [
                (t(language, "posting.button.change_category"), f"{PREFIX}cats"),
                (t(language, "posting.button.change_time"), f"{PREFIX}times"),
            ],
            [(t(language, "posting.button.stop"), f"{PREFIX}stop")],
        )
    await _switch(query, context, state, step, text, markup)


async def _switch(
    query: CallbackQuery,
    context: BotContext,
    state: DialogState,
    step: str,
    text: str,
    markup: InlineKeyboardMarkup,
) -> None:
    chat_id = query.from_user.id
    save_state(context.services, chat_id, DialogState(FLOW, step, state.data))
    await show_in_place(query, text, markup)


def _category_choices(
    language: str, data: dict[str, Any], *, everything: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """The categories to pick from: the few that fit the words best, or all of them."""
    current = data.get("category")
    ranked = [guess.key for guess in rank_categories(str(data.get("text", "")), CHOICES_SHOWN)]
    keys = list(CATEGORY_KEYS) if everything or not ranked else ranked

    def choice(key: str) -> tuple[str, str]:
        mark = "✓ " if key == current else ""
        return f"{mark}{category_name(language, key)}", f"{PREFIX}cat:{key}"

    if everything or not ranked:
        rows = [
            [choice(key) for key in keys[start : start + ALL_CATEGORY_COLUMNS]]
            for start in range(0, len(keys), ALL_CATEGORY_COLUMNS)
        ]
    else:
        rows = [[choice(key)] for key in keys]
        rows.append([(t(language, "posting.button.all_categories"), f"{PREFIX}all")])
    return t(language, "posting.category_choose"), _keyboard(*rows)


def _button(language: str, preset: TimePreset) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t(language, PRESET_LABELS[preset]), callback_data=f"{PREFIX}time:{preset.value}"
    )


def _keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def _stored_window(value: object) -> tuple[datetime, datetime] | None:
    """A window kept in the draft as two ISO timestamps; None for none (or anything odd)."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    try:
        start, end = (datetime.fromisoformat(str(moment)) for moment in value)
    except ValueError:
        return None
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        return None
    return start, end
