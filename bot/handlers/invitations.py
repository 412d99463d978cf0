"""Answering an invitation, the asker's choice, widening, and the relay between the two.

Callback data (never trusted: every press is re-checked against the database):
  inv:y:<invitation id>   "Ik help graag"        inv:n:<invitation id>  "Nu even niet"
  mt:a:<match id>         the asker says yes     mt:d:<match id>        the asker says no thanks
  mt:s:<match id>         share my username      mt:e:<match id>        stop the relay
  wid:y:<post id>         look further away      wid:n:<post id>        keep it close by
(the follow-up's buttons live in bot/handlers/follow_up.py)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlmodel import Session
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot.context import BotApplication, BotContext, Services
from bot.dialog import DialogRouter
from bot.handlers.match_support import Pair, Press, close_message, read_press
from bot.handlers.post_support import stale
from bot.i18n import t
from bot.keyboards import block_responder_button
from bot.matchmaking import (
    INVITE_PREFIX,
    WIDEN_PREFIX,
    advance_now,
    close_invitations,
    drop_unsent_invitations,
)
from bot.notify import notify, reachable, send_due_messages
from bot.post_views import distance_text, first_name, shortened
from matching.distance import rough_distance
from matching.flow import follow_up_at
from storage import matchmaking as store
from storage import outbox, repo
from storage.db import session_scope
from storage.models import Match, MatchStatus, Post, Resident

log = logging.getLogger(__name__)

MATCH_PREFIX: Final = "mt:"


def register(application: BotApplication, router: DialogRouter) -> None:
    application.add_handler(CallbackQueryHandler(invitation_pressed, pattern=f"^{INVITE_PREFIX}"))
    application.add_handler(CallbackQueryHandler(match_pressed, pattern=f"^{MATCH_PREFIX}"))
    application.add_handler(CallbackQueryHandler(widen_pressed, pattern=f"^{WIDEN_PREFIX}"))
    router.otherwise(relay)


# --- the invitee ---------------------------------------------------------------------------


async def invitation_pressed(update: Update, context: BotContext) -> None:
    """Answer an invitation: the first yes wins the request, "nu even niet" is always fine."""
    press = await read_press(update, context, INVITE_PREFIX)
    if press is None:
        return
    if press.action == "y":
        await _say_yes(press, context)
    elif press.action == "n":
        await _say_not_now(press, context)
    else:
        await stale(press.query, press.language)


async def _say_not_now(press: Press, context: BotContext) -> None:
    services = context.services
    with session_scope(services.engine) as session:
        invitation = store.own_invitation(
            session, invitation_id=press.ref, resident_id=press.resident_id
        )
        changed = invitation is not None and store.say_not_now(
            session, invitation=invitation, now=services.clock()
        )
    if invitation is None:
        await stale(press.query, press.language)
        return
    if not changed:
        key = "invite.taken" if invitation.status == "superseded" else "invite.already"
        await press.query.answer(t(press.language, key))
        return
    await press.query.answer()
    await close_message(press.query, t(press.language, "invite.not_now_thanks"))
    await advance_now(context, invitation.post_id)


async def _say_yes(press: Press, context: BotContext) -> None:
    services = context.services
    now = services.clock()
    with session_scope(services.engine) as session:
        invitation = store.own_invitation(
            session, invitation_id=press.ref, resident_id=press.resident_id
        )
        yes = (
            None if invitation is None else store.say_yes(session, invitation=invitation, now=now)
        )
        asker_name = None if yes is None else _queue_offer(services, session, yes, now)
    if yes is None:
        await stale(press.query, press.language)
        return
    await _after_yes(press.query, context, press.language, yes, asker_name, from_invitation=True)


async def help_with_request(
    query: CallbackQuery, context: BotContext, helper: Resident, post_id: int
) -> None:
    """ "Ik kan helpen" on a request in /buurt: a yes like any other, first one wins."""
    services = context.services
    now = services.clock()
    assert helper.id is not None
    with session_scope(services.engine) as session:
        yes = store.volunteer_for_request(session, post_id=post_id, resident_id=helper.id, now=now)
        asker_name = _queue_offer(services, session, yes, now)
    await _after_yes(query, context, helper.language, yes, asker_name, from_invitation=False)


def _queue_offer(
    services: Services, session: Session, yes: store.Yes, now: datetime
) -> str | None:
    """For a winning yes: the card for the asker goes into the outbox in the same transaction
    (so a crash or a failed edit cannot lose it), and superseded invitations that were not sent
    yet are not sent. Returns the asker's first name as the helper sees it."""
    if yes.match is None:
        return None
    drop_unsent_invitations(session, yes.superseded)
    card = _offer_card(services, session, yes.match, now)
    asker = session.get(Resident, yes.match.asker_id)
    assert asker is not None
    outbox.enqueue(
        session,
        chat_id=asker.telegram_user_id,
        text=card.text,
        reply_markup=card.markup.to_dict(),
        due_at=now,
        key=f"offer:{yes.match.id}",
    )
    return card.asker_name


