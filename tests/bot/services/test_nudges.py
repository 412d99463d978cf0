"""Nudges on the service layer: a yes that waits, reminders for a match, reciprocity, digests."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot import callbacks
from bot.i18n import t
from bot.services import activities, follow_up, invitations, nudges
from bot.services.request_steps import step_now
from matching.activities import Repeat, RoleSpec
from storage import activities as activity_rows
from storage import privacy
from storage.models import (
    Activity,
    Invitation,
    Match,
    MatchStatus,
    Nudge,
    NudgeKind,
    OutboxMessage,
    OutboxStatus,
    Post,
    PostStatus,
    Resident,
    Wijk,
)
from tests.bot.services.conftest import Street
from tests.bot.services.test_invitations import connected
from tests.storage.neighbourhood import add_wijk


def outbox_for(street: Street, resident: Resident) -> list[OutboxMessage]:
    street.session.flush()
    return list(
        street.session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.resident_id == resident.id)
            .order_by(col(OutboxMessage.id))
        ).all()
    )


def proposed(street: Street, **fields: Any) -> Match:
    post = street.request(**fields)
    step_now(street.unit(), post.id or 0)
    first = street.session.exec(select(Invitation).order_by(col(Invitation.id))).first()
    assert first is not None
    helper = street.session.get(Resident, first.resident_id)
    invitations.say_yes(street.unit(helper), first.id or 0)
    return street.session.exec(select(Match)).one()


# --- a yes that waits --------------------------------------------------------------------------


def test_a_yes_queues_a_reminder_for_the_asker_a_day_later(street: Street) -> None:
    match = proposed(street)
    reminder = [
        m for m in outbox_for(street, street.anna) if m.dedupe_key == f"yes-wait:{match.id}"
    ]
    assert len(reminder) == 1
    assert reminder[0].due_at == street.now + timedelta(hours=24)
    assert reminder[0].about == f"match:{match.id}"
    assert reminder[0].reply_markup is not None
    data = [b["callback_data"] for row in reminder[0].reply_markup["inline_keyboard"] for b in row]
    assert data == [callbacks.MATCH_ACCEPT(match.id or 0), callbacks.MATCH_DECLINE(match.id or 0)]


def test_the_reminder_is_taken_back_when_the_asker_chooses(street: Street) -> None:
    match = proposed(street)
    assert not invitations.accept(street.unit(street.anna), match.id or 0).stale
    (reminder,) = [
        m for m in outbox_for(street, street.anna) if m.dedupe_key == f"yes-wait:{match.id}"
    ]
    assert reminder.status == OutboxStatus.FAILED.value


def test_a_yes_waiting_two_days_is_let_go_kindly_and_the_request_asks_again(
    street: Street,
) -> None:
    match = proposed(street)
    helper = street.session.get(Resident, match.helper_id)
    assert helper is not None
    street.now += timedelta(hours=47)
    assert nudges.lapse_waiting_yeses(street.unit()) == 0
    street.now += timedelta(hours=1)
    before = len(street.session.exec(select(Invitation)).all())
    assert nudges.lapse_waiting_yeses(street.unit()) == 1
    street.session.refresh(match)
    assert match.status == MatchStatus.DECLINED.value
    (told,) = [m for m in outbox_for(street, helper) if m.dedupe_key == f"yes-lapsed:{match.id}"]
    assert "Anna" in told.text
    post = street.session.get(Post, match.post_id)
    assert post is not None
    assert post.status == PostStatus.OPEN.value
    # Searching again: the next neighbours are invited in the same unit.
    assert len(street.session.exec(select(Invitation)).all()) > before
    assert nudges.lapse_waiting_yeses(street.unit()) == 0


def test_a_yes_waiting_past_the_requests_time_closes_it(street: Street) -> None:
    match = proposed(
        street,
        window_start=street.now + timedelta(hours=3),
        window_end=street.now + timedelta(hours=5),
    )
    street.now += timedelta(hours=48)
    assert nudges.lapse_waiting_yeses(street.unit()) == 1
    post = street.session.get(Post, match.post_id)
    assert post is not None
    assert post.status == PostStatus.WITHDRAWN.value
    assert any(m.dedupe_key == f"closed:{post.id}" for m in outbox_for(street, street.anna))


# --- reminders before the time -----------------------------------------------------------------


def test_both_are_reminded_the_evening_before_a_morning(street: Street) -> None:
    # Saturday 28 November 2026, 10:00-12:00 in Amsterdam (09:00-11:00 UTC).
    start = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    match = connected_with(street, start, start + timedelta(hours=2))
    expected = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)  # 19:00 in Amsterdam
    for resident_id in (match.asker_id, match.helper_id):
        person = street.session.get(Resident, resident_id)
        assert person is not None
        (reminder,) = [
            m
            for m in outbox_for(street, person)
            if (m.dedupe_key or "").startswith(f"remind:{match.id}:")
        ]
        assert reminder.due_at == expected
        assert reminder.about == f"post:{match.post_id}"


def test_an_afternoon_is_reminded_two_hours_before(street: Street) -> None:
    start = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)  # 15:00 in Amsterdam
    match = connected_with(street, start, start + timedelta(hours=2))
    reminders = [
        m
        for m in street.session.exec(select(OutboxMessage)).all()
        if (m.dedupe_key or "").startswith(f"remind:{match.id}:")
    ]
    assert [m.due_at for m in reminders] == [start - timedelta(hours=2)] * 2


def test_no_reminder_without_a_time(street: Street) -> None:
    match = connected(street)
    assert not [
        m
        for m in street.session.exec(select(OutboxMessage)).all()
        if (m.dedupe_key or "").startswith(f"remind:{match.id}:")
    ]


def connected_with(street: Street, start: datetime, end: datetime) -> Match:
    match = proposed(street, window_start=start, window_end=end)
    assert not invitations.accept(street.unit(street.anna), match.id or 0).stale
    return match


# --- reciprocity -------------------------------------------------------------------------------


def worked(street: Street, match: Match) -> None:
    match.follow_up_at = None
    street.session.add(match)
    assert not follow_up.answer(street.unit(street.anna), match.id or 0, follow_up.WORKED).stale


def reciprocity_for(street: Street) -> list[OutboxMessage]:
    return [
        m
        for m in outbox_for(street, street.anna)
        if (m.dedupe_key or "").startswith("reciprocity:")
    ]


def test_a_help_that_worked_brings_one_gentle_word_five_days_later(street: Street) -> None:
    match = connected(street)
    worked(street, match)
    (message,) = reciprocity_for(street)
    assert message.due_at == street.now + timedelta(days=5)
    assert message.reply_markup is not None
    (button,) = [b for row in message.reply_markup["inline_keyboard"] for b in row]
    assert button["callback_data"] == callbacks.NUDGE_OFFER()
    assert not any(ch.isdigit() for ch in message.text)  # never a count


def test_reciprocity_comes_at_most_once_a_month(street: Street) -> None:
    worked(street, connected(street))
    street.now += timedelta(days=10)
    for match in street.session.exec(select(Match)).all():
        match.status = MatchStatus.ENDED.value
        street.session.add(match)
    second = connected_second(street)
    worked(street, second)
    assert len(reciprocity_for(street)) == 1
    assert len(street.session.exec(select(Nudge)).all()) == 1


def connected_second(street: Street) -> Match:
    post = street.request("Wie kan mijn lamp ophangen?", category="small_jobs")
    step_now(street.unit(), post.id or 0)
    first = street.session.exec(
        select(Invitation).where(Invitation.post_id == post.id).order_by(col(Invitation.id))
    ).first()
    assert first is not None
    helper = street.session.get(Resident, first.resident_id)
    invitations.say_yes(street.unit(helper), first.id or 0)
    match = street.session.exec(select(Match).where(Match.post_id == post.id)).one()
    assert not invitations.accept(street.unit(street.anna), match.id or 0).stale
    return match


def test_no_reciprocity_for_someone_paused(street: Street) -> None:
    match = connected(street)
    street.anna.paused = True
    street.session.add(street.anna)
    match.follow_up_at = None
    street.session.add(match)
    assert nudges.after_help_worked(street.unit(), match) is False
    assert reciprocity_for(street) == []


def cooking_evening(street: Street, *, wijk: Wijk | None = None, days: int = 8) -> Activity:
    """A one-off activity `days` from now, organised by Ben, in Anna's wijk (or `wijk`)."""
    organiser = street.neighbours[0]
    assert organiser.id is not None
    zone = ZoneInfo("Europe/Amsterdam")
    return activity_rows.create_activity(
        street.session,
        wijk_id=(wijk or street.wijk).id or 0,
        organiser_id=organiser.id,
        title="Kookavond <samen>",
        description="Samen eten",
        place="Pauluskerk",
        place_private=False,
        first_day=(street.now + timedelta(days=days)).astimezone(zone).date(),
        starts_local=time(18, 0),
        duration=timedelta(hours=2),
        repeat=Repeat.NONE,
        repeat_until=None,
        roles=[RoleSpec("gasten", 8)],
        zone=zone,
        now=street.now,
    )


