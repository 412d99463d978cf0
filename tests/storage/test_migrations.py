"""Migrations build the whole schema on an empty database and models round-trip through it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from storage import migrate
from storage.db import make_engine
from storage.models import (
    Block,
    BotFact,
    ChatState,
    Invitation,
    OutboxMessage,
    Post,
    PostKind,
    ProcessedUpdate,
    Report,
    Resident,
    Role,
    Wijk,
)


def test_upgrade_builds_every_table_on_an_empty_database(database_url: str) -> None:
    before, after = migrate.upgrade(database_url)
    assert before is None
    assert after == migrate.head_revision(database_url)
    engine = make_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(SQLModel.metadata.tables) <= tables


def test_second_upgrade_is_a_no_op(database_url: str) -> None:
    first = migrate.upgrade(database_url)
    second = migrate.upgrade(database_url)
    assert second == (first[1], first[1])
    assert not migrate.pending(database_url)


def test_migrations_match_the_models(engine: Engine) -> None:
    """A model change without a migration fails here (alembic revision --autogenerate)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_models_round_trip_with_aware_timestamps(engine: Engine) -> None:
    moment = datetime(2026, 11, 25, 8, 30, 15, tzinfo=UTC)
    big_id = 7_000_000_000  # Telegram ids exceed 32 bits
    with Session(engine) as session:
        wijk = Wijk(code="transvaal", name="Transvaalbuurt", center_cell="88196b5d9bfffff")
        session.add(wijk)
        session.flush()
        assert wijk.id is not None
        anna = Resident(
            telegram_user_id=big_id, first_name="Anna", wijk_id=wijk.id, likes=["groceries"]
        )
        ben = Resident(telegram_user_id=big_id + 1, first_name="Ben", paused_until=moment)
        session.add_all([anna, ben])
        session.flush()
        assert anna.id is not None
        assert ben.id is not None
        post = Post(
            resident_id=anna.id,
            wijk_id=wijk.id,
            kind=PostKind.REQUEST,
            category="groceries",
            text="Wie kan zaterdag mijn boodschappen doen? 🛒",
            window_start=moment,
            window_end=moment + timedelta(hours=4),
        )
        session.add(post)
        session.flush()
        assert post.id is not None
        session.add_all(
            [
                Invitation(post_id=post.id, resident_id=ben.id, sent_at=moment),
                Block(blocker_id=anna.id, blocked_id=ben.id),
                Report(wijk_id=wijk.id, reporter_id=ben.id, post_id=post.id, reason="spam"),
                Role(telegram_user_id=big_id + 2, wijk_id=wijk.id, kind="buurtwerker"),
                ProcessedUpdate(update_id=big_id, processed_at=moment),
                OutboxMessage(chat_id=-big_id, text="<b>hoi</b>", reply_markup={"k": [1]}),
                ChatState(chat_id=big_id, flow="onboarding", step="wijk", data={"lang": "nl"}),
                BotFact(key="bot_username", value="buurtbot"),
            ]
        )
        session.commit()

    with Session(engine) as session:
        stored = session.exec(select(Post)).one()
        assert stored.text == "Wie kan zaterdag mijn boodschappen doen? 🛒"
        assert stored.window_start == moment
        assert stored.window_start.tzinfo is not None
        assert stored.created_at.tzinfo is not None
        resident = session.exec(select(Resident).where(Resident.first_name == "Anna")).one()
        assert resident.telegram_user_id == big_id
        assert resident.likes == ["groceries"]
        assert resident.pace == "monthly"
        assert session.exec(select(Resident).where(Resident.paused_until == moment)).one()
        state = session.get(ChatState, big_id)
        assert state is not None
        assert state.data == {"lang": "nl"}
        outbox = session.exec(select(OutboxMessage)).one()
        assert outbox.chat_id == -big_id
        assert outbox.reply_markup == {"k": [1]}
        assert session.exec(select(Invitation)).one().sent_at == moment
        assert len(session.exec(select(Block)).all()) == 1