async def _after_yes(
    query: CallbackQuery,
    context: BotContext,
    language: str,
    yes: store.Yes,
    asker_name: str | None,
    *,
    from_invitation: bool,
) -> None:
    """Tell the one who said yes how it went; when they won, the asker's card goes out."""
    if yes.result is store.YesResult.MATCHED and asker_name is not None:
        await query.answer()
        await send_due_messages(context)  # the card first: the rest is cosmetic
        thanks = t(language, "invite.yes_thanks", name=asker_name)
        if from_invitation:
            await close_message(query, thanks)
        else:
            await context.bot.send_message(query.from_user.id, thanks)
        await close_invitations(context, yes.superseded, "invite.taken")
        return
    key = {
        store.YesResult.TAKEN: "invite.taken",
        store.YesResult.GONE: "invite.gone",
    }.get(yes.result, "invite.already")
    await query.answer(t(language, key))
    if from_invitation and key != "invite.already":
        await close_message(query, t(language, key))


@dataclass(frozen=True)
class _Card:
    asker_name: str
    text: str
    markup: InlineKeyboardMarkup


def _offer_card(services: Services, session: Session, match: Match, now: datetime) -> _Card:
    """What the asker sees of a neighbour who said yes: first name, rough distance, how often
    they helped before (never a score), and the choice."""
    asker = session.get(Resident, match.asker_id)
    helper = session.get(Resident, match.helper_id)
    post = session.get(Post, match.post_id)
    assert asker is not None
    assert helper is not None
    assert post is not None
    assert match.id is not None
    language = asker.language
    name = first_name(language, helper.first_name)
    helped = store.times_helped(session, resident_id=match.helper_id)
    lines = [t(language, "offer.text", name=name, text=shortened(post.text))]
    distance = distance_text(language, rough_distance(asker.area_cell, helper.area_cell))
    if distance is not None:
        lines.append(t(language, "offer.distance", distance=distance))
    if helped == 1:
        lines.append(t(language, "offer.helped_once", name=name))
    elif helped > 1:
        lines.append(t(language, "offer.helped_times", name=name, count=helped))
    lines.append(t(language, "offer.question"))
    invitation = store.accepted_invitation(session, match=match)
    block_row = [] if invitation is None else [[block_responder_button(language, invitation)]]
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "offer.button.yes"), callback_data=f"{MATCH_PREFIX}a:{match.id}"
                ),
                InlineKeyboardButton(
                    t(language, "offer.button.no"), callback_data=f"{MATCH_PREFIX}d:{match.id}"
                ),
            ],
            *block_row,
        ]
    )
    return _Card(
        asker_name=first_name(helper.language, asker.first_name),
        text="\n".join(lines),
        markup=markup,
    )


# --- the asker's choice, and the relay -------------------------------------------------------