def buttons_of(message: OutboxMessage) -> list[str]:
    assert message.reply_markup is not None
    return [b["callback_data"] for row in message.reply_markup["inline_keyboard"] for b in row]


def test_with_an_activity_coming_the_word_also_offers_the_wijks_activities(
    street: Street,
) -> None:
    activity = cooking_evening(street)
    worked(street, connected(street))
    (message,) = reciprocity_for(street)
    assert buttons_of(message) == [
        callbacks.NUDGE_OFFER(),
        callbacks.NUDGE_ACTIVITIES(street.wijk.id or 0),
    ]
    assert message.text == t("nl", "nudge.reciprocity.with_activities")
    assert "Kookavond" not in message.text  # it may be cancelled by the time this arrives

    street.now = message.due_at or street.now  # five days later, Anna presses it
    unit = street.unit(street.anna)
    shown = nudges.coming_activities(unit, street.wijk.id or 0).message
    assert shown is not None
    assert "Kookavond &lt;samen&gt;" in shown.text  # user text escaped
    assert activities.when_text("nl", *_first_date(street, activity), unit) in shown.text
    assert shown.keyboard is not None
    ((button,),) = shown.keyboard
    assert button.label == "Kookavond <samen>"  # a label is not HTML: shown as typed
    assert button.data == callbacks.ACTIVITY_SHOW(activity.id or 0)

    # The button opens the card, as the deep link act_<id> does.
    press = callbacks.decode(button.data)
    assert press is not None
    card = activities.press(street.unit(street.anna), press).answer.screen
    assert card is not None
    assert card == activities.show(street.unit(street.anna), activity.id or 0)
    assert "Kookavond" in card.text


