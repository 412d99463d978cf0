"""A resident's own choices and the blocks they made, stored and undone."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from matching.pace import Pace
from storage import models, residents
from storage.db import session_scope
from storage.models import Block, Resident
from tests.storage.neighbourhood import add_resident, add_wijk


def fresh(engine: Engine, resident_id: int) -> Resident:
    with Session(engine) as session:
        found = session.get(Resident, resident_id)
        assert found is not None
        return found


def test_the_stored_pace_values_are_the_domain_pace() -> None:
    """Resident.pace holds matching.pace.Pace values; renaming one would need a data migration."""
    assert models.Pace is Pace
    assert [pace.value for pace in Pace] == ["never", "once", "monthly", "weekly", "whenever"]
    assert Resident(telegram_user_id=1).pace == Pace.MONTHLY.value


def test_each_choice_is_stored_and_stamped(engine: Engine, now: datetime) -> None:
    later = now + timedelta(minutes=5)
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", now)
        anna = add_resident(session, telegram_user_id=1, first_name="Anna", wijk=None, now=now)
        residents.set_wijk(session, resident=anna, wijk=wijk, now=later)
        residents.set_area_cell(session, resident=anna, area_cell=None, now=later)
        residents.set_pace(session, resident=anna, pace=Pace.WEEKLY, now=later)
        residents.set_quiet_hours(session, resident=anna, start="22:00", end="07:00", now=later)
        residents.set_likes(session, resident=anna, likes=["pets", "garden"], now=later)
        anna_id, wijk_id = anna.id, wijk.id
    assert anna_id is not None
    stored = fresh(engine, anna_id)
    assert stored.wijk_id == wijk_id
    assert stored.area_cell is None
    assert (stored.pace, stored.quiet_start, stored.quiet_end) == ("weekly", "22:00", "07:00")
    assert stored.likes == ["pets", "garden"]
    assert stored.updated_at == later


def test_likes_changed_in_place_are_saved(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=None, now=now)
        residents.set_likes(session, resident=ben, likes=["pets"], now=now)
        ben_id = ben.id
    with session_scope(engine) as session:
        stored = session.get(Resident, ben_id)
        assert stored is not None
        residents.set_likes(session, resident=stored, likes=[*stored.likes, "garden"], now=now)
    assert ben_id is not None
    assert fresh(engine, ben_id).likes == ["pets", "garden"]


def test_wijken_are_found_by_link_code_and_id(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oud-Zuid Één", now)
        assert wijk.id is not None
        assert residents.wijk_by_code(session, code="oud-zuid-een") == wijk
        assert residents.wijk_by_code(session, code="OUD-ZUID-EEN") == wijk
        assert residents.wijk_by_code(session, code="Oud-Zuid Één") is None, "names are no codes"
        assert residents.wijk_by_id(session, wijk_id=wijk.id) == wijk
        assert residents.wijk_by_id(session, wijk_id=wijk.id + 1) is None


def test_onboarding_and_coming_back(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        carla = add_resident(
            session, telegram_user_id=3, first_name="Carla", wijk=None, now=now, stopped=True
        )
        carla.onboarded = False
        assert residents.come_back(session, resident=carla, now=now)
        assert not residents.come_back(session, resident=carla, now=now)
        residents.mark_onboarded(session, resident=carla, now=now)
        carla_id = carla.id
    assert carla_id is not None
    stored = fresh(engine, carla_id)
    assert stored.onboarded
    assert not stored.stopped


def test_only_the_blocker_sees_and_undoes_their_blocks(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        people = {
            name: add_resident(
                session, telegram_user_id=10 + i, first_name=name, wijk=None, now=now
            )
            for i, name in enumerate(("Dirk", "Eva", "Finn", "Gijs"))
        }
        ids = {name: resident.id or 0 for name, resident in people.items()}
        assert all(ids.values())
        dirk_eva = Block(blocker_id=ids["Dirk"], blocked_id=ids["Eva"], created_at=now)
        dirk_finn = Block(
            blocker_id=ids["Dirk"], blocked_id=ids["Finn"], created_at=now - timedelta(days=1)
        )
        gijs_dirk = Block(blocker_id=ids["Gijs"], blocked_id=ids["Dirk"], created_at=now)
        session.add_all([dirk_eva, dirk_finn, gijs_dirk])
        session.flush()
        block_ids = (dirk_eva.id, dirk_finn.id, gijs_dirk.id)
    dirk_id, gijs_id = ids["Dirk"], ids["Gijs"]
    assert dirk_id is not None
    assert gijs_id is not None
    eva_block, finn_block, gijs_block = block_ids
    assert eva_block is not None
    assert finn_block is not None
    assert gijs_block is not None

    with session_scope(engine) as session:
        listed = residents.blocked_neighbours(session, blocker_id=dirk_id)
        assert listed == [
            residents.BlockedNeighbour(finn_block, "Finn"),
            residents.BlockedNeighbour(eva_block, "Eva"),
        ]
        assert not residents.undo_block(session, blocker_id=dirk_id, block_id=gijs_block)
        assert residents.undo_block(session, blocker_id=dirk_id, block_id=eva_block)
        assert not residents.undo_block(session, blocker_id=dirk_id, block_id=eva_block)
    with Session(engine) as session:
        left = set(session.exec(select(Block.id)).all())
    assert left == {finn_block, gijs_block}
