"""Matching through the emulator: a request invites three neighbours, the first yes connects
(once the asker agrees), messages are relayed both ways, and afterwards "is het gelukt?"
brings a thank-you. Also: widening only with consent, a kind signal when nobody can, and a
restart that loses nothing and sends nothing twice."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import h3
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.app import matching_steps
from bot.harness import RunningBot, running_bot
from botapi_emulator import Emulator, Limits
from botapi_emulator.scenario import Person, Scene
from matching.area import area_cell
from matching.flow import BATCH_WAIT, WIDEN_ANSWER_WAIT
from storage.db import session_scope
from storage.matchmaking import start_flow
from storage.models import (
    ChatState,
    Invitation,
    InvitationStatus,
    Match,
    MatchStatus,
    Post,
    PostStatus,
    RequestFlow,
    Resident,
    Role,
    RoleKind,
    Signal,
    Wijk,
)
from tests.e2e.neighbours import Clock, bot_context, resident_for
from tests.e2e.posting_helpers import NOW, all_invitations, all_posts, forge_press, post_request
from tests.storage.neighbourhood import OOST, add_post, add_wijk

SHOPPING = "Wie kan zaterdag mijn boodschappen doen?"
INVITED = "Zin om te helpen?"
HOME = area_cell(*OOST)
FAR_IN_THE_WIJK = str(h3.grid_ring(HOME, 6)[0])
STALE = "Deze knop werkt niet meer"
NOBODY_YET = "Er is nu nog niemand die ik kan vragen"


@dataclass
class Street:
    """Anna asks; Ben, Carla, Dirk and Eva live in her street and are open to being asked."""

    wijk: Wijk
    anna: Person
    neighbours: dict[int, Person]  # by resident id

    def invitee(self, invitation: Invitation) -> Person:
        return self.neighbours[invitation.resident_id]


def make_street(running: RunningBot, scene: Scene) -> Street:
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
    anna = scene.resident("Anna", username="anna_oost")
    resident_for(running, anna, wijk, NOW, pace="weekly")
    neighbours = {}
    for name in ("Ben", "Carla", "Dirk", "Eva"):
        person = scene.resident(name, username=f"{name.lower()}_oost")
        neighbours[resident_for(running, person, wijk, NOW, pace="weekly")] = person
    return Street(wijk, anna, neighbours)


@pytest.fixture
def street(running: RunningBot, scene: Scene) -> Street:
    return make_street(running, scene)


def invitation_messages(running: RunningBot, person: Person) -> int:
    return sum(INVITED in message.content for message in running.emulator.messages(person.chat_id))


def matches(running: RunningBot) -> list[Match]:
    with session_scope(running.engine) as session:
        return list(session.exec(select(Match).order_by(col(Match.id))).all())


async def three_invited(running: RunningBot, street: Street) -> list[Invitation]:
    await post_request(street.anna, SHOPPING)

    def invited() -> int:
        return sum(invitation_messages(running, p) for p in street.neighbours.values())

    await running.emulator.wait_for(lambda: invited() >= 3, what="three invitations")
    invitations = all_invitations(running)
    assert len(invitations) == 3
    for invitation in invitations:
        await street.invitee(invitation).sees(INVITED)
    return invitations


async def test_request_invites_three_first_yes_connects_relay_follow_up_and_thanks(
    street: Street, running: RunningBot, clock: Clock
) -> None:
    anna = street.anna
    invitations = await three_invited(running, street)
    assert {i.status for i in invitations} == {InvitationStatus.SENT.value}
    first, second, third = (street.invitee(i) for i in invitations)
    invitation = await second.sees(INVITED)
    assert "Anna" in invitation.content
    assert SHOPPING in invitation.content
    assert "Nee zeggen is altijd goed" in invitation.content
    # Only three are asked: the fourth neighbour hears nothing.
    (left_out,) = set(street.neighbours.values()) - {first, second, third}
    assert invitation_messages(running, left_out) == 0

    await first.presses("Nu even niet")
    await first.sees("Helemaal goed")
    await second.presses("🙋 Ik help graag")
    await second.sees("Ik vraag Anna of het goed is")
    # The third invitation is closed: a note, and its buttons are gone.
    closed = await third.sees("Dit is al geregeld")
    assert closed.button("🙋 Ik help graag") is None

    offer = await anna.sees("wil graag helpen")
    assert second.name in offer.content
    assert "Ja, graag" in [label for row in offer.buttons for label in row]
    await anna.presses("Ja, graag")
    await anna.sees("geef ik door aan")
    await second.sees("Anna zegt ja, graag!")

    await anna.sends("Ik woon op de hoek, bel maar aan bij nummer 12")
    heard = await second.sees("bel maar aan bij nummer 12")
    assert "Anna" in heard.content
    await second.sends("Ik kom zaterdag om 10 uur")
    await anna.sees("Ik kom zaterdag om 10 uur")
    await second.shares_location(52.356, 4.927)
    await anna.sees("stuurt een locatie")
    # The first neighbour, who said no, sees none of it.
    assert not any("nummer 12" in m.content for m in running.emulator.messages(first.chat_id))

    (match,) = matches(running)
    assert match.status == MatchStatus.ACTIVE.value
    assert match.follow_up_at is not None
    # "Zaterdag" ends at midnight; the follow-up falls due at night and waits for the morning
    # (both have quiet hours until 08:00).
    clock.now = match.follow_up_at + timedelta(hours=8)
    await matching_steps(bot_context(running))
    await anna.sees("Is het gelukt met")
    await second.sees("Is het gelukt met Anna?")
    await anna.presses(f"Ja! Bedank {second.name}")
    await anna.sees("laten weten dat je dankbaar bent")
    await second.sees("Anna zegt: dank je wel!")
    (post,) = all_posts(running)
    assert post.status == PostStatus.DONE.value
    # The follow-up is sent once, however often the job runs.
    await matching_steps(bot_context(running))
    await matching_steps(bot_context(running))
    count = sum("Is het gelukt" in m.content for m in running.emulator.messages(anna.chat_id))
    assert count == 1


async def test_two_simultaneous_yeses_make_exactly_one_match(
    street: Street, running: RunningBot
) -> None:
    invitations = await three_invited(running, street)
    first, second = (street.invitee(i) for i in invitations[:2])
    await asyncio.gather(first.presses("🙋 Ik help graag"), second.presses("🙋 Ik help graag"))
    assert len(matches(running)) == 1
    winner = first if matches(running)[0].helper_id == invitations[0].resident_id else second
    loser = second if winner is first else first
    await winner.sees("Ik vraag Anna of het goed is")
    await loser.sees("Dit is al geregeld")
    statuses = sorted(i.status for i in all_invitations(running))
    assert statuses == ["accepted", "superseded", "superseded"]


async def test_the_asker_can_say_no_thanks_and_the_next_neighbour_is_asked(
    street: Street, running: RunningBot
) -> None:
    invitations = await three_invited(running, street)
    helper = street.invitee(invitations[0])
    await helper.presses("🙋 Ik help graag")
    await street.anna.sees("wil graag helpen")
    await street.anna.presses("Liever niet")
    await street.anna.sees("Ik kijk of een andere buur kan helpen")
    await helper.sees("Het is deze keer niet nodig. Dank je wel dat je wilde helpen!")
    (left_out,) = set(street.neighbours.values()) - {street.invitee(i) for i in invitations}
    await left_out.sees(INVITED)
    assert len(all_invitations(running)) == 4
    (post,) = all_posts(running)
    assert post.status == PostStatus.OPEN.value
    # Whoever said yes is not told they were turned down in so many words, and is not
    # asked again for this request.
    assert invitation_messages(running, helper) == 1


async def test_usernames_are_shared_only_when_both_choose_it(
    street: Street, running: RunningBot
) -> None:
    invitations = await three_invited(running, street)
    helper = street.invitee(invitations[0])
    await helper.presses("🙋 Ik help graag")
    await street.anna.sees("wil graag helpen")
    await street.anna.presses("Ja, graag")
    await helper.sees("Anna zegt ja")
    await street.anna.presses("Deel mijn gebruikersnaam")
    await street.anna.sees("Als " + helper.name + " ook wil delen")
    assert not any("@anna_oost" in m.content for m in running.emulator.messages(helper.chat_id))
    await helper.sees("wil graag de gebruikersnaam delen")
    await helper.presses("Deel mijn gebruikersnaam")
    await helper.sees("@anna_oost")
    await street.anna.sees(f"@{helper.name.lower()}_oost")
    (match,) = matches(running)
    assert match.status == MatchStatus.ENDED.value
    # From here on nothing is relayed any more.
    await street.anna.sends("Nog één ding")
    await street.anna.sees("Dat begrijp ik niet")


async def test_forged_and_foreign_presses_change_nothing(
    street: Street, running: RunningBot
) -> None:
    invitations = await three_invited(running, street)
    first, second = (street.invitee(i) for i in invitations[:2])
    message = await first.sees(INVITED)
    answer = await forge_press(running, first, message, f"inv:y:{invitations[1].id}")
    assert STALE in (answer.text or "")
    answer = await forge_press(running, first, message, "inv:y:99999999999999")
    assert STALE in (answer.text or "")
    assert matches(running) == []
    await second.presses("🙋 Ik help graag")
    (match,) = matches(running)
    # Only the asker chooses: the helper forging "accept" changes nothing.
    own = await second.sees("Ik vraag Anna")
    answer = await forge_press(running, second, own, f"mt:a:{match.id}")
    assert STALE in (answer.text or "")
    assert matches(running)[0].status == MatchStatus.PROPOSED.value


async def test_widening_needs_consent_and_nobody_left_becomes_a_kind_signal_and_keeps_looking(
    running: RunningBot, scene: Scene
) -> None:
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
    anna = scene.resident("Anna")
    resident_for(running, anna, wijk, NOW)
    far = scene.resident("Femke")
    resident_for(running, far, wijk, NOW, area_cell=FAR_IN_THE_WIJK, pace="weekly")

    await post_request(anna, SHOPPING)
    question = await anna.sees("Mag ik het ook vragen aan buren in de hele wijk?")
    assert SHOPPING in question.content
    assert invitation_messages(running, far) == 0  # not before Anna agrees
    await anna.presses("Ja, vraag verder weg")
    await anna.sees("ik vraag het aan buren iets verder weg")
    await far.sees(INVITED)
    with session_scope(running.engine) as session:
        flow = session.exec(select(RequestFlow)).one()
        assert flow.widened == ["wijk"]

    await far.presses("Nu even niet")
    told = await anna.sees(NOBODY_YET)
    assert "/buurt" in told.content
    assert "buurtwerker" not in told.content  # this wijk has none
    with session_scope(running.engine) as session:
        signal = session.exec(select(Signal)).one()
        assert (signal.wijk_id, signal.category, signal.reason) == (
            wijk.id,
            "groceries",
            "nobody_left",
        )
    # Femke's "nu even niet" left no trace anyone can see: Anna was never told who said no.
    assert not any("Femke" in m.content for m in running.emulator.messages(anna.chat_id))
    with session_scope(running.engine) as session:
        flow = session.exec(select(RequestFlow)).one()
        assert flow.outcome is None  # still looking
        post = session.get(Post, flow.post_id)
        assert post is not None
        assert post.status == PostStatus.OPEN.value


async def test_no_to_widening_keeps_the_request_open_close_by_and_a_newcomer_is_invited(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    """ "Nee, liever dichtbij": no "niet gelukt" at once; the request keeps looking at the
    nearer reach for its time, the asker hears that once, and is not asked to widen again."""
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
    anna = scene.resident("Anna")
    resident_for(running, anna, wijk, NOW)
    far = scene.resident("Femke")
    resident_for(running, far, wijk, NOW, area_cell=FAR_IN_THE_WIJK, pace="weekly")

    await post_request(anna, SHOPPING)
    await anna.sees("Mag ik het ook vragen aan buren in de hele wijk?")
    await anna.presses("Nee, liever dichtbij")
    kept = await anna.sees("Goed, ik houd het dichtbij")
    assert "/buurt" in kept.content
    with session_scope(running.engine) as session:
        flow = session.exec(select(RequestFlow)).one()
        assert flow.outcome is None  # still looking, close by
        assert flow.due_at is not None
        post = session.get(Post, flow.post_id)
        assert post is not None
        assert post.reach == "buurt"
        assert post.status == PostStatus.OPEN.value
        (signal,) = session.exec(select(Signal)).all()
        assert signal.reason == "widen_declined"  # the wijk's anonymous signal, once
        due = flow.due_at
    # A neighbour joins close by; the next look invites them, Femke far away is never asked.
    ben = scene.resident("Ben")
    resident_for(running, ben, wijk, NOW, pace="weekly")
    clock.now = due + timedelta(minutes=1)
    await matching_steps(bot_context(running))
    await ben.sees(INVITED)
    assert invitation_messages(running, far) == 0
    said = [m.content for m in running.emulator.messages(anna.chat_id)]
    assert not any("niet gelukt" in text for text in said)
    assert not any(NOBODY_YET in text for text in said)
    assert sum("Mag ik het ook vragen" in text for text in said) == 1
    with session_scope(running.engine) as session:
        assert len(session.exec(select(Signal)).all()) == 1
    assert running.emulator.errors == []


async def test_an_unanswered_widening_question_keeps_looking_close_by_and_tells_once(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    """Silence on "Mag ik het ook vragen aan buren verder weg?" is a "no", not "niet gelukt":
    the request stays open close by, Anna hears once that nobody can be asked right now, and
    a neighbour who joins close by is invited; a late yes still widens."""
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
    anna = scene.resident("Anna")
    resident_for(running, anna, wijk, NOW)
    far = scene.resident("Femke")
    resident_for(running, far, wijk, NOW, area_cell=FAR_IN_THE_WIJK, pace="weekly")

    await post_request(anna, SHOPPING)
    await anna.sees("Mag ik het ook vragen aan buren in de hele wijk?")
    clock.now = NOW + WIDEN_ANSWER_WAIT + timedelta(minutes=1)
    await matching_steps(bot_context(running))
    told = await anna.sees(NOBODY_YET)
    assert "/buurt" in told.content
    with session_scope(running.engine) as session:
        flow = session.exec(select(RequestFlow)).one()
        assert flow.outcome is None  # still looking, close by
        assert flow.due_at is not None
        post = session.get(Post, flow.post_id)
        assert post is not None
        assert post.status == PostStatus.OPEN.value
        (signal,) = session.exec(select(Signal)).all()
        assert signal.reason == "widen_unanswered"
        due = flow.due_at
    ben = scene.resident("Ben")
    resident_for(running, ben, wijk, NOW, pace="weekly")
    clock.now = due + timedelta(minutes=1)
    await matching_steps(bot_context(running))
    await ben.sees(INVITED)
    assert invitation_messages(running, far) == 0  # silence is never consent
    said = [m.content for m in running.emulator.messages(anna.chat_id)]
    assert not any("niet gelukt" in text for text in said)
    assert sum(NOBODY_YET in text for text in said) == 1
    assert sum("Mag ik het ook vragen" in text for text in said) == 1
    # A late yes is still a yes (once Ben, close by, has answered).
    await ben.presses("Nu even niet")
    await ben.sees("Helemaal goed")
    await anna.presses("Ja, vraag verder weg")
    await anna.sees("ik vraag het aan buren iets verder weg")
    await far.sees(INVITED)
    assert running.emulator.errors == []


async def test_alone_in_the_wijk_the_asker_hears_once_and_a_newcomer_is_invited_later(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
    anna = scene.resident("Anna")
    resident_for(running, anna, wijk, NOW)
    await post_request(anna, SHOPPING)
    told = await anna.sees(NOBODY_YET)
    assert SHOPPING in told.content
    assert "/buurt" in told.content
    assert "niet gelukt" not in told.content
    assert "buurtwerker" not in told.content
    with session_scope(running.engine) as session:
        flow = session.exec(select(RequestFlow)).one()
        assert flow.outcome is None
        assert flow.due_at is not None
        (signal,) = session.exec(select(Signal)).all()
        assert signal.reason == "nobody_left"  # the wijk's anonymous signal, kept
        due = flow.due_at
    # Nobody new at the next look: no second message, no second signal.
    clock.now = due + timedelta(minutes=1)
    await matching_steps(bot_context(running))
    # A neighbour joins; the look after that invites them the normal way.
    ben = scene.resident("Ben")
    resident_for(running, ben, wijk, NOW, pace="weekly")
    with session_scope(running.engine) as session:
        due_again = session.exec(select(RequestFlow)).one().due_at
        assert due_again is not None
    clock.now = due_again + timedelta(minutes=1)
    await matching_steps(bot_context(running))
    await ben.sees(INVITED)
    said = [m.content for m in running.emulator.messages(anna.chat_id)]
    assert sum(NOBODY_YET in text for text in said) == 1
    with session_scope(running.engine) as session:
        assert len(session.exec(select(Signal)).all()) == 1


async def test_at_night_the_asker_who_just_posted_hears_it_at_once(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    """Quiet hours keep unasked-for messages back; the answer to what Anna just did at 23:30
    is not one of them."""
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
    clock.now = NOW.replace(hour=22, minute=30)  # 23:30 in Amsterdam: Anna's quiet hours
    anna = scene.resident("Anna")
    resident_for(running, anna, wijk, NOW)
    await post_request(anna, SHOPPING)
    told = await anna.sees(NOBODY_YET)
    assert SHOPPING in told.content


async def test_the_buurtwerker_is_mentioned_only_where_the_wijk_has_one(
    running: RunningBot, scene: Scene
) -> None:
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
        assert wijk.id is not None
        session.add(Role(telegram_user_id=424242, wijk_id=wijk.id, kind=RoleKind.BUURTWERKER))
    anna = scene.resident("Anna")
    resident_for(running, anna, wijk, NOW)
    await post_request(anna, SHOPPING)
    told = await anna.sees(NOBODY_YET)
    assert "De buurtwerker van je wijk ziet ook welke vragen open blijven" in told.content


async def test_a_restart_loses_no_step_and_repeats_none(
    engine: Engine, database_url: str, clock: Clock
) -> None:
    emulator = Emulator(limits=Limits())
    await emulator.start(host="127.0.0.1", port=0)
    try:
        async with running_bot(
            engine=engine, database_url=database_url, clock=clock, emulator=emulator
        ) as running:
            street = make_street(running, Scene(emulator))
            invitations = await three_invited(running, street)
        # The bot is down for a while; nobody answered; the next batch fell due meanwhile.
        clock.now = NOW + BATCH_WAIT + timedelta(minutes=5)
        async with running_bot(
            engine=engine, database_url=database_url, clock=clock, emulator=emulator
        ) as running:
            await matching_steps(bot_context(running))
            await matching_steps(bot_context(running))
            (left_out,) = set(street.neighbours.values()) - {
                street.invitee(i) for i in invitations
            }
            await left_out.sees(INVITED)
            await matching_steps(bot_context(running))
            for person in street.neighbours.values():
                assert invitation_messages(running, person) == 1, person.name
            assert len(all_invitations(running)) == 4
    finally:
        await emulator.stop()


async def test_a_request_without_anyone_nearby_is_signalled_when_its_time_passes(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
    anna = scene.resident("Anna")
    resident_for(running, anna, wijk, NOW)
    ben = scene.resident("Ben")
    # Ben is open to it, but in quiet hours all night: he can be asked in the morning.
    resident_for(running, ben, wijk, NOW, pace="weekly", quiet_start="09:00", quiet_end="23:00")
    await post_request(anna, "Wie kan vandaag mijn boodschappen doen?")
    assert invitation_messages(running, ben) == 0
    with session_scope(running.engine) as session:
        flow = session.exec(select(RequestFlow)).one()
        assert flow.due_at is not None
        post = session.get(Post, flow.post_id)
        assert post is not None
        assert post.window_end is not None
        # The next morning, after Anna's quiet hours.
        clock.now = post.window_end + timedelta(hours=9)
    await matching_steps(bot_context(running))
    await anna.sees("Het is niet gelukt om iemand te vinden")
    with session_scope(running.engine) as session:
        assert session.exec(select(Signal)).one().reason == "expired"


async def connected(running: RunningBot, street: Street) -> tuple[list[Invitation], Person]:
    """Anna's request was sent to three; the first said yes and Anna agreed."""
    invitations = await three_invited(running, street)
    helper = street.invitee(invitations[0])
    await helper.presses("🙋 Ik help graag")
    await street.anna.sees("wil graag helpen")
    await street.anna.presses("Ja, graag")
    await helper.sees("Anna zegt ja, graag!")
    return invitations, helper


