"""`buurtbot reindex` rebuilds the matching index from the source tables."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from bot import cli
from storage import migrate
from storage.db import make_engine
from storage.models import CandidateSlot
from tests.storage.neighbourhood import add_resident, add_wijk

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_reindex_files_everyone_again(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{clean_env / 'bot.db'}"
    monkeypatch.setenv("BUURTBOT_DATABASE_URL", url)
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            wijk = add_wijk(session, "Oost", NOW)
            for number in range(3):
                add_resident(
                    session,
                    telegram_user_id=100 + number,
                    first_name="B",
                    wijk=wijk,
                    now=NOW,
                    likes=["groceries"],
                )
            session.execute(CandidateSlot.__table__.delete())  # type: ignore[attr-defined]
            session.commit()
        assert cli.main(["reindex"]) == cli.EXIT_OK
        assert "Matching index rebuilt: 6 entries." in capsys.readouterr().out
        with Session(engine) as session:
            count = session.execute(select(func.count()).select_from(CandidateSlot)).scalar_one()
        assert count == 6  # each under their like and under everything else
    finally:
        engine.dispose()
