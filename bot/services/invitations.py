"""Answering an invitation, the asker's choice, widening, and the relay between the two.

Each press is one unit of work: the answer, the messages it causes for the other person (in the
outbox), and the request's next step where the answer makes one due.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from bot import callbacks
from bot.i18n import Html, t
from bot.post_views import category_name, distance_text, first_name, shortened
from bot.services import buttons, nudges
from bot.services.delivery import reachable
from bot.services.dialogs import DialogData, DialogState, PendingRelay, RelayChoice
from bot.services.markup import Button, Keyboard, keyboard
from bot.services.match_support import Pair, Pressed, presser, stale, tell_other
from bot.services.request_steps import (
    drop_unsent_invitations,
    lock_request,
    sent_invitations,
    step_now,
)
from bot.services.unit import Incoming, Unit
from matching.distance import rough_distance
from matching.flow import follow_up_at
from storage import matchmaking as store
from storage import outbox
from storage.models import Invitation, InvitationStatus, Match, MatchStatus, Post, Resident

# Room left for the sender's name around a relayed text or caption (Telegram's limits are
# 4096 characters for a message, 1024 for a caption).
RELAY_TEXT_LIMIT: Final = 3900
RELAY_CAPTION_LIMIT: Final = 900

# --- the invitee ---------------------------------------------------------------------------


def _own_invitation(unit: Unit, invitation_id: int) -> tuple[Resident, Invitation] | None:
    """The presser and their own invitation (callback data names any id: re-checked here)."""
    resident = presser(unit)
    if resident is None or resident.id is None:
        return None
    invitation = store.own_invitation(
        unit.session, invitation_id=invitation_id, resident_id=resident.id
    )
    return None if invitation is None else (resident, invitation)


def say_not_now(unit: Unit, invitation_id: int) -> Pressed:
    """ "Nu even niet" is always fine; the request asks someone else if it is due to."""
    found = _own_invitation(unit, invitation_id)
    if found is None:
        return stale(unit)
    resident, invitation = found
    lock_request(unit.session, invitation.post_id)
    language = resident.language
    if not store.say_not_now(unit.session, invitation=invitation, now=unit.now):
        superseded = invitation.status == InvitationStatus.SUPERSEDED.value
        return Pressed(
            language, toast=t(language, "invite.taken" if superseded else "invite.already")
        )
    step_now(unit, invitation.post_id)
    return Pressed(language, close=t(language, "invite.not_now_thanks"))


def say_yes(unit: Unit, invitation_id: int) -> Pressed:
    """ "Ik help graag": the first yes wins the request; the asker's card goes out."""
    found = _own_invitation(unit, invitation_id)
    if found is None:
        return stale(unit)
    resident, invitation = found
    yes = store.say_yes(unit.session, invitation=invitation, now=unit.now)
    return _after_yes(unit, resident, yes, from_invitation=True)


def volunteer(unit: Unit, helper_id: int, post_id: int) -> Pressed:
    """ "Ik kan helpen" on a request in /buurt: a yes like any other, first one wins."""
    helper = unit.session.get(Resident, helper_id)
    assert helper is not None
    yes = store.volunteer_for_request(
        unit.session, post_id=post_id, resident_id=helper_id, now=unit.now
    )
    return _after_yes(unit, helper, yes, from_invitation=False)


def _after_yes(unit: Unit, helper: Resident, yes: store.Yes, *, from_invitation: bool) -> Pressed:
    """For a winning yes, the card for the asker goes into the outbox in this same unit (so a
    crash or a failed edit cannot lose it), superseded invitations that were not sent yet are
    not sent, and the sent ones are closed after commit. A losing yes is told why."""
    language = helper.language
    if yes.result is store.YesResult.MATCHED and yes.match is not None:
        drop_unsent_invitations(unit.session, yes.superseded)
        asker_name = _queue_offer(unit, yes.match)
        nudges.remind_asker_later(unit, yes.match)
        thanks = t(language, "invite.yes_thanks", name=asker_name)
        return Pressed(
            language,
            close=thanks if from_invitation else None,
            reply=None if from_invitation else thanks,
            edits=sent_invitations(unit.session, yes.superseded),
        )
    key = {
        store.YesResult.TAKEN: "invite.taken",
        store.YesResult.GONE: "invite.gone",
    }.get(yes.result, "invite.already")
    closes = from_invitation and key != "invite.already"
    return Pressed(language, toast=t(language, key), close=t(language, key) if closes else None)


