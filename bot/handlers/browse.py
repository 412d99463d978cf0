"""/buurt: open requests and offers nearby, and "Ik kan helpen" / "Interesse".

One message, edited in place: a page of a few posts (nearest first, then newest), each a button
that opens it with its actions; "Meer"/"Vorige" turn the page. Neighbours are shown by first
name and rough distance only. Own posts, posts of people who left, and posts of anyone the two
blocked (either way) are never shown.

Callback data (re-checked against the database on every press): nb:page:<n>,
nb:show:<post id>:<n> (n: the page to go back to), nb:help:<post id>.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import BotApplication, BotContext, language_for
from bot.dialog import DialogRouter, clear_state
from bot.handlers.invitations import help_with_request
from bot.handlers.post_support import (
    ask_or_offer_keyboard,
    parse_id,
    say,
    settled_resident,
    show_in_place,
    stale,
)
from bot.i18n import Html, t
from bot.keyboards import (
    block_post_author_button,
    block_responder_button,
    report_post_button,
)
from bot.notify import notify, reachable
from bot.post_views import (
    category_name,
    distance_text,
    first_name,
    kind_name,
    post_summary,
    shortened,
)
from matching.browse import Listing, Page, Placed, nearest_then_newest, page_of
from matching.distance import rough_distance
from storage import matchmaking, posts, repo
from storage.db import session_scope
from storage.models import Post, PostKind, Resident

PREFIX: Final = "nb:"
# Pages beyond this are not a real list (the button data is forged).
MAX_PAGE: Final = 1000

HELP_LABELS = {
    PostKind.REQUEST: "browse.button.help",
    PostKind.OFFER: "browse.button.interest",
}


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("buurt", look_around, filters=private))
    application.add_handler(CallbackQueryHandler(browse_pressed, pattern=f"^{PREFIX}"))


@dataclass(frozen=True)
class Card:
    """A post and the only thing a viewer learns of its author: a first name."""

    post: Post
    author_name: str


async def look_around(update: Update, context: BotContext) -> None:
    """Show the first page of open requests and offers nearby."""
    chat = update.effective_chat
    viewer = await settled_resident(update, context)
    if chat is None or viewer is None:
        return
    clear_state(context.services, chat.id)  # a command replaces whatever dialog was going on
    text, markup = _list_screen(context, viewer, 1)
    await say(update, context, text, markup)


async def browse_pressed(update: Update, context: BotContext) -> None:
    """A page, a post or "Ik kan helpen": everything named in the data is checked again."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    services = context.services
    parts = query.data.removeprefix(PREFIX).split(":")
    with session_scope(services.engine) as session:
        viewer = repo.find_resident(session, telegram_user_id=query.from_user.id)
    language = viewer.language if viewer else language_for(services, query.from_user)
    if viewer is None or viewer.wijk_id is None or viewer.stopped:
        await stale(query, language)
        return
    match parts:
        case ["page", number] if (page := parse_id(number)) and page <= MAX_PAGE:
            await query.answer()
            await show_in_place(query, *_list_screen(context, viewer, page))
        case ["show", post_id, number] if (
            (wanted := parse_id(post_id)) and (page := parse_id(number)) and page <= MAX_PAGE
        ):
            await _show_post(query, context, viewer, wanted, page)
        case ["help", post_id] if wanted := parse_id(post_id):
            await _volunteer(query, context, viewer, wanted)
        case _:
            await stale(query, language)


def _cards(context: BotContext, viewer: Resident) -> list[Placed[Card]]:
    services = context.services
    with session_scope(services.engine) as session:
        rows = posts.visible_posts(session, viewer=viewer, now=services.clock())
    listings = [
        Listing(
            Card(post, first_name(viewer.language, author.first_name)),
            post.area_cell,
            post.created_at,
        )
        for post, author in rows
    ]
    return nearest_then_newest(viewer.area_cell, listings)


