"""/mijngegevens and /verwijder at the storage level: everything is exported, nothing remains."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage import repo
from storage.db import session_scope
from storage.models import (
    Block,
    Invitation,
    Match,
    OutboxMessage,
    Post,
    PostKind,
    ProcessedUpdate,
    Report,
    Resident,
    Role,
    RoleKind,
)
from storage.moderation import report_group_message
from storage.privacy import collect, delete_person
from tests.storage.neighbourhood import (
    BEN_ID,
    OFFER,
    REQUEST,
    add_post,
    add_resident,
    add_wijk,
    build_rich_resident,
    leftovers,
)

ZERLINDE_ID = 7001


def tables_of(findings: list[str]) -> set[str]:
    return {finding.split(".", 1)[0] for finding in findings}


def test_the_scan_sees_the_person_in_every_table_that_references_them(
    engine: Engine, now: datetime
) -> None:
    rich = build_rich_resident(engine, now, telegram_user_id=ZERLINDE_ID)
    found = tables_of(leftovers(engine, rich.traces))
    assert found >= {
        "resident",
        "post",
        "invitation",
        "block",
        "report",
        "chatstate",
        "outboxmessage",
        "role",
        "match",
        "activity",
        "signup",
        "activity_subscription",
    }


def test_the_export_covers_every_table_that_references_the_person(
    engine: Engine, now: datetime
) -> None:
    rich = build_rich_resident(engine, now, telegram_user_id=ZERLINDE_ID)
    with session_scope(engine) as session:
        exported = collect(session, telegram_user_id=ZERLINDE_ID, now=now).to_json()
    json.dumps(exported)  # a valid JSON document
    filled = {table for table, rows in exported.items() if rows and table != "exported_at"}
    # candidate_change only says that their matching data changed, and when.
    derived = {"candidate_change"}
    assert tables_of(leftovers(engine, rich.traces)) - derived <= filled
    assert exported["resident"][0]["likes"] == ["groceries", "cooking"]
    assert [post["text"] for post in exported["post"]] == [REQUEST, OFFER]
    assert exported["role"][0]["wijk_name"] == "Transvaalbuurt"


def test_the_export_does_not_reveal_what_others_did(engine: Engine, now: datetime) -> None:
    build_rich_resident(engine, now, telegram_user_id=ZERLINDE_ID)
    with session_scope(engine) as session:
        exported = collect(session, telegram_user_id=ZERLINDE_ID, now=now).to_json()
    # Ben blocked Zerlinde and Carla reported her: neither shows.
    assert exported["block"] == [{"blocked_first_name": "Carla"}]
    assert [report["reason"] for report in exported["report"]] == ["spam"]
    assert all("reported_resident_id" not in report for report in exported["report"])
    # Nor the Telegram id of whoever wrote a message she reported.
    assert all("quote_author_telegram_id" not in report for report in exported["report"])
    on_own_post = [i for i in exported["invitation"] if "resident_id" not in i]
    assert len(on_own_post) == 1, "who was invited to your post is not yours to know"
    assert "Ben" not in json.dumps(exported["invitation"])
    # Her matches, from her side only: no id of the other person, no username but her own.
    assert sorted(m["role"] for m in exported["match"]) == ["asker", "helper"]
    assert all("asker_id" not in m and "helper_id" not in m for m in exported["match"])
    shared = [m["shared_username"] for m in exported["match"] if m["role"] == "asker"]
    assert shared == ["Zerlinde_oost"]
    assert len(exported["requestflow"]) == 1


def test_on_an_offer_the_roles_are_its_author_and_the_interested_neighbour(
    engine: Engine, now: datetime
) -> None:
    """The one who chooses on an offer's match is its author, not an "asker"."""
    build_rich_resident(engine, now, telegram_user_id=ZERLINDE_ID)
    with session_scope(engine) as session:
        zerlinde = session.exec(
            select(Resident).where(Resident.telegram_user_id == ZERLINDE_ID)
        ).one()
        ben = session.exec(select(Resident).where(Resident.telegram_user_id == BEN_ID)).one()
        offer = session.exec(select(Post).where(Post.text == OFFER)).one()
        bens = add_post(session, ben, "Boormachine te leen", now, kind=PostKind.OFFER)
        for post, author, interested in ((offer, zerlinde, ben), (bens, ben, zerlinde)):
            session.add(
                Match(
                    post_id=post.id or 0,
                    asker_id=author.id or 0,
                    helper_id=interested.id or 0,
                    created_at=now,
                )
            )
    with session_scope(engine) as session:
        exported = collect(session, telegram_user_id=ZERLINDE_ID, now=now).to_json()
    roles = sorted(m["role"] for m in exported["match"])
    assert roles == ["asker", "helper", "interested", "offer_author"]