def _queue_offer(unit: Unit, match: Match) -> str:
    """What the asker sees of a neighbour who said yes: first name, rough distance, whether
    they helped before (never a count: no ledger), and the choice. Returns the asker's first
    name as the helper sees it."""
    session = unit.session
    asker = session.get(Resident, match.asker_id)
    helper = session.get(Resident, match.helper_id)
    post = session.get(Post, match.post_id)
    assert asker is not None
    assert helper is not None
    assert post is not None
    assert match.id is not None
    language = asker.language
    name = first_name(language, helper.first_name)
    helped = store.has_helped_before(session, resident_id=match.helper_id)
    lines = [t(language, "offer.text", name=name, text=shortened(post.text))]
    distance = distance_text(language, rough_distance(asker.area_cell, helper.area_cell))
    if distance is not None:
        lines.append(t(language, "offer.distance", distance=distance))
    if helped:
        lines.append(t(language, "offer.helped_before", name=name))
    lines.append(t(language, "offer.question"))
    invitation = store.accepted_invitation(session, match=match)
    block_row = [] if invitation is None else [buttons.block_responder(language, invitation)]
    unit.enqueue(
        to=asker,
        text="\n".join(lines),
        keyboard=keyboard(
            [
                Button(t(language, "offer.button.yes"), callbacks.MATCH_ACCEPT(match.id)),
                Button(t(language, "offer.button.no"), callbacks.MATCH_DECLINE(match.id)),
            ],
            block_row,
        ),
        key=f"offer:{match.id}",
        about=f"match:{match.id}",
        counterpart_id=helper.id,
    )
    return first_name(helper.language, asker.first_name)


def interest_in_offer(
    unit: Unit, interested: Resident, post: Post, author: Resident, invitation_id: int | None
) -> bool:
    """ "Interesse" in an offer: like a yes to a request, the author sees the first name and
    rough distance and chooses "Graag, breng ons in contact" / "Nu even niet"; a yes opens the
    same relay, username sharing, follow-up and thank-you. The offer stays open (it can be
    taken several times). False when nothing was proposed (these two already have one)."""
    assert interested.id is not None
    match = store.propose_for_offer(
        unit.session, post=post, interested_id=interested.id, now=unit.now
    )
    if match is None or match.id is None:
        return False
    language = author.language
    name = first_name(language, interested.first_name)
    lines = [t(language, "offer_interest.text", name=name, text=shortened(post.text))]
    distance = distance_text(language, rough_distance(author.area_cell, interested.area_cell))
    if distance is not None:
        lines.append(t(language, "offer.distance", distance=distance))
    lines.append(t(language, "offer_interest.question"))
    block_row = [] if invitation_id is None else [buttons.block_responder(language, invitation_id)]
    unit.enqueue(
        to=author,
        text="\n".join(lines),
        keyboard=keyboard(
            [Button(t(language, "offer_interest.button.yes"), callbacks.MATCH_ACCEPT(match.id))],
            [Button(t(language, "offer_interest.button.no"), callbacks.MATCH_DECLINE(match.id))],
            block_row,
        ),
        key=f"offer:{match.id}",
        about=f"match:{match.id}",
        counterpart_id=interested.id,
    )
    nudges.remind_author_later(unit, match)
    return True


# --- the asker's choice, and the relay -------------------------------------------------------


def relay_keyboard(language: str, match_id: int) -> Keyboard:
    return keyboard(
        [
            Button(t(language, "relay.button.share"), callbacks.MATCH_SHARE(match_id)),
            Button(t(language, "relay.button.end"), callbacks.MATCH_END(match_id)),
        ]
    )


def stop_keyboard(language: str, match_id: int) -> Keyboard:
    return keyboard([Button(t(language, "relay.button.end"), callbacks.MATCH_END(match_id))])


def _own_match(unit: Unit, match_id: int) -> tuple[Resident, Match] | None:
    resident = presser(unit)
    if resident is None or resident.id is None:
        return None
    match = store.match_of(unit.session, match_id=match_id, resident_id=resident.id)
    return None if match is None else (resident, match)


