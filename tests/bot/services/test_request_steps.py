"""The request-flow step driver, in units of work built by hand."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.services.request_steps import RETRY_FAILED_STEP, invitation_key, step_due, step_now
from storage.models import Invitation, OutboxMessage, RequestFlow
from tests.bot.services.conftest import Street


def test_a_due_request_invites_neighbours_through_the_outbox(street: Street) -> None:
    post = street.request()
    unit = street.unit()
    step_now(unit, post.id or 0)
    invitations = street.session.exec(select(Invitation)).all()
    assert len(invitations) == 3
    queued = [street.session.get(OutboxMessage, id) for id in unit.queued]
    assert {(m.dedupe_key, m.about, m.counterpart_id) for m in queued if m is not None} == {
        (invitation_key(i.id or 0), f"inv:{i.id}", street.anna.id) for i in invitations
    }


def test_a_request_that_is_not_due_takes_no_step(street: Street) -> None:
    post = street.request()
    flow = street.session.get(RequestFlow, post.id)
    assert flow is not None
    flow.due_at = street.now + timedelta(hours=1)
    street.session.add(flow)
    step_now(street.unit(), post.id or 0)
    assert street.session.exec(select(Invitation)).all() == []


def test_the_job_finds_nothing_to_do_when_no_flow_is_due(street: Street) -> None:
    assert step_due(street.unit()) is None


def test_a_failing_step_is_undone_and_looked_at_again_later(street: Street) -> None:
    broken = street.request("Kapot", reach="nergens")
    unit = street.unit()
    assert step_due(unit) == broken.id
    flow = street.session.get(RequestFlow, broken.id)
    assert flow is not None
    assert flow.due_at == street.now + RETRY_FAILED_STEP
    assert unit.queued == []
    assert street.session.exec(select(Invitation)).all() == []