async def match_pressed(update: Update, context: BotContext) -> None:
    """The asker accepts or lets go; either of the two shares their username or ends it."""
    press = await read_press(update, context, MATCH_PREFIX)
    if press is None:
        return
    services = context.services
    now = services.clock()
    if press.action == "s" and not press.query.from_user.username:
        await press.query.answer(t(press.language, "relay.no_username"), show_alert=True)
        return
    with session_scope(services.engine) as session:
        match = store.match_of(session, match_id=press.ref, resident_id=press.resident_id)
        if match is None:
            outcome = None
        elif press.action in ("a", "d") and match.asker_id != press.resident_id:
            outcome = None  # only the asker chooses
        elif press.action == "a":
            post = session.get(Post, match.post_id)
            due = follow_up_at(None if post is None else post.window_end, now)
            outcome = (
                Pair.of(session, match)
                if store.accept(session, match=match, now=now, follow_up_at=due)
                else None
            )
        elif press.action == "d":
            outcome = (
                Pair.of(session, match) if store.decline(session, match=match, now=now) else None
            )
        elif press.action == "e":
            outcome = Pair.of(session, match) if store.end(session, match=match, now=now) else None
        elif press.action == "s":
            outcome = _share(press, session, match, now)
        else:
            outcome = None
    if outcome is None:
        await stale(press.query, press.language)
        return
    await press.query.answer()
    if press.action == "a":
        await _connected(press, context, outcome)
    elif press.action == "d":
        await close_message(press.query, t(press.language, "offer.declined"))
        helper = outcome.helper
        assert helper.id is not None
        # They were promised an answer; it says nothing about why, and nothing is counted.
        await notify(context, resident_id=helper.id, text=t(helper.language, "offer.not_needed"))
        await advance_now(context, outcome.post_id)
    elif press.action == "e":
        await _relay_ended(press, context, outcome)
    elif press.action == "s":
        await _shared(press, context, outcome)


def stop_keyboard(language: str, match_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "relay.button.end"), callback_data=f"{MATCH_PREFIX}e:{match_id}"
                )
            ]
        ]
    )


def relay_keyboard(language: str, match_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "relay.button.share"), callback_data=f"{MATCH_PREFIX}s:{match_id}"
                ),
                InlineKeyboardButton(
                    t(language, "relay.button.end"), callback_data=f"{MATCH_PREFIX}e:{match_id}"
                ),
            ]
        ]
    )


async def _connected(press: Press, context: BotContext, pair: Pair) -> None:
    asker, helper = pair.asker, pair.helper
    helper_name = first_name(asker.language, helper.first_name)
    await close_message(
        press.query,
        t(asker.language, "relay.open_asker", name=helper_name),
        relay_keyboard(asker.language, pair.match_id),
    )
    assert helper.id is not None
    await notify(
        context,
        resident_id=helper.id,
        text=t(
            helper.language,
            "relay.open_helper",
            name=first_name(helper.language, asker.first_name),
        ),
        reply_markup=relay_keyboard(helper.language, pair.match_id),
    )


def _share(press: Press, session: Session, match: Match, now: datetime) -> Pair | None:
    already = match.asker_shares if press.resident_id == match.asker_id else match.helper_shares
    if match.status != MatchStatus.ACTIVE.value or already:
        return None
    both = store.share_username(
        session,
        match=match,
        resident_id=press.resident_id,
        username=press.query.from_user.username,
    )
    if both:
        # From here on they talk directly; the bot stops passing messages on.
        store.end(session, match=match, now=now)
    return Pair.of(session, match, both_share=both)


async def _shared(press: Press, context: BotContext, pair: Pair) -> None:
    other = pair.other(press.resident_id)
    if not pair.both_share:
        assert other.id is not None
        await press.query.edit_message_reply_markup(stop_keyboard(press.language, pair.match_id))
        await context.bot.send_message(
            press.query.from_user.id,
            t(
                press.language,
                "relay.share_waiting",
                name=first_name(press.language, other.first_name),
            ),
        )
        await notify(
            context,
            resident_id=other.id,
            text=t(
                other.language,
                "relay.share_asked",
                name=first_name(other.language, press.resident.first_name),
            ),
            reply_markup=relay_keyboard(other.language, pair.match_id),
        )
        return
    await press.query.edit_message_reply_markup(None)
    for person, username_of_other in (
        (pair.asker, pair.helper_username),
        (pair.helper, pair.asker_username),
    ):
        partner = pair.other(person.id or 0)
        assert person.id is not None
        await notify(
            context,
            resident_id=person.id,
            text=t(
                person.language,
                "relay.shared",
                name=first_name(person.language, partner.first_name),
                username=f"@{username_of_other}",
            ),
        )


