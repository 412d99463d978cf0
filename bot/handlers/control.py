"""/pauze, /stop, /blokkeer and /meld: what reaches a resident, and whom they meet.

Pausing and leaving are one tap, take effect at once and are never argued with. Blocking is
private and silent: the other person is never told. Block and report buttons name a post or an
invitation (see bot/keyboards.py); the person behind it is looked up in the database on every
press, so an old or forged button can never block or report someone the presser cannot see.
A press is answered once its effect is in the chat, so the button's spinner stops at the moment
the new text shows.

Callback data:
  pause:open | pause:week | pause:month    start a pause (until resumed / 1 week / 1 month)
  pause:resume                             end it
  blk:p:<post id> | blk:i:<invitation id>  ask "block <name>?" (post author / responder)
  blk:ok:p:<id> | blk:ok:i:<id>            the block, after the confirmation
  blk:no                                   changed their mind
  rep:p:<post id>                          ask why a post is reported
  rep:why:<post id>:<reason>               a reason button (REPORT_REASONS, or "other")
  rep:none:<post id>                       report without saying why
  rep:no                                   changed their mind
Dialog flow "report" (step "reason") waits for the typed reason after "other".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import BotApplication, BotContext, Services, language_for
from bot.dates import day_name
from bot.dialog import DialogRouter, DialogState, clear_state, load_state, save_state
from bot.handlers.post_support import parse_id
from bot.handlers.privacy import delete_everything_keyboard
from bot.i18n import t
from bot.keyboards import BLOCK_PREFIX, REPORT_PREFIX
from bot.post_views import first_name, shortened
from matching.pause import PauseLength, is_paused, pause_end
from storage import moderation, pausing, repo
from storage.db import session_scope
from storage.models import Resident

PAUSE_PREFIX: Final = "pause:"
RESUME: Final = f"{PAUSE_PREFIX}resume"
REPORT_FLOW: Final = "report"
REPORT_STEP: Final = "reason"
OTHER_REASON: Final = "other"
# Ids in button data are database keys; anything longer is forged (and would overflow INTEGER).
QUOTE_LENGTH: Final = 100

# Tables of message ids are plain assignments (not Final) so tests/bot/test_i18n.py sees them.
PAUSE_BUTTONS = (
    (PauseLength.UNTIL_RESUMED, "pause.button.open"),
    (PauseLength.WEEK, "pause.button.week"),
    (PauseLength.MONTH, "pause.button.month"),
)
REASON_BUTTONS = (
    ("unkind", "report.reason.unkind"),
    ("spam", "report.reason.spam"),
    ("incorrect", "report.reason.incorrect"),
    (OTHER_REASON, "report.reason.other"),
)


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("pauze", pause_command, filters=private))
    application.add_handler(CommandHandler("stop", stop_command, filters=private))
    application.add_handler(CommandHandler("blokkeer", block_command, filters=private))
    application.add_handler(CommandHandler("meld", report_command, filters=private))
    application.add_handler(CallbackQueryHandler(pause_pressed, pattern=f"^{PAUSE_PREFIX}"))
    application.add_handler(CallbackQueryHandler(block_pressed, pattern=f"^{BLOCK_PREFIX}"))
    application.add_handler(CallbackQueryHandler(report_pressed, pattern=f"^{REPORT_PREFIX}"))
    router.on_text(REPORT_FLOW, report_reason_typed)


# --- shared bits -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """What a block or report button points at: a post ("p") or an invitation ("i")."""

    kind: Literal["p", "i"]
    id: int


def parse_ref(kind: str, number: str) -> Ref | None:
    ref_id = parse_id(number)
    if ref_id is None:
        return None
    if kind == "p":
        return Ref("p", ref_id)
    if kind == "i":
        return Ref("i", ref_id)
    return None


def button_data(message: Message | None, prefix: str, bot_id: int) -> str | None:
    """The data of the first `prefix` button on a message the bot sent (for /blokkeer and /meld
    typed as a reply to it)."""
    if message is None or message.reply_markup is None:
        return None
    if message.from_user is None or message.from_user.id != bot_id:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if isinstance(button.callback_data, str) and button.callback_data.startswith(prefix):
                return button.callback_data
    return None


@dataclass(frozen=True)
class Outcome:
    """A reply to show: with buttons as a message, without (a refusal) as a short answer."""

    text: str
    markup: InlineKeyboardMarkup | None = None


async def show(outcome: Outcome, query: CallbackQuery, context: BotContext) -> None:
    """A refusal pops up on the pressed button; a question goes to the presser's private chat
    (never to a group: blocking and reporting are private)."""
    if outcome.markup is None:
        await query.answer(outcome.text)
        return
    await context.bot.send_message(query.from_user.id, outcome.text, reply_markup=outcome.markup)
    await query.answer()


def find_resident(services: Services, user: User) -> Resident | None:
    with session_scope(services.engine) as session:
        return repo.find_resident(session, telegram_user_id=user.id)


# --- /pauze ----------------------------------------------------------------------------------


def pause_keyboard(language: str) -> InlineKeyboardMarkup:
    open_length, open_key = PAUSE_BUTTONS[0]
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, open_key), callback_data=PAUSE_PREFIX + open_length
                )
            ],
            [
                InlineKeyboardButton(t(language, key), callback_data=PAUSE_PREFIX + length)
                for length, key in PAUSE_BUTTONS[1:]
            ],
        ]
    )


def resume_keyboard(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(language, "pause.button.resume"), callback_data=RESUME)]]
    )


def paused_text(language: str, until: datetime | None, services: Services) -> str:
    if until is None:
        return t(language, "pause.on_open")
    day = day_name(language, until, services.settings.tz)
    return t(language, "pause.on_until", day=day)


async def pause_command(update: Update, context: BotContext) -> None:
    """Offer a pause in one tap, or show the pause that holds now with a resume button."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = context.services
    clear_state(services, user.id)
    language = language_for(services, user)
    resident = find_resident(services, user)
    if resident is not None and is_paused(
        paused=resident.paused, paused_until=resident.paused_until, now=services.clock()
    ):
        text = paused_text(language, resident.paused_until, services)
        await message.reply_text(text, reply_markup=resume_keyboard(language))
        return
    await message.reply_text(t(language, "pause.ask"), reply_markup=pause_keyboard(language))