def _list_screen(
    context: BotContext, viewer: Resident, number: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    language = viewer.language
    page = page_of(_cards(context, viewer), number)
    if not page.entries:
        return t(language, "browse.empty"), ask_or_offer_keyboard(language)
    lines = [
        t(
            language,
            "browse.header",
            first=page.first_position,
            last=page.first_position + len(page.entries) - 1,
            total=page.total,
        )
    ]
    rows: list[list[InlineKeyboardButton]] = []
    for position, entry in enumerate(page.entries, start=page.first_position):
        card = entry.item
        lines.append(
            t(
                language,
                "browse.line",
                number=position,
                kind=kind_name(language, card.post.kind),
                category=category_name(language, card.post.category),
                text=shortened(card.post.text),
                who=Html(_who(language, entry)),
            )
        )
        rows.append(
            [
                InlineKeyboardButton(
                    t(
                        language,
                        "browse.button.open",
                        number=position,
                        category=category_name(language, card.post.category),
                    ),
                    callback_data=f"{PREFIX}show:{card.post.id}:{page.number}",
                )
            ]
        )
    rows.extend(_page_buttons(language, page))
    return "\n\n".join(lines), InlineKeyboardMarkup(rows)


def _who(language: str, entry: Placed[Card]) -> str:
    """ "Anna · in je buurt", or just "Anna" when the distance is unknown."""
    distance = distance_text(language, entry.distance)
    if distance is None:
        return t(language, "browse.who", name=entry.item.author_name)
    return t(language, "browse.who_where", name=entry.item.author_name, distance=distance)


def _page_buttons(language: str, page: Page[Card]) -> list[list[InlineKeyboardButton]]:
    buttons = []
    if page.has_previous:
        buttons.append(
            InlineKeyboardButton(
                t(language, "browse.button.previous"),
                callback_data=f"{PREFIX}page:{page.number - 1}",
            )
        )
    if page.has_next:
        buttons.append(
            InlineKeyboardButton(
                t(language, "browse.button.more"), callback_data=f"{PREFIX}page:{page.number + 1}"
            )
        )
    return [buttons] if buttons else []


def _visible(context: BotContext, viewer: Resident, post_id: int) -> tuple[Post, Resident] | None:
    services = context.services
    with session_scope(services.engine) as session:
        return posts.visible_post(session, viewer=viewer, post_id=post_id, now=services.clock())


async def _show_post(
    query: CallbackQuery, context: BotContext, viewer: Resident, post_id: int, page: int
) -> None:
    """One post in full, with "Ik kan helpen" (or "Interesse"), report and block."""
    language = viewer.language
    found = _visible(context, viewer, post_id)
    if found is None:
        await query.answer(t(language, "browse.gone"))
        return
    post, author = found
    assert post.id is not None
    services = context.services
    zone = services.settings.tz
    entry = Placed(
        Card(post, first_name(language, author.first_name)),
        rough_distance(viewer.area_cell, post.area_cell),
    )
    text = t(
        language,
        "browse.detail",
        summary=post_summary(language, post, now=services.clock().astimezone(zone), zone=zone),
        who=Html(_who(language, entry)),
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, HELP_LABELS[PostKind(post.kind)]),
                    callback_data=f"{PREFIX}help:{post.id}",
                )
            ],
            [report_post_button(language, post.id), block_post_author_button(language, post.id)],
            [
                InlineKeyboardButton(
                    t(language, "browse.button.back"), callback_data=f"{PREFIX}page:{page}"
                )
            ],
        ]
    )
    await query.answer()
    await show_in_place(query, text, markup)


async def _volunteer(
    query: CallbackQuery, context: BotContext, viewer: Resident, post_id: int
) -> None:
    """A yes to a request (the asker chooses, as for an invitation), or interest in an offer
    recorded once and told to its author (if reachable)."""
    services = context.services
    language = viewer.language
    assert viewer.id is not None
    now = services.clock()
    with session_scope(services.engine) as session:
        found = posts.visible_post(session, viewer=viewer, post_id=post_id, now=now)
        is_request = found is not None and found[0].kind == PostKind.REQUEST.value
        recorded = None
        if found is not None and not is_request:
            recorded = posts.volunteer(session, post=found[0], resident_id=viewer.id, now=now)
    if found is None:
        # A request someone (maybe this viewer) said yes to is out of the list already.
        with session_scope(services.engine) as session:
            before = matchmaking.said_yes_before(session, post_id=post_id, resident_id=viewer.id)
        await query.answer(t(language, "browse.already" if before else "browse.gone"))
        return
    post, author = found
    if is_request:
        if not reachable(author, now):
            # A yes now would wait unseen until they are back: say so instead.
            name = first_name(language, author.first_name)
            await query.answer(t(language, "browse.author_away", name=name), show_alert=True)
            return
        # The asker chooses: the same path as a yes to an invitation (first one wins).
        await help_with_request(query, context, viewer, post_id)
        return
    assert recorded is not None
    invitation, news = recorded
    if not news:
        await query.answer(t(language, "browse.already"))
        return
    await query.answer()
    author_language = author.language
    assert author.id is not None
    assert invitation.id is not None
    # Only the first name: no username, phone number or address ever goes through here.
    await notify(
        context,
        resident_id=author.id,
        text=t(
            author_language,
            "browse.notify_offer",
            name=first_name(author_language, viewer.first_name),
            text=post.text,
        ),
        reply_markup=InlineKeyboardMarkup(
            [[block_responder_button(author_language, invitation.id)]]
        ),
    )
    thanks = t(language, "browse.thanks_offer", name=first_name(language, author.first_name))
    await context.bot.send_message(query.from_user.id, thanks)
