"""Nudges at each person's pace: a yes that waits, reminders for a match, a gentle word about
giving something back, and a digest of open requests nearby (rules: matching/nudges.py).

Every nudge is an outbox row written in the unit of work that causes it, with a dedupe key, so
it goes out through the one delivery path: pause, /stop, quiet hours and blocks are checked
again at send time (bot/services/delivery.py). Some are queued for later (`due_at`): the
reminder to an asker 24 hours after a yes, the reminders before a match's time, and the
reciprocity message some days after a help that worked. The repeating job (bot/handlers/
nudges.py) lets go of yeses that waited 48 hours and plans digest rounds.

Built on today's outbox (unit.enqueue, bot/sender.py); the sender's rework (rates, leases)
changes nothing here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from bot import callbacks
from bot.i18n import Html, t
from bot.post_views import describe_window, first_name, post_summary, shortened
from bot.services import activities, posting
from bot.services.delivery import reachable
from bot.services.markup import Button, Screen, keyboard
from bot.services.request_steps import lock_request, step_now
from bot.services.unit import Unit
from matching import nudges as rules
from storage import activities as activity_rows
from storage import asks, outbox
from storage import matchmaking as store
from storage import nudges as rows
from storage.models import (
    Match,
    NudgeKind,
    OutboxStatus,
    Post,
    PostKind,
    PostStatus,
    Resident,
)

log = logging.getLogger(__name__)

# Per run of the job: the rest waits for the next run, so one run never takes long.
MAX_LAPSES_PER_RUN: Final = 20
MAX_DIGESTS_PER_RUN: Final = 200
DIGEST_BUTTON_TEXT: Final = 28
# The reciprocity message's list of activities in the wijk: a few, soonest first.
MAX_ACTIVITIES_SHOWN: Final = 5


def yes_wait_key(match_id: int) -> str:
    return f"yes-wait:{match_id}"


# --- a yes that waits ------------------------------------------------------------------------


def remind_asker_later(unit: Unit, match: Match) -> None:
    """Part of a winning yes: if the asker has not chosen after a day, one kind reminder with
    the same two buttons. Dropped at send time once the match is no longer proposed (about
    "match:"), and taken back when the asker accepts (`matched`)."""
    asker = unit.session.get(Resident, match.asker_id)
    helper = unit.session.get(Resident, match.helper_id)
    post = unit.session.get(Post, match.post_id)
    if asker is None or helper is None or post is None or match.id is None:
        return
    language = asker.language
    name = first_name(language, helper.first_name)
    unit.enqueue(
        to=asker,
        text=t(language, "nudge.yes_waiting", name=name, text=shortened(post.text)),
        keyboard=keyboard(
            [
                Button(t(language, "offer.button.yes"), callbacks.MATCH_ACCEPT(match.id)),
                Button(t(language, "offer.button.no"), callbacks.MATCH_DECLINE(match.id)),
            ]
        ),
        key=yes_wait_key(match.id),
        about=f"match:{match.id}",
        counterpart_id=helper.id,
        due_at=match.created_at + rules.YES_REMINDER_AFTER,
    )


def remind_author_later(unit: Unit, match: Match) -> None:
    """Part of an interest in an offer: if the offer's author has not chosen after a day, one
    kind reminder with the same two buttons, like a yes that waits for an asker (same key, so
    `matched` takes it back; dropped at send time once the match is no longer proposed)."""
    author = unit.session.get(Resident, match.asker_id)
    interested = unit.session.get(Resident, match.helper_id)
    post = unit.session.get(Post, match.post_id)
    if author is None or interested is None or post is None or match.id is None:
        return
    language = author.language
    name = first_name(language, interested.first_name)
    unit.enqueue(
        to=author,
        text=t(language, "nudge.interest_waiting", name=name, text=shortened(post.text)),
        keyboard=keyboard(
            [Button(t(language, "offer_interest.button.yes"), callbacks.MATCH_ACCEPT(match.id))],
            [Button(t(language, "offer_interest.button.no"), callbacks.MATCH_DECLINE(match.id))],
        ),
        key=yes_wait_key(match.id),
        about=f"match:{match.id}",
        counterpart_id=interested.id,
        due_at=match.created_at + rules.YES_REMINDER_AFTER,
    )


def lapse_waiting_yeses(unit: Unit) -> int:
    """The repeating job: a yes the asker left unanswered for 48 hours is let go kindly. The
    helper hears it did not work out this time; the request searches again, or closes when
    its time has passed. Returns how many were let go."""
    session, now = unit.session, unit.now
    done = 0
    for match in rows.lapsed_yeses(session, proposed_before=now - rules.YES_LAPSES_AFTER)[
        :MAX_LAPSES_PER_RUN
    ]:
        assert match.id is not None
        lock_request(session, match.post_id)
        if not store.decline(session, match=match, now=now):
            continue  # the asker chose at this very moment
        done += 1
        helper = session.get(Resident, match.helper_id)
        asker = session.get(Resident, match.asker_id)
        post = session.get(Post, match.post_id)
        if helper is None or asker is None or post is None:
            continue
        offer = post.kind == PostKind.OFFER.value
        unit.enqueue(
            to=helper,
            text=t(
                helper.language,
                "nudge.interest_lapsed" if offer else "nudge.yes_lapsed",
                name=first_name(helper.language, asker.first_name),
            ),
            key=f"yes-lapsed:{match.id}",
            counterpart_id=asker.id,
        )
        if offer:
            continue  # interest in an offer: the offer itself stays as it is
        if post.window_end is not None and post.window_end <= now:
            _close_past_request(unit, post, asker)
        else:
            step_now(unit, post.id or 0)
    return done


def _close_past_request(unit: Unit, post: Post, asker: Resident) -> None:
    session, now = unit.session, unit.now
    post.status, post.updated_at = PostStatus.WITHDRAWN.value, now
    session.add(post)
    flow = store.lock_flow(session, post.id or 0)
    if flow is not None:
        progress = store.progress_of(session, flow, post).after_withdrawal()
        store.store_progress(session, flow=flow, post=post, progress=progress, due_at=None)
    unit.enqueue(
        to=asker,
        text=t(asker.language, "nudge.request_closed", text=shortened(post.text)),
        key=f"closed:{post.id}",
    )


# --- an accepted match -------------------------------------------------------------------------


def matched(unit: Unit, match: Match, post: Post | None) -> None:
    """Part of the asker's yes: the waiting reminder is not needed any more, and both get a
    reminder before the request's time (the evening before a morning, else two hours before),
    outside their quiet hours. Dropped at send time if the request closed or they blocked."""
    session = unit.session
    assert match.id is not None
    waiting = outbox.by_key(session, yes_wait_key(match.id))
    if waiting is not None and waiting.status == OutboxStatus.PENDING.value:
        outbox.drop(session, message=waiting, reason="the asker chose")
    if post is None or post.window_start is None or match.accepted_at is None:
        return
    asker = session.get(Resident, match.asker_id)
    helper = session.get(Resident, match.helper_id)
    if asker is None or helper is None:
        return
    zone = unit.settings.tz
    for person, other, key in ((asker, helper, "nudge.reminder.asker"), (helper, asker, None)):
        at = rules.match_reminder_at(
            post.window_start,
            match.accepted_at,
            time_zone=unit.settings.timezone,
            quiet_start=person.quiet_start,
            quiet_end=person.quiet_end,
        )
        if at is None:
            continue
        language = person.language
        when = describe_window(
            language,
            post.window_start,
            post.window_end,
            now=at.astimezone(zone),
            zone=zone,
        )
        unit.enqueue(
            to=person,
            text=t(
                language,
                key or "nudge.reminder.helper",
                when=when,
                name=first_name(language, other.first_name),
                text=shortened(post.text),
            ),
            key=f"remind:{match.id}:{person.id}",
            about=f"post:{post.id}",
            counterpart_id=other.id,
            due_at=at,
        )


# --- reciprocity --------------------------------------------------------------------------------


def after_help_worked(unit: Unit, match: Match) -> bool:
    """Part of the asker's "het is gelukt": some days later (setting), one gentle message that
    they could offer something themselves, if they like. At most once per help received and
    once a month; never to someone paused or stopped (checked now and at send time); never a
    count or a debt. True when it was planned."""
    session = unit.session
    asker = session.get(Resident, match.asker_id)
    if asker is None or asker.id is None or match.id is None:
        return False
    if not reachable(asker, unit.now):
        return False
    at = unit.now + timedelta(days=unit.settings.reciprocity_after_days)
    earlier = rows.times(session, resident_id=asker.id, kind=NudgeKind.RECIPROCITY)
    if not rules.reciprocity_allowed(earlier, at):
        return False
    if not rows.record(
        session, resident_id=asker.id, kind=NudgeKind.RECIPROCITY, ref=match.id, at=at
    ):
        return False
    language = asker.language
    buttons = [[Button(t(language, "nudge.reciprocity.button"), callbacks.NUDGE_OFFER())]]
    # Planned days ahead: the text names no activity (it may be cancelled by then); the
    # button shows the ones still coming when it is pressed.
    wijk_id = asker.wijk_id
    with_activities = wijk_id is not None and bool(
        activity_rows.coming_in_wijk(session, wijk_id=wijk_id, now=unit.now, limit=1)
    )
    if with_activities:
        assert wijk_id is not None
        label = t(language, "nudge.reciprocity.activities_button")
        buttons.append([Button(label, callbacks.NUDGE_ACTIVITIES(wijk_id))])
    unit.enqueue(
        to=asker,
        text=t(
            language,
            "nudge.reciprocity.with_activities" if with_activities else "nudge.reciprocity",
        ),
        keyboard=keyboard(*buttons),
        key=f"reciprocity:{match.id}",
        due_at=at,
    )
    return True


def coming_activities(unit: Unit, wijk_id: int) -> posting.Answer:
    """The reciprocity message's "Activiteiten in de buurt": the activities announced in the wijk
    (a neighbouring wijk's too, when announced here) still coming now, each with a button that
    opens its card (as the deep link does). Only for someone who lives in that wijk (read again
    now: the button may be old)."""
    resident = unit.ensure_resident()
    language = resident.language
    if resident.wijk_id != wijk_id:
        return posting.Answer(notice=t(language, "error.stale_button"))
    coming = activity_rows.coming_in_wijk(
        unit.session, wijk_id=wijk_id, now=unit.now, limit=MAX_ACTIVITIES_SHOWN
    )
    if not coming:
        return posting.Answer(message=Screen(t(language, "nudge.activities.none")))
    items = "\n".join(
        t(
            language,
            "nudge.activities.item",
            title=activity.title,
            when=Html(activities.when_text(language, date.starts_at, date.ends_at, unit)),
        )
        for activity, date in coming
    )
    buttons = [
        [
            Button(
                # Html: button labels are not parsed as HTML, so the title must not be escaped.
                t(language, "nudge.activities.button", title=Html(shortened(activity.title))),
                callbacks.ACTIVITY_SHOW(activity.id or 0),
            )
        ]
        for activity, _date in coming
    ]
    text = t(language, "nudge.activities", items=Html(items))
    return posting.Answer(message=Screen(text, keyboard(*buttons)))


# --- digests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    planned: int
    sent: int


def digest_round(unit: Unit, limit: int = MAX_DIGESTS_PER_RUN) -> Round:
    """The repeating job: a digest for everyone one is due for and something fits (at most
    `limit` per run; the others are still due next run). Each counts as one ask."""
    session, now = unit.session, unit.now
    local = now.astimezone(unit.settings.tz).time()
    if not rules.FRIENDLY_FROM <= local < rules.FRIENDLY_UNTIL:
        return Round(0, 0)  # nobody's friendly hour (everyone shares the bot's zone): no reads
    read = rows.read_digest_round(session, now=now, time_zone=unit.settings.timezone)
    planned = rules.plan_digests(
        read.readers, read.requests, read.blocked, now, started=read.started
    )
    sent = 0
    chosen = planned[:limit]
    # Counted again under a lock: an invitation may have reached them since the round read.
    allowed = asks.claim_asks(session, (digest.resident_id for digest in chosen), now=now)
    for digest in chosen:
        reader = session.get(Resident, digest.resident_id)
        posts = [session.get(Post, post_id) for post_id in digest.post_ids]
        shown = [post for post in posts if post is not None]
        if reader is None or not shown or digest.resident_id not in allowed:
            continue
        rows.record_digest(session, resident_id=digest.resident_id, at=now)
        _queue_digest(unit, reader, shown)
        sent += 1
    if planned:
        log.info("digest round: %d due with something that fits, %d queued", len(planned), sent)
    return Round(len(planned), sent)


def _queue_digest(unit: Unit, reader: Resident, shown: list[Post]) -> None:
    language, zone = reader.language, unit.settings.tz
    local_now = unit.now.astimezone(zone)
    items = "\n".join(
        t(
            language,
            "nudge.digest.item",
            summary=post_summary(language, p, now=local_now, zone=zone),
        )
        for p in shown
    )
    text = t(language, "nudge.digest", items=Html(items))
    buttons = [
        [
            Button(
                t(
                    language,
                    "nudge.digest.button",
                    text=Html(shortened(post.text, DIGEST_BUTTON_TEXT)),
                ),
                callbacks.BROWSE_HELP(post.id or 0),
            )
        ]
        for post in shown
    ]
    unit.enqueue(
        to=reader,
        text=text,
        keyboard=keyboard(*buttons),
        key=f"digest:{reader.id}:{unit.now.isoformat(timespec='minutes')}",
    )
