"""Answering invitations, the asker's choice and the relay, in units of work built by hand."""

from __future__ import annotations

from sqlmodel import col, select

from bot.services import invitations
from bot.services.request_steps import step_now
from bot.services.unit import Incoming, Unit
from storage.models import Invitation, Match, MatchStatus, OutboxMessage, RequestFlow, Resident
from tests.bot.services.conftest import Street
from tests.storage.neighbourhood import add_post


def invited(street: Street) -> list[Invitation]:
    post = street.request()
    step_now(street.unit(), post.id or 0)
    return list(street.session.exec(select(Invitation).order_by(col(Invitation.id))).all())


def queued(street: Street, unit: Unit) -> list[OutboxMessage]:
    return [m for m in (street.session.get(OutboxMessage, id) for id in unit.queued) if m]


def test_not_now_lets_the_request_take_its_next_step_in_the_same_unit(street: Street) -> None:
    first = invited(street)[0]
    ben = street.session.get(Resident, first.resident_id)
    pressed = invitations.say_not_now(street.unit(ben), first.id or 0)
    assert pressed.close is not None
    flow = street.session.get(RequestFlow, first.post_id)
    assert flow is not None
    # The answer made the flow due now; the step in the same unit moved it on.
    assert flow.due_at != street.now


def test_the_first_yes_queues_the_offer_card_for_the_asker(street: Street) -> None:
    first = invited(street)[0]
    helper = street.session.get(Resident, first.resident_id)
    unit = street.unit(helper)
    pressed = invitations.say_yes(unit, first.id or 0)
    match = street.session.exec(select(Match)).one()
    # Due now (the reminder a day later, if the asker has not chosen, waits in the outbox).
    (card,) = [m for m in queued(street, unit) if m.due_at <= street.now]
    assert (card.chat_id, card.dedupe_key, card.about) == (
        street.anna.telegram_user_id,
        f"offer:{match.id}",
        f"match:{match.id}",
    )
    assert pressed.close is not None
    assert "Anna" in pressed.close


def test_a_press_by_someone_who_left_is_stale(street: Street) -> None:
    first = invited(street)[0]
    helper = street.session.get(Resident, first.resident_id)
    assert helper is not None
    helper.stopped = True
    street.session.add(helper)
    assert invitations.say_yes(street.unit(helper), first.id or 0).stale


def connected(street: Street) -> Match:
    first = invited(street)[0]
    helper = street.session.get(Resident, first.resident_id)
    invitations.say_yes(street.unit(helper), first.id or 0)
    match = street.session.exec(select(Match)).one()
    assert not invitations.accept(street.unit(street.anna), match.id or 0).stale
    return match


def test_a_relayed_location_goes_out_as_media_with_the_senders_name(street: Street) -> None:
    connected(street)
    unit = street.unit(street.anna)
    result = invitations.relay(unit, Incoming(message_id=1, location=(52.36, 4.93)))
    assert result is not None
    assert result.reply is None
    (relayed,) = queued(street, unit)
    assert relayed.media == {"location": [52.36, 4.93]}
    assert "Anna" in relayed.text


def test_nothing_is_relayed_to_someone_who_paused(street: Street) -> None:
    match = connected(street)
    helper = street.session.get(Resident, match.helper_id)
    assert helper is not None
    helper.paused = True
    street.session.add(helper)
    unit = street.unit(street.anna)
    result = invitations.relay(unit, Incoming(message_id=1, text="Ben je er zaterdag?"))
    assert result is not None
    assert result.reply is not None
    assert unit.queued == []


def test_only_the_asker_chooses(street: Street) -> None:
    first = invited(street)[0]
    helper = street.session.get(Resident, first.resident_id)
    invitations.say_yes(street.unit(helper), first.id or 0)
    match = street.session.exec(select(Match)).one()
    assert invitations.accept(street.unit(helper), match.id or 0).stale


def test_sharing_without_a_username_explains_and_changes_nothing(street: Street) -> None:
    match = connected(street)
    pressed = invitations.share(street.unit(street.anna), match.id or 0, None)
    assert pressed.alert is not None
    street.session.refresh(match)
    assert not match.asker_shares


def test_usernames_go_out_only_once_both_share(street: Street) -> None:
    match = connected(street)
    helper = street.session.get(Resident, match.helper_id)
    first = street.unit(street.anna)
    invitations.share(first, match.id or 0, "anna_oost")
    assert not any("@anna_oost" in m.text for m in queued(street, first))
    second = street.unit(helper)
    invitations.share(second, match.id or 0, "ben_oost")
    texts = {m.chat_id: m.text for m in queued(street, second)}
    assert helper is not None
    assert "@anna_oost" in texts[helper.telegram_user_id]
    assert "@ben_oost" in texts[street.anna.telegram_user_id]


def test_the_asker_sees_that_a_helper_helped_before_never_how_often(street: Street) -> None:
    first = invited(street)[0]
    helper = street.session.get(Resident, first.resident_id)
    assert helper is not None
    for _ in range(3):
        earlier = add_post(street.session, street.anna, "Ladder lenen", street.now)
        street.session.add(
            Match(
                post_id=earlier.id or 0,
                asker_id=street.anna.id or 0,
                helper_id=helper.id or 0,
                status=MatchStatus.ENDED.value,
                created_at=street.now,
            )
        )
    street.session.flush()
    unit = street.unit(helper)
    invitations.say_yes(unit, first.id or 0)
    (card,) = [m for m in queued(street, unit) if (m.dedupe_key or "").startswith("offer:")]
    assert "heeft al eerder geholpen" in card.text
    assert "3" not in card.text
    assert "keer" not in card.text
