"""`buurtbot reindex` has every running bot load its matching pool again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from bot import cli
from storage import migrate
from storage.candidate_pool import pool_for, warm_up
from storage.db import make_engine
from tests.storage.neighbourhood import add_resident, add_wijk

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_reindex_has_a_running_pool_load_everyone_again(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{clean_env / 'bot.db'}"
    monkeypatch.setenv("BUURTBOT_DATABASE_URL", url)
    migrate.upgrade(url)
    engine = make_engine(url)  # the running bot's
    try:
        with Session(engine) as session:
            wijk = add_wijk(session, "Oost", NOW)
            people = [
                add_resident(
                    session,
                    telegram_user_id=100 + number,
                    first_name="B",
                    wijk=wijk,
                    now=NOW,
                    likes=["groceries"],
                )
                for number in range(3)
            ]
            session.commit()
            ids = [person.id for person in people if person.id is not None]
            assert warm_up(session, NOW) == 3
            pool = pool_for(session)
            pool._remove(ids[0])  # as if a change had gone unheard
        assert cli.main(["reindex"]) == cli.EXIT_OK
        assert "3 residents can be invited" in capsys.readouterr().out
        with Session(engine) as session:
            pool.catch_up(session, NOW)
        assert sorted(pool.filed) == sorted(ids)
    finally:
        engine.dispose()
