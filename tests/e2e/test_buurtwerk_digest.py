"""The group digest through the emulator: one message at the wijk's hour with the new posts
(not of paused or suspended authors), each with a deep link that opens the post privately."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.engine import Engine

from bot.harness import RunningBot, running_bot
from bot.runner import perform
from bot.sender import deliver, send_due_messages
from bot.services import digest
from botapi_emulator import Emulator, Limits
from botapi_emulator.scenario import Scene
from storage import buurtwerk, outbox
from storage.db import session_scope
from storage.models import Wijk
from tests.e2e.neighbours import NOW, Clock, bot_context, resident, resident_for
from tests.storage.neighbourhood import add_post, add_wijk


async def run_digest(running: RunningBot) -> int:
    context = bot_context(running)
    queued = await perform(context, None, digest.send_due)
    outgoing, context.outgoing = context.outgoing, []
    await deliver(context, outgoing)
    return queued


async def test_the_digest_batches_new_posts_and_links_to_them(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    emulator = running.emulator
    anna, ben, cor = (scene.resident(name) for name in ("Anna", "Ben", "Cor"))
    group = emulator.add_group("Buren Oost", members=[anna.user, ben.user, cor.user])
    with session_scope(running.engine) as session:
        oost = add_wijk(session, "Oost", NOW)
        oost.group_chat_id = group.id
        session.add(oost)
        session.flush()
        oost_id = oost.id
    assert oost_id is not None
    anna_id = resident_for(running, anna, oost, NOW)
    ben_id = resident_for(running, ben, oost, NOW, paused=True)
    cor_id = resident_for(running, cor, oost, NOW)
    with session_scope(running.engine) as session:
        post = add_post(session, resident(running, anna_id), "Wie leent me een ladder?", NOW)
        add_post(session, resident(running, ben_id), "Bens geheim", NOW)
        suspended = add_post(session, resident(running, cor_id), "Cors bericht", NOW)
        buurtwerk.suspend(
            session,
            resident=resident(running, cor_id),
            wijk_id=oost_id,
            until=None,
            by=1,
            reason="",
            now=NOW,
        )
        del suspended
        post_id = post.id
    # 10:00 local is NOW; at 10:30 the daily digest is due once, then not again.
    clock.now = NOW + timedelta(minutes=30)
    assert await run_digest(running) == 1
    assert await run_digest(running) == 0
    message = await emulator.wait_for_message(group, "Nieuw in Oost:")
    assert "Wie leent me een ladder?" in message.content
    assert "Bens geheim" not in message.content
    assert "Cors bericht" not in message.content
    button = message.button("Bekijk 1")
    assert button is not None
    assert button["url"].endswith(f"?start=post_{post_id}")
    await cor.sends(f"/start post_{post_id}")
    await cor.sees("Wie leent me een ladder?")
    with session_scope(running.engine) as session:
        found = session.get(Wijk, oost_id)
        assert found is not None
        assert found.digest_sent_at == clock.now


async def test_a_digest_shows_ten_posts_and_says_how_many_more_there_are(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    emulator = running.emulator
    anna = scene.resident("Anna")
    group = emulator.add_group("Buren Oost", members=[anna.user])
    with session_scope(running.engine) as session:
        oost = add_wijk(session, "Oost", NOW)
        oost.group_chat_id = group.id
        session.add(oost)
    anna_id = resident_for(running, anna, oost, NOW)
    with session_scope(running.engine) as session:
        for number in range(1, 13):
            add_post(session, resident(running, anna_id), f"Vraag nummer {number}", NOW)
    clock.now = NOW + timedelta(minutes=30)
    assert await run_digest(running) == 1  # one message for twelve posts
    message = await emulator.wait_for_message(group, "Nieuw in Oost:")
    assert "Vraag nummer 10" in message.content
    assert "Vraag nummer 11" not in message.content
    assert "Nog meer nieuw: 2. Je ziet ze met /buurt in een privégesprek met mij." in (
        message.content
    )
    assert sum(len(row) for row in message.buttons) == 10


async def test_the_digest_and_other_group_messages_keep_to_the_group_limit(
    engine: Engine, database_url: str, clock: Clock
) -> None:
    """Telegram allows a group about 20 messages a minute; the bot spaces a group's messages
    3 s apart. This emulator allows no burst and refuses (429) any two messages to the group
    closer than 2.5 s (a little slack for the time a request takes to arrive): the digest and
    two more messages queued for the group at the same moment all arrive, none refused, the
    last about 6 s after the first."""
    emulator = Emulator(limits=Limits(per_group_per_minute=24, per_group_burst=1))
    await emulator.start(host="127.0.0.1", port=0)
    try:
        async with running_bot(
            engine=engine, database_url=database_url, clock=clock, emulator=emulator
        ) as running:
            anna = Scene(emulator).resident("Anna")
            group = emulator.add_group("Buren Oost", members=[anna.user])
            with session_scope(running.engine) as session:
                oost = add_wijk(session, "Oost", NOW)
                oost.group_chat_id = group.id
                session.add(oost)
            anna_id = resident_for(running, anna, oost, NOW)
            with session_scope(running.engine) as session:
                add_post(session, resident(running, anna_id), "Wie leent me een ladder?", NOW)
                for number in (1, 2):
                    outbox.enqueue(
                        session,
                        chat_id=group.id,
                        text=f"Bericht {number} voor de groep",
                        reply_markup=None,
                        due_at=NOW,
                    )
            clock.now = NOW + timedelta(minutes=30)
            loop = asyncio.get_running_loop()
            started = loop.time()
            assert await run_digest(running) == 1
            await send_due_messages(bot_context(running))  # the two others, right after
            for text in ("Nieuw in Oost:", "Bericht 1 voor de groep", "Bericht 2 voor de groep"):
                await emulator.wait_for_message(group, text, timeout=30)
            took = loop.time() - started
            refused = [error for error in emulator.errors if error.error_code == 429]
            assert refused == []
            assert took >= 5.5, "three group messages 3 s apart"
    finally:
        await emulator.stop()
