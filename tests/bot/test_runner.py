"""Updates at least once, effects at most once: the update id is claimed in the same
transaction as the unit's effects (bot/runner.py)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.context import Services
from bot.runner import _run_unit
from bot.services.unit import Caller, Unit
from bot.settings import Settings
from storage import repo
from storage.models import BotFact, ProcessedUpdate

CALLER = Caller(user_id=501, chat_id=501, first_name="Anna")


def _services(engine: Engine, now: datetime) -> Services:
    return Services(
        settings=Settings(_env_file=None), engine=engine, clock=lambda: now, executor=None
    )


def _write_then_fail(unit: Unit) -> None:
    repo.set_fact(unit.session, key="effect", value="done")
    unit.session.flush()
    raise RuntimeError("the process died here")


def _write(unit: Unit) -> str:
    repo.set_fact(unit.session, key="effect", value="done")
    return "ok"


def _state(engine: Engine) -> tuple[list[int], list[str]]:
    with Session(engine) as session:
        ids = [row.update_id for row in session.exec(select(ProcessedUpdate)).all()]
        facts = [fact.key for fact in session.exec(select(BotFact)).all()]
    return ids, facts


def test_a_unit_that_fails_leaves_neither_its_effects_nor_the_update_id(
    engine: Engine, now: datetime
) -> None:
    services = _services(engine, now)
    with pytest.raises(RuntimeError):
        _run_unit(services, 77, CALLER, _write_then_fail)
    assert _state(engine) == ([], []), "the redelivered update will run again"
    done = _run_unit(services, 77, CALLER, _write)
    assert done is not None
    assert done[0] == "ok"
    assert _state(engine) == ([77], ["effect"])
    # Committed: a redelivery of the same update is skipped, its effects happen once.
    assert _run_unit(services, 77, CALLER, _write) is None
    assert _state(engine) == ([77], ["effect"])