async def _relay_ended(press: Press, context: BotContext, pair: Pair) -> None:
    other = pair.other(press.resident_id)
    await press.query.edit_message_reply_markup(None)
    await context.bot.send_message(press.query.from_user.id, t(press.language, "relay.ended_you"))
    assert other.id is not None
    await notify(
        context,
        resident_id=other.id,
        text=t(
            other.language,
            "relay.ended_other",
            name=first_name(other.language, press.resident.first_name),
        ),
    )


async def relay(update: Update, context: BotContext) -> bool:
    """Pass a message to the person this resident is matched with (text, photo, location).

    Sent as the bot's own message with the sender's first name, never forwarded: a forward
    would show the sender's Telegram profile before they chose to share it.
    """
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return False
    services = context.services
    with session_scope(services.engine) as session:
        sender = repo.find_resident(session, telegram_user_id=user.id)
        if sender is None or sender.id is None:
            return False
        match = store.relay_match(session, resident_id=sender.id)
        if match is None:
            return False
        store.touch(session, match=match, now=services.clock())
        pair = Pair.of(session, match)
    receiver = pair.other(sender.id)
    language = sender.language
    if not reachable(receiver, services.clock()):
        # Pausing is absolute, also for the person one is arranging something with.
        name = first_name(language, receiver.first_name)
        await message.reply_text(t(language, "relay.receiver_paused", name=name))
        return True
    name = first_name(receiver.language, sender.first_name)
    try:
        await _copy(message, context, receiver, name)
    except TelegramError as error:
        log.info("relay to resident %s failed: %s", receiver.id, error)
        await message.reply_text(t(language, "relay.undelivered"))
    return True


# Room left for the sender's name around a relayed text or caption (Telegram's limits are
# 4096 characters for a message, 1024 for a caption).
RELAY_TEXT_LIMIT: Final = 3900
RELAY_CAPTION_LIMIT: Final = 900


async def _copy(message: Message, context: BotContext, receiver: Resident, name: str) -> None:
    chat_id, language, bot = receiver.telegram_user_id, receiver.language, context.bot
    if message.photo:
        caption = (message.caption or "")[:RELAY_CAPTION_LIMIT]
        text = t(language, "relay.photo", name=name, caption=caption)
        await bot.send_photo(chat_id, message.photo[-1].file_id, caption=text)
    elif message.location is not None:
        await bot.send_message(chat_id, t(language, "relay.location", name=name))
        await bot.send_location(
            chat_id,
            latitude=message.location.latitude,
            longitude=message.location.longitude,
        )
    else:
        text = (message.text or "")[:RELAY_TEXT_LIMIT]
        await bot.send_message(chat_id, t(language, "relay.text", name=name, text=text))


# --- widening --------------------------------------------------------------------------------


async def widen_pressed(update: Update, context: BotContext) -> None:
    """The asker answers whether the request may go further away (silence is never a yes)."""
    press = await read_press(update, context, WIDEN_PREFIX)
    if press is None or press.action not in ("y", "n"):
        if press is not None:
            await stale(press.query, press.language)
        return
    services = context.services
    now = services.clock()
    accepted = press.action == "y"
    with session_scope(services.engine) as session:
        answered = store.answer_widen(
            session, post_id=press.ref, asker_id=press.resident_id, accepted=accepted, now=now
        )
    if not answered:
        await stale(press.query, press.language)
        return
    await press.query.answer()
    key = "widen.yes_thanks" if accepted else "widen.no_thanks"
    await close_message(press.query, t(press.language, key))
    await advance_now(context, press.ref)
