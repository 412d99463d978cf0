"""/verwijder after a whole history: asked, helped, relayed, thanked, reported, blocked.
Afterwards no table and no column holds her id, her name or her words, and the thank-you
naming her that still waited in her helper's outbox is never delivered."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from bot.app import matching_steps
from bot.harness import RunningBot
from bot.sender import send_due_messages
from botapi_emulator.scenario import Scene
from storage.db import session_scope
from storage.models import OutboxMessage, Post, Report, Resident
from storage.moderation import add_block, report_post
from tests.e2e.neighbours import Clock, bot_context
from tests.e2e.test_matching_flow import SHOPPING, make_street, matches, three_invited
from tests.storage.neighbourhood import Traces, leftovers

RELAYED = "Ik woon op de hoek, bel maar aan bij nummer 12"
REPORT = "Anna was onaardig tegen mij"


def _resident(running: RunningBot, telegram_user_id: int) -> Resident:
    with Session(running.engine) as session:
        return session.exec(
            select(Resident).where(Resident.telegram_user_id == telegram_user_id)
        ).one()


async def test_deleting_after_a_whole_history_leaves_nothing_of_her(
    scene: Scene, running: RunningBot, clock: Clock
) -> None:
    street = make_street(running, scene)
    anna = street.anna
    anna_row = _resident(running, anna.user.id)
    assert anna_row.id is not None
    invitations = await three_invited(running, street)
    helper, reporter = street.invitee(invitations[0]), street.invitee(invitations[1])
    await helper.presses("🙋 Ik help graag")
    await anna.sees("wil graag helpen")
    await anna.presses("Ja, graag")
    await helper.sees("Anna zegt ja, graag!")
    await anna.sends(RELAYED)
    await helper.sees("nummer 12")
    await helper.sends("Ik kom zaterdag om 10 uur")
    await anna.sees("Ik kom zaterdag om 10 uur")
    # Reported by a neighbour (in words naming her), and she blocked someone.
    with session_scope(running.engine) as session:
        post = session.exec(select(Post).where(Post.resident_id == anna_row.id)).one()
        other = session.get(Resident, _resident(running, reporter.user.id).id)
        assert other is not None
        assert other.id is not None
        report_post(session, reporter=other, post=post, reason=REPORT, now=clock.now)
        session.add(
            Report(
                wijk_id=street.wijk.id,
                reporter_id=other.id,
                reported_resident_id=anna_row.id,
                reason=REPORT,
            )
        )
        add_block(session, blocker_id=anna_row.id, blocked_id=other.id, now=clock.now)
    # The follow-up; her helper is in quiet hours when she says thank you, so it waits.
    (match,) = matches(running)
    assert match.follow_up_at is not None
    clock.now = match.follow_up_at + timedelta(hours=8)
    local = clock.now.astimezone(running.settings.tz)
    with session_scope(running.engine) as session:
        helper_row = session.get(Resident, _resident(running, helper.user.id).id)
        assert helper_row is not None
        helper_row.quiet_start = (local - timedelta(hours=1)).strftime("%H:00")
        helper_row.quiet_end = (local + timedelta(hours=2)).strftime("%H:00")
        session.add(helper_row)
    await matching_steps(bot_context(running))
    await anna.sees("Is het gelukt met")
    await anna.presses(f"Ja! Bedank {helper.name}")
    await anna.sees("laten weten dat je dankbaar bent")
    with Session(running.engine) as session:
        waiting = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == helper.user.id, OutboxMessage.status == "pending"
            )
        ).all()
        assert any("Anna" in message.text for message in waiting), "the thank-you waits"

    await anna.sends("/verwijder")
    await anna.sees("Wil je dat ik alles over jou wis?")
    await anna.presses("Ja, wis alles")
    await anna.sees("Alles over jou is gewist")
    traces = Traces(anna.user.id, anna_row.id, ("Anna", "anna_oost", SHOPPING, RELAYED, REPORT))
    assert leftovers(running.engine, traces) == []
    # The next morning the outbox goes out: nothing of hers is among it.
    clock.now += timedelta(days=1)
    await send_due_messages(bot_context(running))
    assert not any(
        "dank je wel" in message.content for message in running.emulator.messages(helper.chat_id)
    )
    with Session(running.engine) as session:
        reports = session.exec(select(Report)).all()
        assert len(reports) == 2, "the moderators keep that there were reports"
        assert all(report.reason == "" for report in reports)
