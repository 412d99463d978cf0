"""Repository functions used by the bot and the CLI."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from storage import repo
from storage.db import session_scope
from storage.models import RoleKind


def test_an_update_id_can_be_claimed_once(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        assert repo.claim_update(session, update_id=10, now=now)
    with session_scope(engine) as session:
        assert not repo.claim_update(session, update_id=10, now=now)
        assert repo.claim_update(session, update_id=11, now=now)


def test_old_update_ids_are_pruned(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        repo.claim_update(session, update_id=1, now=now - timedelta(days=3))
        repo.claim_update(session, update_id=2, now=now)
    with session_scope(engine) as session:
        assert repo.prune_processed_updates(session, older_than=now - timedelta(days=2)) == 1
        assert repo.claim_update(session, update_id=1, now=now)
        assert not repo.claim_update(session, update_id=2, now=now)


def test_wijk_codes_are_link_safe_and_unique(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        first = repo.add_wijk(session, name="Oud-Zuid Één", center_cell=None, reach_m=900, now=now)
        assert first.code == "oud-zuid-een"
        with pytest.raises(repo.DuplicateError):
            repo.add_wijk(session, name="Oud-Zuid Één", center_cell=None, reach_m=900, now=now)
        second = repo.add_wijk(session, name="Oud Zuid Een", center_cell=None, reach_m=1, now=now)
        assert second.code != first.code
        assert second.code.startswith("oud-zuid-een-")
        assert repo.find_wijk(session, code_or_name="OUD-ZUID-EEN").id == first.id
        with pytest.raises(repo.NotFoundError):
            repo.find_wijk(session, code_or_name="nergens")


def test_roles_are_granted_once_and_revoked(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        wijk = repo.add_wijk(session, name="Transvaal", center_cell=None, reach_m=1000, now=now)
        kind = RoleKind.BUURTWERKER
        assert not repo.wijk_has_role(session, wijk_id=wijk.id, kind=kind)
        assert repo.grant_role(session, telegram_user_id=5, kind=kind, wijk=wijk, now=now)
        assert not repo.grant_role(session, telegram_user_id=5, kind=kind, wijk=wijk, now=now)
        assert repo.has_role(session, telegram_user_id=5, kind=kind, wijk_id=wijk.id)
        session.flush()
        assert repo.wijk_has_role(session, wijk_id=wijk.id, kind=kind)
        assert not repo.wijk_has_role(session, wijk_id=wijk.id, kind=RoleKind.ORGANISER)
        assert not repo.has_role(
            session, telegram_user_id=5, kind=RoleKind.ORGANISER, wijk_id=wijk.id
        )
        assert repo.revoke_role(session, telegram_user_id=5, kind=kind, wijk=wijk)
        assert not repo.revoke_role(session, telegram_user_id=5, kind=kind, wijk=wijk)


def test_wijk_names_are_unique_without_case_or_accents(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        repo.add_wijk(session, name="Transvaalbuurt", center_cell=None, reach_m=900, now=now)
        for near_duplicate in ("transvaalbuurt", "TRANSVÄALBUURT", " Transváalbuurt "):
            with pytest.raises(repo.DuplicateError, match="'Transvaalbuurt' \\(code"):
                repo.add_wijk(session, name=near_duplicate, center_cell=None, reach_m=900, now=now)
        assert repo.find_wijk(session, code_or_name="transváalbuurt").name == "Transvaalbuurt"