async def test_a_photo_is_passed_on_with_the_senders_first_name(
    street: Street, running: RunningBot
) -> None:
    _invitations, helper = await connected(running, street)
    await running.emulator.send_photo(helper.user, caption="Deze zak boodschappen?")
    photo = await street.anna.sees("Deze zak boodschappen?")
    assert photo.photo
    assert helper.name in photo.content


async def test_asking_again_reaches_only_neighbours_whose_pace_allows_it(
    street: Street, running: RunningBot, clock: Clock
) -> None:
    invitations, helper = await connected(running, street)
    (match,) = matches(running)
    assert match.follow_up_at is not None
    clock.now = match.follow_up_at + timedelta(hours=8)
    await matching_steps(bot_context(running))
    await street.anna.presses("Nee, vraag het opnieuw")
    await street.anna.sees("ik vraag het opnieuw aan een paar buren")
    old, new = all_posts(running)
    assert (old.status, new.status) == (PostStatus.WITHDRAWN.value, PostStatus.OPEN.value)
    assert (new.text, new.window_end) == (SHOPPING, None)
    # Everyone chose "about weekly": the three asked four days ago are not asked again yet;
    # only the neighbour who was never asked gets the new request.
    (left_out,) = set(street.neighbours.values()) - {street.invitee(i) for i in invitations}
    await left_out.sees(INVITED)
    new_invitations = [i for i in all_invitations(running) if i.post_id == new.id]
    assert [i.resident_id for i in new_invitations] == [
        rid for rid, person in street.neighbours.items() if person is left_out
    ]
    for person in street.neighbours.values():
        assert invitation_messages(running, person) == 1, person.name
    assert helper is not left_out