def accept(unit: Unit, match_id: int) -> Pressed:
    """The asker says yes to the helper: the relay opens for both."""
    found = _own_match(unit, match_id)
    if found is None or found[1].asker_id != found[0].id:  # only the asker chooses
        return stale(unit)
    asker, match = found
    post = unit.session.get(Post, match.post_id)
    due = follow_up_at(None if post is None else post.window_end, unit.now)
    if not store.accept(unit.session, match=match, now=unit.now, follow_up_at=due):
        return stale(unit)
    nudges.matched(unit, match, post)
    pair = Pair.of(unit.session, match)
    helper = pair.helper
    tell_other(
        unit,
        pair,
        asker,
        "relay.open_helper",
        about=f"match:{match_id}",
        keyboard=relay_keyboard(helper.language, match_id),
    )
    language = asker.language
    return Pressed(
        language,
        close=t(language, "relay.open_asker", name=first_name(language, helper.first_name)),
        keyboard=relay_keyboard(language, match_id),
    )


def decline(unit: Unit, match_id: int) -> Pressed:
    """The asker lets the helper go: the request opens again and asks someone else."""
    found = _own_match(unit, match_id)
    if found is None or found[1].asker_id != found[0].id:  # only the asker chooses
        return stale(unit)
    asker, match = found
    lock_request(unit.session, match.post_id)
    if not store.decline(unit.session, match=match, now=unit.now):
        return stale(unit)
    helper = Pair.of(unit.session, match).helper
    if store.is_offer(unit.session, match):
        # Interest in an offer: the author said "nu even niet"; the offer stays as it is.
        author_name = first_name(helper.language, asker.first_name)
        text = t(helper.language, "offer_interest.not_now", name=author_name)
        unit.enqueue(to=helper, text=text, counterpart_id=asker.id)
        name = first_name(asker.language, helper.first_name)
        return Pressed(
            asker.language, close=t(asker.language, "offer_interest.declined", name=name)
        )
    # They were promised an answer; it says nothing about why, and nothing is counted.
    unit.enqueue(to=helper, text=t(helper.language, "offer.not_needed"), counterpart_id=asker.id)
    step_now(unit, match.post_id)
    return Pressed(asker.language, close=t(asker.language, "offer.declined"))


def end(unit: Unit, match_id: int) -> Pressed:
    """Either of the two stops the relay; the other one hears it."""
    found = _own_match(unit, match_id)
    if found is None:
        return stale(unit)
    resident, match = found
    if not store.end(unit.session, match=match, now=unit.now):
        return stale(unit)
    tell_other(unit, Pair.of(unit.session, match), resident, "relay.ended_other", about=None)
    language = resident.language
    return Pressed(language, buttons_only=True, reply=t(language, "relay.ended_you"))


def share(unit: Unit, match_id: int, username: str | None) -> Pressed:
    """Either of the two shares their Telegram username; once both did, each gets the other's
    and the relay ends (from there on they talk directly)."""
    resident = presser(unit)
    if resident is not None and not username:
        return Pressed(resident.language, alert=t(resident.language, "relay.no_username"))
    found = _own_match(unit, match_id)
    if found is None:
        return stale(unit)
    resident, match = found
    # Locked and read again: the other side may be pressing "share" at this very moment (in
    # another chat, so concurrently), and exactly one of the two must see that both shared.
    unit.session.refresh(match, with_for_update=True)
    language = resident.language
    already = match.asker_shares if resident.id == match.asker_id else match.helper_shares
    if match.status != MatchStatus.ACTIVE.value or already:
        return stale(unit)
    both = store.share_username(
        unit.session, match=match, resident_id=resident.id or 0, username=username
    )
    if both:
        store.end(unit.session, match=match, now=unit.now)
    pair = Pair.of(unit.session, match, both_share=both)
    other = pair.other(resident.id)
    if not both:
        tell_other(
            unit,
            pair,
            resident,
            "relay.share_asked",
            about=f"match:{match_id}",
            keyboard=relay_keyboard(other.language, match_id),
        )
        return Pressed(
            language,
            buttons_only=True,
            keyboard=stop_keyboard(language, match_id),
            reply=t(language, "relay.share_waiting", name=first_name(language, other.first_name)),
        )
    for person, username_of_other in (
        (pair.asker, pair.helper_username),
        (pair.helper, pair.asker_username),
    ):
        partner = pair.other(person.id)
        unit.enqueue(
            to=person,
            text=t(
                person.language,
                "relay.shared",
                name=first_name(person.language, partner.first_name),
                username=f"@{username_of_other}",
            ),
            counterpart_id=partner.id,
        )
    return Pressed(language, buttons_only=True)