async def pause_pressed(update: Update, context: BotContext) -> None:
    """Pause or resume at once, and say so on the same message."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    services, user = context.services, query.from_user
    choice = query.data.removeprefix(PAUSE_PREFIX)
    language = language_for(services, user)
    if choice != "resume" and choice not in set(PauseLength):
        await query.answer(t(language, "error.stale_button"))
        return
    now = services.clock()
    resuming = choice == "resume"
    until = None if resuming else pause_end(PauseLength(choice), now)
    with session_scope(services.engine) as session:
        # Pausing is the person's own wish, made now: it is recorded even for someone the bot
        # has no row for yet (a newcomer, or someone who deleted their data earlier).
        resident = repo.ensure_resident(
            session,
            telegram_user_id=user.id,
            first_name=user.first_name,
            language=language,
            now=now,
        )
        if resuming:
            pausing.resume(session, resident=resident, now=now)
        else:
            pausing.pause(session, resident=resident, until=until, now=now)
    if resuming:
        await query.edit_message_text(t(language, "pause.resumed"))
    else:
        text = paused_text(language, until, services)
        await query.edit_message_text(text, reply_markup=resume_keyboard(language))
    await query.answer()


# --- /stop -----------------------------------------------------------------------------------


async def stop_command(update: Update, context: BotContext) -> None:
    """Stop every message at once, say goodbye, and offer to delete everything."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = context.services
    clear_state(services, user.id)
    language = language_for(services, user)
    with session_scope(services.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=user.id)
        if resident is not None:
            pausing.leave(session, resident=resident, now=services.clock())
    await message.reply_text(
        t(language, "stop.goodbye"), reply_markup=delete_everything_keyboard(language)
    )


# --- blocking --------------------------------------------------------------------------------


BLOCK_REFUSALS = {
    moderation.Refusal.UNAVAILABLE: "block.unavailable",
    moderation.Refusal.OWN: "block.self",
}
REPORT_REFUSALS = {
    moderation.Refusal.UNAVAILABLE: "report.unavailable",
    moderation.Refusal.OWN: "report.self",
}