def set_resident(running: RunningBot, person: Person, **fields: object) -> None:
    with session_scope(running.engine) as session:
        resident = session.exec(
            select(Resident).where(Resident.telegram_user_id == person.user.id)
        ).one()
        for name, value in fields.items():
            setattr(resident, name, value)
        session.add(resident)


async def test_nothing_is_relayed_to_someone_who_paused(
    street: Street, running: RunningBot
) -> None:
    _invitations, helper = await connected(running, street)
    set_resident(running, helper, paused=True)
    await street.anna.sends("Ben je er zaterdag?")
    await street.anna.sees(f"{helper.name} neemt even pauze")
    assert not any(
        "Ben je er zaterdag" in m.content for m in running.emulator.messages(helper.chat_id)
    )


async def test_a_location_sent_inside_a_dialog_is_never_relayed(
    street: Street, running: RunningBot
) -> None:
    _invitations, helper = await connected(running, street)
    await street.anna.sends("/vraag")
    await street.anna.sees("Wat kan een buur voor je doen?")
    await street.anna.shares_location(52.3561, 4.9271)
    await street.anna.sees("Dat begrijp ik niet")
    relayed = [
        m for m in running.emulator.messages(helper.chat_id) if "stuurt een locatie" in m.content
    ]
    assert relayed == []


