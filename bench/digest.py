"""One digest round for a whole city: who is due a digest, and which open requests fit them.

The same synthetic city as `bench matching` (bench/matching.py: 100,000 residents, 20,000 open
posts by default) is written into a throwaway SQLite database by a child process, so this
process's peak memory is the round's own. Then one round is planned the way the nudges job does
(bot/services/nudges.py digest_round without its writes): storage.nudges.read_digest_round
reads everyone on a pace with digests, their asks of the last 30 days, every open request and
who was invited for it, and every block; matching.nudges.plan_digests decides. Timed: the
reads, the plan, and both together (`seconds`, wall clock; the CPU time is printed too, for a
shared machine); `rss_mb` is this process's peak resident memory.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from typing import Final

from sqlmodel import Session

from bench.matching import NOW, build_city, sqlite_database
from matching.nudges import plan_digests
from storage import migrate
from storage.db import make_engine
from storage.nudges import read_digest_round

TARGET_SECONDS: Final = 2.0
TARGET_RSS_MB: Final = 300


def _build(url: str, residents: int, posts: int) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        build_city(engine, residents, posts)
    finally:
        engine.dispose()


def _peak_rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench digest", description=__doc__)
    parser.add_argument("--small", action="store_true", help="5,000 residents, 1,000 posts")
    parser.add_argument("--residents", type=int)
    parser.add_argument("--posts", type=int)
    args = parser.parse_args(argv)
    residents = args.residents or (5_000 if args.small else 100_000)
    posts = args.posts or (1_000 if args.small else 20_000)
    with sqlite_database() as url:
        started = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(
            target=_build, args=(url, residents, posts)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            print(f"building the city failed (exit code {child.exitcode})")
            return 1
        built = time.perf_counter() - started
        print(f"city: {residents} residents, {posts} posts in {built:.1f} s")
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                began, began_cpu = time.perf_counter(), time.process_time()
                read = read_digest_round(session, now=NOW)
                read_s = time.perf_counter() - began
                planned = plan_digests(
                    read.readers, read.requests, read.blocked, NOW, started=read.started
                )
                seconds = time.perf_counter() - began
                cpu = time.process_time() - began_cpu
        finally:
            engine.dispose()
    rss_mb = _peak_rss_mb()
    items = sum(len(digest.post_ids) for digest in planned)
    print(
        f"read {len(read.readers)} residents on a digest pace and {len(read.requests)} open "
        f"requests in {read_s:.2f} s; planned {len(planned)} digests ({items} requests) in "
        f"{seconds - read_s:.2f} s; {cpu:.2f} s of CPU in all (on a busy machine the wall clock "
        "waits for a core too)"
    )
    verdict = "within" if seconds < TARGET_SECONDS and rss_mb < TARGET_RSS_MB else "OVER"
    print(f"{verdict} the target of {TARGET_SECONDS} s and {TARGET_RSS_MB} MB")
    print(
        f"RESULT digest residents={residents} posts={posts} seconds={seconds:.2f} "
        f"digests={len(planned)} rss_mb={rss_mb:.0f}"
    )
    return 0