def _first_date(street: Street, activity: Activity) -> tuple[datetime, datetime]:
    found = activity_rows.next_date(street.session, activity_id=activity.id or 0, now=street.now)
    assert found is not None
    return found.starts_at, found.ends_at


def test_when_the_activity_is_cancelled_by_the_press_it_says_so_kindly(street: Street) -> None:
    activity = cooking_evening(street)
    worked(street, connected(street))
    found = activity_rows.next_date(street.session, activity_id=activity.id or 0, now=street.now)
    assert found is not None
    assert activity_rows.cancel_date(street.session, date=found, now=street.now)
    result = nudges.coming_activities(street.unit(street.anna), street.wijk.id or 0)
    assert result.message is not None
    assert result.message.text == t("nl", "nudge.activities.none")
    assert result.message.keyboard is None


def test_the_activities_button_is_checked_against_the_pressers_own_wijk(street: Street) -> None:
    cooking_evening(street)
    elsewhere = add_wijk(street.session, "Watergraafsmeer", street.now)
    ben = street.neighbours[0]
    ben.wijk_id = elsewhere.id
    street.session.add(ben)
    result = nudges.coming_activities(street.unit(ben), street.wijk.id or 0)
    assert result.message is None
    assert result.notice == t("nl", "error.stale_button")