async def test_a_request_of_someone_who_left_stops_looking(
    street: Street, running: RunningBot, clock: Clock
) -> None:
    invitations = await three_invited(running, street)
    set_resident(running, street.anna, stopped=True, paused_until=NOW + timedelta(hours=1))
    clock.now = NOW + BATCH_WAIT + timedelta(minutes=1)
    await matching_steps(bot_context(running))
    with session_scope(running.engine) as session:
        flow = session.exec(select(RequestFlow)).one()
        assert (flow.outcome, flow.due_at) == ("withdrawn", None)
    assert len(all_invitations(running)) == len(invitations)


async def test_one_broken_request_does_not_hold_up_the_others(
    street: Street, running: RunningBot, clock: Clock
) -> None:
    with session_scope(running.engine) as session:
        anna = session.exec(select(Resident).where(Resident.first_name == "Anna")).one()
        broken = add_post(session, anna, "Kapot", NOW, reach="nergens")
        fine = add_post(session, anna, SHOPPING, NOW)
        start_flow(session, post=broken, now=NOW)
        start_flow(session, post=fine, now=NOW)
        broken_id, fine_id = broken.id, fine.id
    await matching_steps(bot_context(running))
    invited_for = {i.post_id for i in all_invitations(running)}
    assert invited_for == {fine_id}
    with session_scope(running.engine) as session:
        flow = session.get(RequestFlow, broken_id)
        assert flow is not None
        assert flow.due_at is not None
        assert flow.due_at > NOW