@dataclass(frozen=True)
class Relayed:
    """A message for the relay: in the sender's language, what to tell them (if anything),
    with buttons (which conversation it is for, when there are several)."""

    language: str
    reply: str | None = None
    keyboard: Keyboard | None = None


RELAY_FLOW: Final = "relay"
RELAY_STEP: Final = "which"
# Messages kept while someone chooses which conversation they are for (the oldest go first).
RELAY_PENDING_MAX: Final = 10


def relay(unit: Unit, incoming: Incoming) -> Relayed | None:
    """Pass a message to the person this resident is matched with (text, photo, location);
    None when the message is not for the relay. Someone in two conversations or more is asked
    which one it is for (buttons with first names); the message waits until they choose.

    Sent as the bot's own message with the sender's first name, never forwarded: a forward
    would show the sender's Telegram profile before they chose to share it.
    """
    sender = unit.resident
    if sender is None or sender.id is None:
        return None
    conversations = store.relay_matches(unit.session, resident_id=sender.id)
    if not conversations:
        return None
    if len(conversations) > 1:
        replied = _replied_conversation(unit, sender, conversations, incoming)
        if replied is not None:
            return _pass_on(unit, sender, replied, incoming)
        return _ask_which(unit, sender, conversations, incoming)
    return _pass_on(unit, sender, conversations[0], incoming)


def relay_waiting(
    unit: Unit, state: DialogState[DialogData], incoming: Incoming
) -> Relayed | None:
    """Another message while earlier ones wait for "which conversation": asked the same way
    (or passed on, or explained, when the conversations ended meanwhile)."""
    result = relay(unit, incoming)
    if result is None:
        unit.clear_dialog()
        return Relayed(unit.language, t(unit.language, "relay.none_left"))
    return result


def _replied_conversation(
    unit: Unit, sender: Resident, conversations: list[Match], incoming: Incoming
) -> Match | None:
    """A Telegram reply to a line of one of these conversations (a relayed message, or the
    bot's message that opened it) is for that conversation: no need to ask."""
    if incoming.reply_to_message_id is None:
        return None
    about = outbox.about_sent_message(
        unit.session, chat_id=sender.telegram_user_id, message_id=incoming.reply_to_message_id
    )
    return next((match for match in conversations if about == f"match:{match.id}"), None)


def _ask_which(
    unit: Unit, sender: Resident, conversations: list[Match], incoming: Incoming
) -> Relayed:
    language = sender.language
    state = unit.state(RELAY_FLOW)
    waiting = list(state.data.pending) if state and isinstance(state.data, RelayChoice) else []
    waiting.append(
        PendingRelay(
            message_id=incoming.message_id,
            text=incoming.text,
            photo_file_id=incoming.photo_file_id,
            caption=incoming.caption,
            location=incoming.location,
        )
    )
    unit.set_dialog(RELAY_FLOW, RELAY_STEP, RelayChoice(pending=waiting[-RELAY_PENDING_MAX:]))
    labels = _conversation_labels(unit, sender, conversations)
    rows = [
        [Button(label, callbacks.RELAY_TO(match.id or 0, incoming.message_id))]
        for match, label in zip(conversations, labels, strict=True)
    ]
    return Relayed(language, t(language, "relay.which"), keyboard(*rows))


def _conversation_labels(unit: Unit, resident: Resident, conversations: list[Match]) -> list[str]:
    """The other person's first name per conversation; with what it is about where two
    conversations are with people of the same first name (or the same person)."""
    language = resident.language
    names = []
    for match in conversations:
        other = Pair.of(unit.session, match).other(resident.id or 0)
        names.append(first_name(language, other.first_name))
    labels = []
    for match, name in zip(conversations, names, strict=True):
        if names.count(name) > 1:
            labels.append(
                t(language, "relay.about", name=name, topic=_topic(unit, match, language))
            )
        else:
            labels.append(name)
    return labels