def block_question(services: Services, user: User, ref: Ref, language: str) -> Outcome:
    """ "Block <name>?" with yes/no buttons, or why that is not possible."""
    with session_scope(services.engine) as session:
        target = moderation.block_target(
            session, telegram_user_id=user.id, kind=ref.kind, ref_id=ref.id
        )
        if isinstance(target, moderation.Refusal):
            return Outcome(t(language, BLOCK_REFUSALS[target]))
        name = first_name(language, target[1].first_name)
    buttons = [
        InlineKeyboardButton(
            t(language, "block.button.yes"), callback_data=f"{BLOCK_PREFIX}ok:{ref.kind}:{ref.id}"
        ),
        InlineKeyboardButton(t(language, "block.button.no"), callback_data=f"{BLOCK_PREFIX}no"),
    ]
    return Outcome(t(language, "block.ask", name=name), InlineKeyboardMarkup([buttons]))


async def block_command(update: Update, context: BotContext) -> None:
    """Block the person behind the message this is a reply to, or explain how blocking works."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = context.services
    clear_state(services, user.id)
    language = language_for(services, user)
    data = button_data(message.reply_to_message, BLOCK_PREFIX, context.bot.id)
    parts = [] if data is None else data.removeprefix(BLOCK_PREFIX).split(":")
    ref = parse_ref(*parts) if len(parts) == 2 else None
    if ref is None:
        await message.reply_text(t(language, "block.how"))
        return
    outcome = block_question(services, user, ref, language)
    await message.reply_text(outcome.text, reply_markup=outcome.markup)


async def block_pressed(update: Update, context: BotContext) -> None:
    """blk:p / blk:i ask, blk:ok:… blocks, blk:no cancels; anything else is stale or forged."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    services = context.services
    language = language_for(services, query.from_user)
    parts = query.data.removeprefix(BLOCK_PREFIX).split(":")
    if parts == ["no"]:
        await query.edit_message_text(t(language, "block.cancelled"))
        await query.answer()
        return
    confirmed = parts[0] == "ok"
    ref_parts = parts[1:] if confirmed else parts
    ref = parse_ref(*ref_parts) if len(ref_parts) == 2 else None
    if ref is None:
        await query.answer(t(language, "error.stale_button"))
        return
    if not confirmed:
        await show(block_question(services, query.from_user, ref, language), query, context)
        return
    with session_scope(services.engine) as session:
        target = moderation.block_target(
            session, telegram_user_id=query.from_user.id, kind=ref.kind, ref_id=ref.id
        )
        if isinstance(target, moderation.Refusal):
            await query.answer(t(language, BLOCK_REFUSALS[target]))
            return
        presser, other = target
        assert presser.id is not None
        assert other.id is not None
        moderation.add_block(
            session, blocker_id=presser.id, blocked_id=other.id, now=services.clock()
        )
        name = first_name(language, other.first_name)
    await query.edit_message_text(t(language, "block.done", name=name))
    await query.answer()


# --- reporting -------------------------------------------------------------------------------


def report_question(services: Services, user: User, post_id: int, language: str) -> Outcome:
    """Which reason, with the post quoted; or why it cannot be reported."""
    with session_scope(services.engine) as session:
        found = moderation.reportable_post(session, telegram_user_id=user.id, post_id=post_id)
        if isinstance(found, moderation.Refusal):
            return Outcome(t(language, REPORT_REFUSALS[found]))
        reporter, post = found
        assert reporter.id is not None
        if moderation.report_by(session, reporter_id=reporter.id, post_id=post_id):
            return Outcome(t(language, "report.already"))
        quote = shortened(post.text, QUOTE_LENGTH)
    rows = [
        [
            InlineKeyboardButton(
                t(language, key), callback_data=f"{REPORT_PREFIX}why:{post_id}:{reason}"
            )
            for reason, key in REASON_BUTTONS[start : start + 2]
        ]
        for start in (0, 2)
    ]
    rows.append([cancel_report_button(language)])
    return Outcome(t(language, "report.ask", quote=quote), InlineKeyboardMarkup(rows))


def cancel_report_button(language: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t(language, "report.button.cancel"), callback_data=f"{REPORT_PREFIX}no"
    )


