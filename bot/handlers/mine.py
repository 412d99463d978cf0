"""/mijn: one's own open requests and offers, to change the words, close or withdraw them.

One message, edited in place: the list with a button per post; a post with "Tekst aanpassen",
"Geregeld" and "Intrekken". Dialog flow "post_edit" (step "text", data {"post_id"}) waits for
the new words.

Callback data (ownership and open status re-checked on every press): mine:list,
mine:show:<post id>, mine:edit:<post id>, mine:done:<post id>, mine:wd:<post id>.
"""

from __future__ import annotations

from typing import Final

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import BotApplication, BotContext, language_for
from bot.dialog import DialogRouter, DialogState, clear_state, save_state
from bot.handlers.post_support import (
    ask_or_offer_keyboard,
    parse_id,
    say,
    settled_resident,
    show_in_place,
    stale,
    words_or_explain,
)
from bot.i18n import t
from bot.post_views import category_name, kind_name, post_summary, shortened
from storage import matchmaking, posts, repo
from storage.db import session_scope
from storage.models import Post, PostStatus, Resident

PREFIX: Final = "mine:"
FLOW_EDIT: Final = "post_edit"
STEP_EDIT_TEXT: Final = "text"

CLOSED = {
    PostStatus.DONE: "mine.closed_done",
    PostStatus.WITHDRAWN: "mine.closed_withdrawn",
}


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("mijn", show_own_posts, filters=private))
    application.add_handler(CallbackQueryHandler(mine_pressed, pattern=f"^{PREFIX}"))
    router.on_text(FLOW_EDIT, new_words_received)


async def show_own_posts(update: Update, context: BotContext) -> None:
    """List the person's open requests and offers."""
    chat = update.effective_chat
    resident = await settled_resident(update, context)
    if chat is None or resident is None:
        return
    clear_state(context.services, chat.id)  # a command replaces whatever dialog was going on
    await say(update, context, *_list_screen(context, resident))


async def mine_pressed(update: Update, context: BotContext) -> None:
    """A button on one's own posts: the post must still be theirs and open."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    services = context.services
    with session_scope(services.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=query.from_user.id)
    if resident is None:
        await stale(query, language_for(services, query.from_user))
        return
    match query.data.removeprefix(PREFIX).split(":"):
        case ["list"]:
            await query.answer()
            await show_in_place(query, *_list_screen(context, resident))
        case ["show", post_id] if wanted := parse_id(post_id):
            await _show_post(query, context, resident, wanted)
        case ["edit", post_id] if wanted := parse_id(post_id):
            await _ask_new_words(query, context, resident, wanted)
        case ["done", post_id] if wanted := parse_id(post_id):
            await _close(query, context, resident, wanted, PostStatus.DONE)
        case ["wd", post_id] if wanted := parse_id(post_id):
            await _close(query, context, resident, wanted, PostStatus.WITHDRAWN)
        case _:
            await stale(query, resident.language)


def _own_post(context: BotContext, resident: Resident, post_id: int) -> Post | None:
    assert resident.id is not None
    with session_scope(context.services.engine) as session:
        return posts.own_open_post(session, resident_id=resident.id, post_id=post_id)


def _list_screen(
    context: BotContext, resident: Resident
) -> tuple[str, InlineKeyboardMarkup | None]:
    language = resident.language
    assert resident.id is not None
    with session_scope(context.services.engine) as session:
        own = posts.open_posts_of(session, resident_id=resident.id)
    if not own:
        return t(language, "mine.empty"), ask_or_offer_keyboard(language)
    lines = [t(language, "mine.header")]
    rows = []
    for number, post in enumerate(own, start=1):
        category = category_name(language, post.category)
        lines.append(
            t(
                language,
                "mine.line",
                number=number,
                kind=kind_name(language, post.kind),
                category=category,
                text=shortened(post.text),
            )
        )
        label = t(language, "mine.button.open", number=number, category=category)
        rows.append([InlineKeyboardButton(label, callback_data=f"{PREFIX}show:{post.id}")])
    return "\n\n".join(lines), InlineKeyboardMarkup(rows)


def _back_button(language: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(t(language, "mine.button.back"), callback_data=f"{PREFIX}list")


async def _show_post(
    query: CallbackQuery, context: BotContext, resident: Resident, post_id: int
) -> None:
    language = resident.language
    post = _own_post(context, resident, post_id)
    if post is None:
        await query.answer(t(language, "mine.gone"))
        return
    zone = context.services.settings.tz
    now = context.services.clock().astimezone(zone)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "mine.button.edit"), callback_data=f"{PREFIX}edit:{post.id}"
                ),
                InlineKeyboardButton(
                    t(language, "mine.button.done"), callback_data=f"{PREFIX}done:{post.id}"
                ),
            ],
            [
                InlineKeyboardButton(
                    t(language, "mine.button.withdraw"), callback_data=f"{PREFIX}wd:{post.id}"
                )
            ],
            [_back_button(language)],
        ]
    )
    await query.answer()
    await show_in_place(query, post_summary(language, post, now=now, zone=zone), markup)


async def _close(
    query: CallbackQuery,
    context: BotContext,
    resident: Resident,
    post_id: int,
    status: PostStatus,
) -> None:
    """Geregeld (done) or withdrawn: either way it leaves the neighbourhood's list at once."""
    services = context.services
    language = resident.language
    assert resident.id is not None
    with session_scope(services.engine) as session:
        post = posts.own_open_post(session, resident_id=resident.id, post_id=post_id)
        if post is not None:
            posts.close_post(session, post=post, status=status, now=services.clock())
            # A request's search stops at the next run of the matching job (its unanswered
            # invitations are closed there).
            matchmaking.look_again(session, post_id=post_id, now=services.clock())
    if post is None:
        await query.answer(t(language, "mine.gone"))
        return
    await query.answer()
    text = t(language, CLOSED[status], text=shortened(post.text))
    await show_in_place(query, text, InlineKeyboardMarkup([[_back_button(language)]]))


async def _ask_new_words(
    query: CallbackQuery, context: BotContext, resident: Resident, post_id: int
) -> None:
    language = resident.language
    post = _own_post(context, resident, post_id)
    if post is None:
        await query.answer(t(language, "mine.gone"))
        return
    save_state(
        context.services,
        query.from_user.id,
        DialogState(FLOW_EDIT, STEP_EDIT_TEXT, {"post_id": post_id}),
    )
    await query.answer()
    await context.bot.send_message(
        query.from_user.id, t(language, "mine.edit_prompt", text=post.text)
    )


async def new_words_received(update: Update, context: BotContext, state: DialogState) -> None:
    """Replace a post's words, if it is still the person's own and open."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    services = context.services
    resident = await settled_resident(update, context)
    post_id = state.data.get("post_id")
    if resident is None or not isinstance(post_id, int):
        clear_state(services, chat.id)
        return
    language = resident.language
    text = await words_or_explain(message, language)
    if text is None:
        return
    assert resident.id is not None
    with session_scope(services.engine) as session:
        post = posts.own_open_post(session, resident_id=resident.id, post_id=post_id)
        if post is not None:
            posts.set_post_text(session, post=post, text=text, now=services.clock())
    clear_state(services, chat.id)
    if post is None:
        await message.reply_text(t(language, "mine.gone"))
        return
    zone = services.settings.tz
    block = post_summary(language, post, now=services.clock().astimezone(zone), zone=zone)
    await message.reply_text(
        t(language, "mine.edited", summary=block),
        reply_markup=InlineKeyboardMarkup([[_back_button(language)]]),
    )
