"""After the request's time: "is het gelukt?" to both, a thank-you, or asking again."""

from __future__ import annotations

from typing import Final

from bot import callbacks
from bot.i18n import Html, t
from bot.post_views import first_name, shortened
from bot.services import nudges, proxy
from bot.services.markup import Button, Keyboard, keyboard
from bot.services.match_support import Pair, Pressed, presser, stale, tell_other
from bot.services.posting import hold_for
from bot.services.request_steps import step_now
from bot.services.unit import Unit
from storage import matchmaking as store
from storage import posts
from storage.models import Match, MatchStatus, Post, PostKind, PostStatus, Resident

THANKS: Final = "t"
WORKED: Final = "y"
FAILED: Final = "n"  # the helper's "niet gelukt"
AGAIN: Final = "r"  # the asker's "opnieuw vragen"

ANSWERS: Final = {
    callbacks.FOLLOW_UP_THANKS: THANKS,
    callbacks.FOLLOW_UP_WORKED: WORKED,
    callbacks.FOLLOW_UP_FAILED: FAILED,
    callbacks.FOLLOW_UP_AGAIN: AGAIN,
}


def queue_follow_ups(unit: Unit) -> None:
    """Part of the repeating job: "is het gelukt?" to both, once, after the request's time."""
    session = unit.session
    for match in store.claim_due_follow_ups(session, now=unit.now):
        store.follow_up_sent(session, match=match)
        if match.status not in (MatchStatus.ACTIVE.value, MatchStatus.ENDED.value):
            continue
        pair = Pair.of(session, match)
        post = session.get(Post, match.post_id)
        text = "" if post is None else shortened(post.text)
        request = post is not None and post.kind == PostKind.REQUEST.value
        for person, is_asker in ((pair.asker, True), (pair.helper, False)):
            other = pair.other(person.id)
            name = first_name(person.language, other.first_name)
            key = "follow_up.asker" if is_asker else "follow_up.helper"
            # "Opnieuw vragen" is for a request's asker; an offer stays open by itself.
            again = is_asker and request
            unit.enqueue(
                to=person,
                text=t(person.language, key, name=name, text=text),
                keyboard=_follow_up_keyboard(person.language, pair.match_id, name, asker=again),
                about=f"followup:{pair.match_id}",
                counterpart_id=other.id,
            )


def _follow_up_keyboard(language: str, match_id: int, name: str, *, asker: bool) -> Keyboard:
    def button(key: str, action: callbacks.Action) -> Button:
        # Html: button labels are not parsed as HTML, so the name must not be escaped.
        return Button(t(language, key, name=Html(name)), action(match_id))

    last = (
        button("follow_up.button.again", callbacks.FOLLOW_UP_AGAIN)
        if asker
        else button("follow_up.button.no", callbacks.FOLLOW_UP_FAILED)
    )
    return keyboard(
        [button("follow_up.button.thanks", callbacks.FOLLOW_UP_THANKS)],
        [button("follow_up.button.yes", callbacks.FOLLOW_UP_WORKED)],
        [last],
    )


def answer(unit: Unit, match_id: int, answer: str) -> Pressed:
    """It worked (with or without a thank-you), it did not, or: ask again (in this same unit:
    the new request's first neighbours are invited at once)."""
    resident = presser(unit)
    if resident is None or resident.id is None:
        return stale(unit)
    session, now = unit.session, unit.now
    match = store.match_of(session, match_id=match_id, resident_id=resident.id)
    offer = match is not None and store.is_offer(session, match)
    # The asker of a request (not the author of an offer: their offer stays open) settles it.
    is_asker = match is not None and match.asker_id == resident.id and not offer
    # Who was helped: a request's asker, or the neighbour who took up an offer (its "helper").
    took_up_offer = offer and match is not None and match.helper_id == resident.id
    worked = answer in (THANKS, WORKED)
    valid = worked or answer == (AGAIN if is_asker else FAILED)
    if (
        match is None
        or not valid
        # Only once "is het gelukt?" was sent, for a match that went ahead, and never
        # between two people when one blocked the other.
        or not store.follow_up_open(session, match=match)
        or not store.record_worked(session, match=match, resident_id=resident.id, worked=worked)
    ):
        return stale(unit)
    pair = Pair.of(session, match)
    store.end(session, match=match, now=now)
    again = _settle(unit, match, worked=worked) if is_asker else None
    if is_asker and worked:
        nudges.after_help_worked(unit, match)
        proxy.after_worked(unit, match)  # /namens: would they arrange the next time themselves?
    language = resident.language
    if answer == THANKS:
        tell_other(unit, pair, resident, "follow_up.thanks_note", about=f"followup:{match_id}")
        name = first_name(language, pair.other(resident.id).first_name)
        return Pressed(language, close=t(language, "follow_up.thanks_sent", name=name))
    if worked:
        return Pressed(language, close=t(language, "follow_up.glad"))
    if again is not None:
        assert again.id is not None
        step_now(unit, again.id)
        return Pressed(language, close=t(language, "follow_up.asking_again"))
    if is_asker:
        key = "follow_up.closed"
    elif took_up_offer:
        key = "follow_up.pity_offer"  # not "thank you for wanting to help": they were helped
    else:
        key = "follow_up.pity"
    return Pressed(language, close=t(language, key))


def _settle(unit: Unit, match: Match, *, worked: bool) -> Post | None:
    """The asker's answer closes the request; "opnieuw vragen" places it again, without a
    time, and starts looking from scratch. Returns the new request."""
    session, now = unit.session, unit.now
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
        proxy_for=post.proxy_for,
    )
    store.start_flow(session, post=again, now=now)
    return again