def test_matching_columns_migration_keeps_existing_posts_and_downgrades(database_url: str) -> None:
    migrate.upgrade(database_url, "0001")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO wijk (code, name, reach_m, created_at)"
                    " VALUES ('oost', 'Oost', 1500, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO resident (telegram_user_id, first_name, language, pace,"
                    " quiet_start, quiet_end, likes, paused, stopped, onboarded, created_at,"
                    " updated_at) VALUES (1, 'Anna', 'nl', 'monthly', '21:00', '08:00', '[]',"
                    " false, false, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO post (resident_id, wijk_id, kind, category, text, status,"
                    " created_at, updated_at) SELECT r.id, w.id, 'request', 'groceries', 'Hulp',"
                    " 'open', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM resident r, wijk w"
                )
            )
        assert migrate.upgrade(database_url, "0002") == ("0001", "0002")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT reach FROM post")).scalar_one() == "buurt"
            last = connection.execute(text("SELECT last_invited_at FROM resident")).scalar_one()
            assert last is None
        config = migrate.alembic_config(database_url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0001")
        assert migrate.current_revision(engine) == "0001"
        assert "reach" not in {column["name"] for column in inspect(engine).get_columns("post")}
    finally:
        engine.dispose()


def test_matching_flow_migration_downgrades_to_the_matching_columns(database_url: str) -> None:
    assert migrate.upgrade(database_url, "0003") == (None, "0003")
    engine = make_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"requestflow", "match", "signal"} <= tables
        outbox_columns = {c["name"] for c in inspect(engine).get_columns("outboxmessage")}
        assert "message_id" in outbox_columns
        config = migrate.alembic_config(database_url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        assert migrate.current_revision(engine) == "0002"
        inspector = inspect(engine)
        assert not {"requestflow", "match", "signal"} & set(inspector.get_table_names())
        assert "message_id" not in {c["name"] for c in inspector.get_columns("outboxmessage")}
    finally:
        engine.dispose()


def test_outbox_about_migration_adds_and_removes_its_columns(database_url: str) -> None:
    assert migrate.upgrade(database_url, "0004") == (None, "0004")
    engine = make_engine(database_url)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("outboxmessage")}
        assert {"resident_id", "about", "counterpart_id"} <= columns
        config = migrate.alembic_config(database_url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0003")
        assert migrate.current_revision(engine) == "0003"
        columns = {c["name"] for c in inspect(engine).get_columns("outboxmessage")}
        assert not {"resident_id", "about", "counterpart_id"} & columns
    finally:
        engine.dispose()


def test_browse_index_migration_adds_and_removes_the_index(database_url: str) -> None:
    assert migrate.upgrade(database_url, "0005") == (None, "0005")
    engine = make_engine(database_url)
    try:
        names = {index["name"] for index in inspect(engine).get_indexes("post")}
        assert "ix_post_wijk_status_created" in names
        config = migrate.alembic_config(database_url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0004")
        names = {index["name"] for index in inspect(engine).get_indexes("post")}
        assert "ix_post_wijk_status_created" not in names
    finally:
        engine.dispose()


def test_match_tally_migration_adds_and_removes_the_table(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        assert "matchtally" in inspect(engine).get_table_names()
        config = migrate.alembic_config(database_url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")
        assert "matchtally" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_delivery_migration_adds_and_removes_its_columns(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        columns = {column["name"] for column in inspect(engine).get_columns("outboxmessage")}
        assert "unknown_sends" in columns
        assert "unreachable_since" in {c["name"] for c in inspect(engine).get_columns("resident")}
        config = migrate.alembic_config(database_url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")
        columns = {column["name"] for column in inspect(engine).get_columns("outboxmessage")}
        assert "unknown_sends" not in columns
        assert "unreachable_since" not in {
            c["name"] for c in inspect(engine).get_columns("resident")
        }
    finally:
        engine.dispose()


def test_buurtwerk_migration_adds_and_removes_its_tables(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        assert {"auditentry", "suspension"} <= set(inspect(engine).get_table_names())
        config = migrate.alembic_config(database_url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")
        tables = set(inspect(engine).get_table_names())
        assert not {"auditentry", "suspension"} & tables
        assert "team_chat_id" not in {c["name"] for c in inspect(engine).get_columns("wijk")}
        assert "handled_by" not in {c["name"] for c in inspect(engine).get_columns("report")}
    finally:
        engine.dispose()


def test_nudge_migration_adds_and_removes_its_table(database_url: str) -> None:
    assert migrate.upgrade(database_url, "0008") == (None, "0008")
    engine = make_engine(database_url)
    try:
        assert "nudge" in inspect(engine).get_table_names()
        names = {index["name"] for index in inspect(engine).get_indexes("nudge")}
        assert "ix_nudge_resident_kind_at" in names
        config = migrate.alembic_config(database_url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")
        assert migrate.current_revision(engine) == "0005"
        assert "nudge" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_candidate_pool_migration_replaces_the_slot_index_and_steps_back(
    database_url: str,
) -> None:
    assert migrate.upgrade(database_url, "0007") == (None, "0007")
    engine = make_engine(database_url)
    try:
        assert "candidate_slot" in inspect(engine).get_table_names()
        migrate.upgrade(database_url)
        names = inspect(engine).get_table_names()
        assert "candidate_change" in names
        assert "candidate_slot" not in names
        config = migrate.alembic_config(database_url)
        before = ScriptDirectory.from_config(config).get_revision("0019").down_revision
        assert isinstance(before, str)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, before)
        names = inspect(engine).get_table_names()
        assert "candidate_slot" in names
        assert "candidate_change" not in names
    finally:
        engine.dispose()


def test_outbox_media_message_migration_adds_and_removes_its_column(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("outboxmessage")}
        indexes = {i["name"] for i in inspect(engine).get_indexes("outboxmessage")}
        assert "media_message_id" in columns
        assert "ix_outbox_chat_media_message" in indexes
        config = migrate.alembic_config(database_url)
        before = ScriptDirectory.from_config(config).get_revision("0020").down_revision
        assert before == "0019"
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, before)
        columns = {c["name"] for c in inspect(engine).get_columns("outboxmessage")}
        indexes = {i["name"] for i in inspect(engine).get_indexes("outboxmessage")}
        assert "media_message_id" not in columns
        assert "ix_outbox_chat_media_message" not in indexes
    finally:
        engine.dispose()