def active_match(running: RunningBot, asker: int, helper: int, text: str, category: str) -> int:
    with session_scope(running.engine) as session:
        author = session.get(Resident, asker)
        assert author is not None
        post = add_post(session, author, text, NOW, category=category, status="matched")
        match = Match(
            post_id=post.id or 0,
            asker_id=asker,
            helper_id=helper,
            status=MatchStatus.ACTIVE.value,
            created_at=NOW,
            accepted_at=NOW,
        )
        session.add(match)
        session.flush()
        assert match.id is not None
        return match.id


async def test_in_two_conversations_a_reply_to_a_relayed_line_goes_to_its_conversation(
    running: RunningBot, scene: Scene
) -> None:
    """Telegram's "reply" on a line from Ben is for Ben: no "Voor wie is dit bericht?"."""
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
    anna, ben, carla = (scene.resident(name) for name in ("Anna", "Ben", "Carla"))
    anna_id, ben_id, carla_id = (resident_for(running, p, wijk, NOW) for p in (anna, ben, carla))
    active_match(running, anna_id, ben_id, SHOPPING, "groceries")  # Ben helps Anna
    active_match(running, carla_id, anna_id, "Wie leent me een ladder?", "lending")

    await ben.sends("Ik ben er om vier uur")
    from_ben = await anna.sees("Ik ben er om vier uur")
    await carla.sends("De ladder staat klaar")
    from_carla = await anna.sees("De ladder staat klaar")
    await running.emulator.send_text(anna.user, "Top, tot dan!", reply_to=from_ben.message_id)
    await ben.sees("Top, tot dan!")
    await running.emulator.send_text(anna.user, "Dank je!", reply_to=from_carla.message_id)
    await carla.sees("Dank je!")
    assert not any("Top, tot dan" in m.content for m in running.emulator.messages(carla.chat_id))
    assert not any("Dank je!" in m.content for m in running.emulator.messages(ben.chat_id))
    assert not any("Voor wie" in m.content for m in running.emulator.messages(anna.chat_id))
    # A reply to something that is not a line of a conversation still asks.
    await anna.sends("Hallo")
    hello = await anna.sees("Voor wie is dit bericht?")
    await running.emulator.send_text(anna.user, "Nog iets", reply_to=hello.message_id)
    await running.emulator.wait_for(
        lambda: sum("Voor wie" in m.content for m in running.emulator.messages(anna.chat_id)) == 2,
        what="a second question",
    )
    assert running.emulator.errors == []