def test_someone_unknown_has_an_empty_export(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        data = collect(session, telegram_user_id=424242, now=now)
    assert data.is_empty
    assert data.to_json()["resident"] == []


def test_deleting_leaves_nothing_of_the_person_in_any_table(engine: Engine, now: datetime) -> None:
    rich = build_rich_resident(engine, now, telegram_user_id=ZERLINDE_ID)
    with session_scope(engine) as session:
        delete_person(session, telegram_user_id=ZERLINDE_ID, now=now)
    assert leftovers(engine, rich.traces) == []


def test_deleting_keeps_other_peoples_things(engine: Engine, now: datetime) -> None:
    rich = build_rich_resident(engine, now, telegram_user_id=ZERLINDE_ID)
    with session_scope(engine) as session:
        delete_person(session, telegram_user_id=ZERLINDE_ID, now=now)
    with session_scope(engine) as session:
        residents = session.exec(select(Resident.first_name).order_by(col(Resident.id))).all()
        assert list(residents) == ["Ben", "Carla"]
        assert [p.id for p in session.exec(select(Post)).all()] == [rich.ben_post_id]
        assert session.exec(select(Invitation)).all() == []
        assert session.exec(select(Block)).all() == []
        reports = session.exec(select(Report).order_by(col(Report.id))).all()
        # Zerlinde's report of Ben's post stays, anonymous; Carla's report about her stays
        # for the moderators with no post and no person behind it.
        assert [(r.reporter_id, r.post_id, r.reported_resident_id) for r in reports] == [
            (None, rich.ben_post_id, rich.ben_id),
            (rich.carla_id, None, None),
        ]
        assert [m.chat_id for m in session.exec(select(OutboxMessage)).all()] == [BEN_ID]
        assert session.exec(select(Role)).all() == []
        assert session.get(ProcessedUpdate, 123) is not None


def test_deleting_someone_with_only_a_role_and_a_dialog(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Dapperbuurt", now)
        repo.grant_role(
            session, telegram_user_id=ZERLINDE_ID, kind=RoleKind.ORGANISER, wijk=wijk, now=now
        )
        repo.save_chat_state(session, chat_id=ZERLINDE_ID, flow="x", step="y", data={}, now=now)
    with session_scope(engine) as session:
        assert not collect(session, telegram_user_id=ZERLINDE_ID, now=now).is_empty
        delete_person(session, telegram_user_id=ZERLINDE_ID, now=now)
    with session_scope(engine) as session:
        assert collect(session, telegram_user_id=ZERLINDE_ID, now=now).is_empty


def test_deleting_clears_the_quote_of_a_reported_group_message(
    engine: Engine, now: datetime
) -> None:
    """/meld in the group quotes a message: the quote goes when its author (or the reporter)
    erases their data; the report stays for the moderators, with nobody behind it."""
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Dapperbuurt", now)
        author = add_resident(
            session, telegram_user_id=ZERLINDE_ID, first_name="Zerlinde", wijk=wijk, now=now
        )
        reporter = add_resident(
            session, telegram_user_id=BEN_ID, first_name="Ben", wijk=wijk, now=now
        )
        assert wijk.id is not None
        for chat_message, by, about in ((7, reporter, author), (8, author, reporter)):
            report_group_message(
                session,
                wijk_id=wijk.id,
                chat_id=-100,
                message_id=chat_message,
                quote="Zerlinde woont op nummer 12",
                reason="adres",
                reporter=by,
                author=about,
                now=now,
            )
    with session_scope(engine) as session:
        delete_person(session, telegram_user_id=ZERLINDE_ID, now=now)
    with session_scope(engine) as session:
        reports = session.exec(select(Report).order_by(col(Report.id))).all()
        assert [(r.quote, r.reason, r.group_message_id) for r in reports] == [
            ("", "", 7),
            ("", "", 8),
        ]
        about_her, by_her = reports
        assert about_her.reported_resident_id is None
        assert by_her.reporter_id is None


def test_deleting_clears_quotes_of_an_author_who_never_started_the_bot(
    engine: Engine, now: datetime
) -> None:
    """Someone in the wijk group who never started the bot has no resident row: their
    /verwijder still clears the quotes of their messages (found by their Telegram id), and
    leaves other people's quotes alone."""
    stranger = 4242
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Dapperbuurt", now)
        reporter = add_resident(
            session, telegram_user_id=BEN_ID, first_name="Ben", wijk=wijk, now=now
        )
        assert wijk.id is not None
        for message_id, author_id in ((7, stranger), (8, ZERLINDE_ID)):
            report_group_message(
                session,
                wijk_id=wijk.id,
                chat_id=-100,
                message_id=message_id,
                quote=f"bericht {message_id}",
                reason="adres",
                reporter=reporter,
                author=None,
                now=now,
                author_telegram_id=author_id,
            )
    with session_scope(engine) as session:
        delete_person(session, telegram_user_id=stranger, now=now)
    with session_scope(engine) as session:
        reports = session.exec(select(Report).order_by(col(Report.id))).all()
        assert [(r.quote, r.reason, r.quote_author_telegram_id) for r in reports] == [
            ("", "", None),
            ("bericht 8", "adres", ZERLINDE_ID),
        ]