def test_without_an_activity_coming_in_the_wijk_the_word_is_as_before(street: Street) -> None:
    elsewhere = add_wijk(street.session, "Watergraafsmeer", street.now)
    cooking_evening(street, wijk=elsewhere)  # another wijk's
    gone = cooking_evening(street)
    found = activity_rows.next_date(street.session, activity_id=gone.id or 0, now=street.now)
    assert found is not None
    activity_rows.cancel_date(street.session, date=found, now=street.now)  # cancelled
    worked(street, connected(street))
    (message,) = reciprocity_for(street)
    assert buttons_of(message) == [callbacks.NUDGE_OFFER()]
    assert message.text == t("nl", "nudge.reciprocity")


# --- digests -----------------------------------------------------------------------------------


def digests_for(street: Street, resident: Resident) -> list[OutboxMessage]:
    return [m for m in outbox_for(street, resident) if (m.dedupe_key or "").startswith("digest:")]


def at_ten_a_week_later(street: Street) -> None:
    street.now = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)  # Thursday 10:30 in Amsterdam


def test_a_digest_shows_open_requests_and_counts_as_an_ask(street: Street) -> None:
    post = street.request()  # no flow step: nobody was invited
    at_ten_a_week_later(street)
    result = nudges.digest_round(street.unit())
    assert result.sent == len(street.neighbours)
    ben = street.neighbours[0]
    (digest,) = digests_for(street, ben)
    assert "boodschappen" in digest.text
    assert digest.reply_markup is not None
    (button,) = [b for row in digest.reply_markup["inline_keyboard"] for b in row]
    assert button["callback_data"] == callbacks.BROWSE_HELP(post.id or 0)
    street.session.refresh(ben)
    assert ben.last_invited_at == street.now
    assert street.session.exec(
        select(Nudge).where(Nudge.resident_id == ben.id, Nudge.kind == NudgeKind.DIGEST.value)
    ).one()
    # Not twice: the week starts again with this digest.
    street.now += timedelta(days=6)
    assert nudges.digest_round(street.unit()).sent == 0
    # And no invitation either within that week: a digest is an ask against the pace.
    step_now(street.unit(), post.id or 0)
    assert street.session.exec(select(Invitation)).all() == []


def test_no_empty_digests(street: Street) -> None:
    at_ten_a_week_later(street)
    assert nudges.digest_round(street.unit()) == nudges.Round(0, 0)
    assert street.session.exec(select(Nudge)).all() == []


def test_no_digest_for_never_once_or_paused_people(street: Street) -> None:
    street.request()
    ben, carla, dirk, _eva = street.neighbours
    ben.pace, carla.pace, dirk.paused = "never", "once", True
    street.session.add_all([ben, carla, dirk])
    at_ten_a_week_later(street)
    assert nudges.digest_round(street.unit()).sent == 1
    assert [digests_for(street, person) != [] for person in street.neighbours] == [
        False,
        False,
        False,
        True,
    ]


def test_no_digest_in_the_evening(street: Street) -> None:
    street.request()
    street.now = datetime(2026, 12, 3, 19, 30, tzinfo=UTC)  # 20:30 in Amsterdam
    assert nudges.digest_round(street.unit()).sent == 0


def test_erasure_takes_the_nudges_along(street: Street) -> None:
    street.request()
    at_ten_a_week_later(street)
    nudges.digest_round(street.unit())
    ben = street.neighbours[0]
    assert ben.id is not None
    privacy.delete_person(street.session, telegram_user_id=ben.telegram_user_id, now=street.now)
    assert street.session.exec(select(Nudge).where(Nudge.resident_id == ben.id)).all() == []