async def test_in_two_conversations_a_reply_to_a_relayed_location_goes_to_its_conversation(
    running: RunningBot, scene: Scene
) -> None:
    """A relayed location is two messages (the text, then the map): a reply to either is for
    that conversation, and /meld as a reply to the map finds the line."""
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
    anna, ben, carla = (scene.resident(name) for name in ("Anna", "Ben", "Carla"))
    anna_id, ben_id, carla_id = (resident_for(running, p, wijk, NOW) for p in (anna, ben, carla))
    active_match(running, anna_id, ben_id, SHOPPING, "groceries")  # Ben helps Anna
    active_match(running, carla_id, anna_id, "Wie leent me een ladder?", "lending")

    await ben.shares_location(52.3561, 4.9271)
    await running.emulator.wait_for(
        lambda: any(m.location for m in running.emulator.messages(anna.chat_id)),
        what="Ben's location at Anna",
    )
    (place,) = [m for m in running.emulator.messages(anna.chat_id) if m.location]
    await running.emulator.send_text(anna.user, "Daar ben ik!", reply_to=place.message_id)
    await ben.sees("Daar ben ik!")
    assert not any("Daar ben ik" in m.content for m in running.emulator.messages(carla.chat_id))
    assert not any("Voor wie" in m.content for m in running.emulator.messages(anna.chat_id))
    await running.emulator.send_text(anna.user, "/meld", reply_to=place.message_id)
    await anna.sees("Wat is er mis met dit bericht van Ben?")
    assert running.emulator.errors == []