def _topic(unit: Unit, match: Match, language: str) -> str:
    post = unit.session.get(Post, match.post_id)
    return "" if post is None else category_name(language, post.category)


def relay_to(unit: Unit, match_id: int, message_id: int) -> Pressed:
    """The sender chose the conversation a waiting message is for: pass it on there."""
    sender = presser(unit)
    state = unit.state(RELAY_FLOW)
    if sender is None or sender.id is None or state is None:
        return stale(unit)
    assert isinstance(state.data, RelayChoice)
    waiting = next((m for m in state.data.pending if m.message_id == message_id), None)
    match = store.match_of(unit.session, match_id=match_id, resident_id=sender.id)
    if waiting is None or match is None or match.status != MatchStatus.ACTIVE.value:
        return stale(unit)
    rest = [m for m in state.data.pending if m.message_id != message_id]
    if rest:
        unit.set_dialog(RELAY_FLOW, RELAY_STEP, RelayChoice(pending=rest))
    else:
        unit.clear_dialog()
    incoming = Incoming(
        message_id=waiting.message_id,
        text=waiting.text,
        photo_file_id=waiting.photo_file_id,
        caption=waiting.caption,
        location=waiting.location,
    )
    result = _pass_on(unit, sender, match, incoming)
    language = sender.language
    if result.reply is not None:
        return Pressed(language, close=result.reply)
    other = Pair.of(unit.session, match).other(sender.id)
    name = first_name(language, other.first_name)
    topic = _topic(unit, match, language)
    return Pressed(language, close=t(language, "relay.passed_to", name=name, topic=topic))


def _pass_on(unit: Unit, sender: Resident, match: Match, incoming: Incoming) -> Relayed:
    assert sender.id is not None
    store.touch(unit.session, match=match, now=unit.now)
    receiver = Pair.of(unit.session, match).other(sender.id)
    if not reachable(receiver, unit.now):
        # Pausing is absolute, also for the person one is arranging something with.
        paused = first_name(sender.language, receiver.first_name)
        return Relayed(sender.language, t(sender.language, "relay.receiver_paused", name=paused))
    language = receiver.language
    name = first_name(language, sender.first_name)
    assert receiver.id is not None
    if len(store.relay_matches(unit.session, resident_id=receiver.id, limit=2)) > 1:
        # The receiver is in several conversations: each line says which one it is.
        topic = _topic(unit, match, language)
        name = Html(t(language, "relay.about", name=name, topic=topic))
    media: dict[str, Any] | None = None
    if incoming.photo_file_id is not None:
        caption = (incoming.caption or "")[:RELAY_CAPTION_LIMIT]
        text = t(language, "relay.photo", name=name, caption=caption)
        media = {"photo": incoming.photo_file_id}
    elif incoming.location is not None:
        text = t(language, "relay.location", name=name)
        media = {"location": list(incoming.location)}
    else:
        body = (incoming.text or "")[:RELAY_TEXT_LIMIT]
        text = t(language, "relay.text", name=name, text=body)
    unit.enqueue(
        to=receiver,
        text=text,
        about=f"match:{match.id}",
        counterpart_id=sender.id,
        media=media,
        # Names the line, so /meld as a reply to it finds what was relayed, from whom
        # (control.ask_report_line); one line per message of the sender.
        key=line_key(match.id or 0, sender.id, incoming.message_id),
    )
    return Relayed(sender.language)


def line_key(match_id: int, sender_id: int, message_id: int) -> str:
    """The outbox key of a relayed line (storage.outbox.relayed_line reads it back)."""
    return f"{outbox.LINE_PREFIX}{match_id}:{sender_id}:{message_id}"


# --- widening --------------------------------------------------------------------------------


def answer_widen(unit: Unit, post_id: int, accepted: bool) -> Pressed:
    """The asker answers whether the request may go further away (silence is never a yes)."""
    resident = presser(unit)
    if resident is None or resident.id is None:
        return stale(unit)
    lock_request(unit.session, post_id)
    if not store.answer_widen(
        unit.session, post_id=post_id, asker_id=resident.id, accepted=accepted, now=unit.now
    ):
        return stale(unit)
    step_now(unit, post_id)
    language = resident.language
    return Pressed(
        language, close=t(language, "widen.yes_thanks" if accepted else "widen.no_thanks")
    )