def file_report(services: Services, user: User, post_id: int, reason: str) -> str | None:
    """Record the report; None when done, else the refusal text key."""
    with session_scope(services.engine) as session:
        found = moderation.reportable_post(session, telegram_user_id=user.id, post_id=post_id)
        if isinstance(found, moderation.Refusal):
            return REPORT_REFUSALS[found]
        reporter, post = found
        moderation.report_post(
            session, reporter=reporter, post=post, reason=reason, now=services.clock()
        )
    return None


async def report_command(update: Update, context: BotContext) -> None:
    """Report the post this is a reply to, or explain how reporting works."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = context.services
    clear_state(services, user.id)
    language = language_for(services, user)
    data = button_data(message.reply_to_message, REPORT_PREFIX, context.bot.id)
    parts = [] if data is None else data.removeprefix(REPORT_PREFIX).split(":")
    post_id = parse_id(parts[1]) if len(parts) == 2 and parts[0] == "p" else None
    if post_id is None:
        await message.reply_text(t(language, "report.how"))
        return
    outcome = report_question(services, user, post_id, language)
    await message.reply_text(outcome.text, reply_markup=outcome.markup)


async def report_pressed(update: Update, context: BotContext) -> None:
    """rep:p asks why, rep:why/rep:none files the report, rep:no cancels."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    services, user = context.services, query.from_user
    language = language_for(services, user)
    parts = query.data.removeprefix(REPORT_PREFIX).split(":")
    action = parts[0]
    post_id = parse_id(parts[1]) if len(parts) >= 2 else None
    if action == "no" and len(parts) == 1:
        drop_report_dialog(services, user.id)
        await query.edit_message_text(t(language, "report.cancelled"))
        await query.answer()
    elif post_id is None:
        await query.answer(t(language, "error.stale_button"))
    elif action == "p" and len(parts) == 2:
        await show(report_question(services, user, post_id, language), query, context)
    elif action == "why" and len(parts) == 3 and parts[2] == OTHER_REASON:
        await ask_own_words(query, context, post_id, language)
    elif action == "why" and len(parts) == 3 and parts[2] in moderation.REPORT_REASONS:
        await report_and_thank(query, context, post_id, parts[2], language)
    elif action == "none" and len(parts) == 2:
        await report_and_thank(query, context, post_id, "", language)
    else:
        await query.answer(t(language, "error.stale_button"))


async def ask_own_words(
    query: CallbackQuery, context: BotContext, post_id: int, language: str
) -> None:
    """Wait for the reason in the reporter's own words (or none), if the post may be reported."""
    with session_scope(context.services.engine) as session:
        found = moderation.reportable_post(
            session, telegram_user_id=query.from_user.id, post_id=post_id
        )
    if isinstance(found, moderation.Refusal):
        await query.answer(t(language, REPORT_REFUSALS[found]))
        return
    state = DialogState(REPORT_FLOW, REPORT_STEP, {"post_id": post_id})
    save_state(context.services, query.from_user.id, state)
    buttons = [
        InlineKeyboardButton(
            t(language, "report.button.no_reason"), callback_data=f"{REPORT_PREFIX}none:{post_id}"
        ),
        cancel_report_button(language),
    ]
    await query.edit_message_text(
        t(language, "report.own_words"), reply_markup=InlineKeyboardMarkup([buttons])
    )
    await query.answer()


async def report_and_thank(
    query: CallbackQuery, context: BotContext, post_id: int, reason: str, language: str
) -> None:
    drop_report_dialog(context.services, query.from_user.id)
    refusal = file_report(context.services, query.from_user, post_id, reason)
    if refusal is not None:
        await query.answer(t(language, refusal))
        return
    await query.edit_message_text(t(language, "report.thanks"))
    await query.answer()


async def report_reason_typed(update: Update, context: BotContext, state: DialogState) -> None:
    """The reason in the reporter's own words, after they chose "something else"."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.text is None:
        return
    services = context.services
    language = language_for(services, user)
    clear_state(services, user.id)
    post_id = state.data.get("post_id")
    refusal = (
        file_report(services, user, post_id, message.text)
        if isinstance(post_id, int)
        else "report.unavailable"
    )
    await message.reply_text(t(language, refusal or "report.thanks"))


def drop_report_dialog(services: Services, chat_id: int) -> None:
    state = load_state(services, chat_id)
    if state is not None and state.flow == REPORT_FLOW:
        clear_state(services, chat_id)