async def test_in_two_conversations_each_message_asks_who_it_is_for(
    running: RunningBot, scene: Scene
) -> None:
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
    anna, ben, carla = (scene.resident(name) for name in ("Anna", "Ben", "Carla"))
    anna_id, ben_id, carla_id = (resident_for(running, p, wijk, NOW) for p in (anna, ben, carla))
    active_match(running, anna_id, ben_id, SHOPPING, "groceries")  # Ben helps Anna
    active_match(running, carla_id, anna_id, "Wie leent me een ladder?", "lending")

    await anna.sends("Ik kan om vier uur")
    question = await anna.sees("Voor wie is dit bericht?")
    assert question.buttons == [["Carla"], ["Ben"]] or question.buttons == [["Ben"], ["Carla"]]
    assert not any("vier uur" in m.content for m in running.emulator.messages(ben.chat_id))
    await anna.sends("Tot straks!")
    await running.emulator.wait_for(
        lambda: sum("Voor wie" in m.content for m in running.emulator.messages(anna.chat_id)) == 2,
        what="a second question",
    )
    # The newest question first: "Tot straks!" is for Carla, then "vier uur" for Ben.
    await anna.presses("Carla")
    done = await anna.sees("Doorgegeven aan Carla")
    assert "spullen lenen" in done.content.lower()
    for_carla = await carla.sees("Tot straks!")
    assert "Anna" in for_carla.content
    await anna.presses("Ben")
    await anna.sees("Doorgegeven aan Ben")
    await ben.sees("Ik kan om vier uur")
    assert not any("Tot straks" in m.content for m in running.emulator.messages(ben.chat_id))
    assert not any("vier uur" in m.content for m in running.emulator.messages(carla.chat_id))
    # Anna is in two conversations: what reaches her says which one it is.
    await ben.sends("Prima, tot dan")
    line = await anna.sees("Prima, tot dan")
    assert "Ben · Boodschappen" in line.content
    with session_scope(running.engine) as session:
        state = session.get(ChatState, anna.chat_id)
        assert state is None  # nothing left waiting
