"""Blocks and reports: who may act on which post or invitation, and idempotent rows."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage import outbox
from storage.db import session_scope
from storage.models import Block, Report
from storage.moderation import (
    Refusal,
    add_block,
    author_of_post_in_view,
    block_target,
    post_in_view,
    report_post,
    report_relayed_line,
    reportable_post,
    responder_to_own_post,
)
from tests.storage.neighbourhood import add_invitation, add_post, add_resident, add_wijk


def test_posts_are_in_view_only_within_the_wijk(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        oost, west = add_wijk(session, "Oost", now), add_wijk(session, "West", now)
        anna = add_resident(session, telegram_user_id=1, first_name="Anna", wijk=oost, now=now)
        ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=oost, now=now)
        wim = add_resident(session, telegram_user_id=3, first_name="Wim", wijk=west, now=now)
        nomad = add_resident(session, telegram_user_id=4, first_name="Noor", wijk=None, now=now)
        post = add_post(session, anna, "Wie helpt met de tuin?", now)
        assert post.id is not None
        assert post_in_view(session, post_id=post.id, viewer=ben) is post
        assert post_in_view(session, post_id=post.id, viewer=wim) is None
        assert post_in_view(session, post_id=post.id, viewer=nomad) is None
        assert post_in_view(session, post_id=post.id + 1000, viewer=ben) is None
        assert author_of_post_in_view(session, post_id=post.id, viewer=ben) is anna
        assert author_of_post_in_view(session, post_id=post.id, viewer=anna) is anna


def test_only_the_author_may_name_who_responded(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        oost = add_wijk(session, "Oost", now)
        anna = add_resident(session, telegram_user_id=1, first_name="Anna", wijk=oost, now=now)
        ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=oost, now=now)
        carla = add_resident(session, telegram_user_id=3, first_name="Carla", wijk=oost, now=now)
        invitation = add_invitation(session, add_post(session, anna, "Koffie?", now), ben, now)
        assert invitation.id is not None
        assert responder_to_own_post(session, invitation_id=invitation.id, author=anna) is ben
        assert responder_to_own_post(session, invitation_id=invitation.id, author=carla) is None
        assert responder_to_own_post(session, invitation_id=invitation.id, author=ben) is None
        assert responder_to_own_post(session, invitation_id=999, author=anna) is None


def test_a_block_is_made_once_and_never_against_oneself(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        oost = add_wijk(session, "Oost", now)
        anna = add_resident(session, telegram_user_id=1, first_name="Anna", wijk=oost, now=now)
        ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=oost, now=now)
        carla = add_resident(session, telegram_user_id=3, first_name="Carla", wijk=oost, now=now)
        assert anna.id
        assert ben.id
        assert carla.id
        assert add_block(session, blocker_id=anna.id, blocked_id=ben.id, now=now)
        assert not add_block(session, blocker_id=anna.id, blocked_id=ben.id, now=now)
        assert add_block(session, blocker_id=carla.id, blocked_id=anna.id, now=now)
        with pytest.raises(ValueError, match="themselves"):
            add_block(session, blocker_id=anna.id, blocked_id=anna.id, now=now)
        pairs = session.exec(select(Block.blocker_id, Block.blocked_id).order_by(col(Block.id)))
        assert list(pairs) == [(anna.id, ben.id), (carla.id, anna.id)]


def test_a_report_names_the_post_its_author_and_wijk_once(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        oost = add_wijk(session, "Oost", now)
        anna = add_resident(session, telegram_user_id=1, first_name="Anna", wijk=oost, now=now)
        ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=oost, now=now)
        post = add_post(session, anna, "Koop nu goedkope horloges", now)
        first = report_post(
            session, reporter=ben, post=post, reason="  veel   te \n veel ", now=now
        )
        again = report_post(session, reporter=ben, post=post, reason="spam", now=now)
        assert again.id == first.id
        stored = session.exec(select(Report)).one()
        assert (stored.wijk_id, stored.reporter_id, stored.post_id) == (oost.id, ben.id, post.id)
        assert stored.reported_resident_id == anna.id
        assert stored.reason == "veel te veel"
        assert stored.status == "open"


def test_block_and_report_targets_say_why_not(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        oost, west = add_wijk(session, "Oost", now), add_wijk(session, "West", now)
        anna = add_resident(session, telegram_user_id=1, first_name="Anna", wijk=oost, now=now)
        ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=oost, now=now)
        add_resident(session, telegram_user_id=3, first_name="Wim", wijk=west, now=now)
        post = add_post(session, anna, "Wie helpt met de tuin?", now)
        invitation = add_invitation(session, post, ben, now)
        assert post.id is not None
        assert invitation.id is not None
        assert block_target(session, telegram_user_id=2, kind="p", ref_id=post.id) == (ben, anna)
        assert block_target(session, telegram_user_id=1, kind="i", ref_id=invitation.id) == (
            anna,
            ben,
        )
        assert block_target(session, telegram_user_id=1, kind="p", ref_id=post.id) is Refusal.OWN
        for who, kind in ((3, "p"), (9, "p"), (2, "i"), (2, "x")):
            assert (
                block_target(session, telegram_user_id=who, kind=kind, ref_id=post.id)
                is Refusal.UNAVAILABLE
            )
        assert reportable_post(session, telegram_user_id=2, post_id=post.id) == (ben, post)
        assert reportable_post(session, telegram_user_id=1, post_id=post.id) is Refusal.OWN
        assert reportable_post(session, telegram_user_id=3, post_id=post.id) is Refusal.UNAVAILABLE
        assert reportable_post(session, telegram_user_id=9, post_id=post.id) is Refusal.UNAVAILABLE


def test_a_relayed_line_is_found_by_its_message_and_reported_once(
    engine: Engine, now: datetime
) -> None:
    """The outbox key of a relayed line names its match and sender; the report of it keeps
    the match, the line's message id and its author's Telegram id, once per reporter."""
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", now)
        anna = add_resident(session, telegram_user_id=101, first_name="Anna", wijk=wijk, now=now)
        ben = add_resident(session, telegram_user_id=102, first_name="Ben", wijk=wijk, now=now)
        assert anna.id is not None
        assert ben.id is not None
        line = outbox.enqueue(
            session,
            chat_id=101,
            text="<b>Ben</b>: hallo &amp; tot zo",
            reply_markup=None,
            due_at=now,
            key=f"{outbox.LINE_PREFIX}7:{ben.id}:55",
        )
        other = outbox.enqueue(
            session, chat_id=101, text="Iets anders", reply_markup=None, due_at=now, key="x:1"
        )
        outbox.mark_sent(session, message=line, now=now, message_id=900)
        outbox.mark_sent(session, message=other, now=now, message_id=901)
        found = outbox.relayed_line(session, chat_id=101, message_id=900)
        assert found == outbox.RelayedLine(
            match_id=7, sender_id=ben.id, text="<b>Ben</b>: hallo &amp; tot zo"
        )
        assert outbox.relayed_line(session, chat_id=101, message_id=901) is None
        assert outbox.relayed_line(session, chat_id=102, message_id=900) is None
        first, new = report_relayed_line(
            session,
            reporter=anna,
            author=ben,
            wijk_id=wijk.id,
            match_id=7,
            message_id=900,
            quote="Ben: hallo & tot zo",
            reason="unkind",
            named=True,
            now=now,
        )
        assert new
        again, new = report_relayed_line(
            session,
            reporter=anna,
            author=ben,
            wijk_id=wijk.id,
            match_id=7,
            message_id=900,
            quote="anders",
            reason="",
            named=False,
            now=now,
        )
        assert not new
        assert again.id == first.id
    with session_scope(engine) as session:
        [report] = session.exec(select(Report)).all()
        assert (
            report.relay_match_id,
            report.relay_message_id,
            report.quote_author_telegram_id,
            report.quote,
            report.reporter_named,
        ) == (7, 900, 102, "Ben: hallo & tot zo", True)
