"""After the request's time: "is het gelukt?" to both, a thank-you to the other, or asking again.

Callback data (re-checked against the database on every press):
  fu:t:<match id>  it worked, and say thank you     fu:y:<match id>  it worked
  fu:n:<match id>  it did not (helper)              fu:r:<match id>  ask again (asker)
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.handlers.match_support import Pair, close_message, read_press
from bot.handlers.post_support import stale
from bot.i18n import Html, t
from bot.matchmaking import start_looking
from bot.notify import notify, send_due_messages
from bot.post_views import first_name, shortened
from bot.services.posting import hold_for
from storage import matchmaking as store
from storage import outbox, posts
from storage.db import session_scope
from storage.models import Match, MatchStatus, Post, PostKind, PostStatus, Resident

FOLLOW_UP_PREFIX: Final = "fu:"


def register(application: BotApplication, router: DialogRouter) -> None:
    application.add_handler(
        CallbackQueryHandler(follow_up_pressed, pattern=f"^{FOLLOW_UP_PREFIX}")
    )


async def send_follow_ups(context: BotContext) -> None:
    """Part of the repeating job: "is het gelukt?" to both, once, after the request's time."""
    services = context.services
    now = services.clock()
    with session_scope(services.engine) as session:
        for match in store.claim_due_follow_ups(session, now=now):
            store.follow_up_sent(session, match=match)
            if match.status not in (MatchStatus.ACTIVE.value, MatchStatus.ENDED.value):
                continue
            pair = Pair.of(session, match)
            post = session.get(Post, match.post_id)
            text = "" if post is None else shortened(post.text)
            for person, is_asker in ((pair.asker, True), (pair.helper, False)):
                other = pair.other(person.id or 0)
                name = first_name(person.language, other.first_name)
                outbox.enqueue(
                    session,
                    chat_id=person.telegram_user_id,
                    text=t(
                        person.language,
                        "follow_up.asker" if is_asker else "follow_up.helper",
                        name=name,
                        text=text,
                    ),
                    reply_markup=_follow_up_keyboard(
                        person.language, pair.match_id, name, asker=is_asker
                    ).to_dict(),
                    due_at=now,
                )
    await send_due_messages(context)


def _follow_up_keyboard(
    language: str, match_id: int, name: str, *, asker: bool
) -> InlineKeyboardMarkup:
    def button(key: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            # Html: button labels are not parsed as HTML, so the name must not be escaped.
            t(language, key, name=Html(name)),
            callback_data=f"{FOLLOW_UP_PREFIX}{action}:{match_id}",
        )

    last = button("follow_up.button.again", "r") if asker else button("follow_up.button.no", "n")
    return InlineKeyboardMarkup(
        [[button("follow_up.button.thanks", "t")], [button("follow_up.button.yes", "y")], [last]]
    )


async def follow_up_pressed(update: Update, context: BotContext) -> None:
    """It worked (with or without a thank-you), it did not, or: ask again."""
    press = await read_press(update, context, FOLLOW_UP_PREFIX)
    if press is None:
        return
    services = context.services
    now = services.clock()
    worked = press.action in ("t", "y")
    again = None
    with session_scope(services.engine) as session:
        match = store.match_of(session, match_id=press.ref, resident_id=press.resident_id)
        is_asker = match is not None and match.asker_id == press.resident_id
        valid = press.action in ("t", "y") or (press.action == ("r" if is_asker else "n"))
        if (
            match is None
            or not valid
            # Only once "is het gelukt?" was sent, for a match that went ahead, and never
            # between two people when one blocked the other.
            or not store.follow_up_open(session, match=match)
            or not store.record_worked(
                session, match=match, resident_id=press.resident_id, worked=worked
            )
        ):
            pair = None
        else:
            pair = Pair.of(session, match)
            store.end(session, match=match, now=now)
            if is_asker:
                again = _settle(session, match, worked=worked, now=now)
    if pair is None:
        await stale(press.query, press.language)
        return
    await press.query.answer()
    other = pair.other(press.resident_id)
    name = first_name(press.language, other.first_name)
    if press.action == "t":
        assert other.id is not None
        await notify(
            context,
            resident_id=other.id,
            text=t(
                other.language,
                "follow_up.thanks_note",
                name=first_name(other.language, press.resident.first_name),
            ),
        )
        await close_message(press.query, t(press.language, "follow_up.thanks_sent", name=name))
    elif worked:
        await close_message(press.query, t(press.language, "follow_up.glad"))
    elif again is not None:
        await close_message(press.query, t(press.language, "follow_up.asking_again"))
        await start_looking(context, again)
    elif is_asker:
        await close_message(press.query, t(press.language, "follow_up.closed"))
    else:
        await close_message(press.query, t(press.language, "follow_up.pity"))


def _settle(session: Session, match: Match, *, worked: bool, now: datetime) -> Post | None:
    """The asker's answer closes the request; "opnieuw vragen" places it again, without a
    time, and starts looking from scratch. Returns the new request."""
    post = session.get(Post, match.post_id)
    asker = session.get(Resident, match.asker_id)
    if post is None or asker is None:
        return None
    status = PostStatus.DONE if worked else PostStatus.WITHDRAWN
    post.status, post.updated_at = status.value, now
    session.add(post)
    if worked or asker.wijk_id is None or asker.stopped:
        return None
    if hold_for(session, asker, now) is not None:
        return None  # the posting limits hold here too; they can ask with /vraag later
    again = posts.create_post(
        session,
        resident=asker,
        kind=PostKind.REQUEST,
        category=post.category,
        text=post.text,
        window_start=None,
        window_end=None,
        now=now,
    )
    store.start_flow(session, post=again, now=now)
    return again
