"""Who to invite for a request, in a whole city: the candidate pool vs a full scan.

A synthetic city (100,000 residents, 20,000 open posts by default) is written with bulk Core
inserts into a throwaway SQLite database (and PostgreSQL with --postgres). Then, in the same
run and on the same data:

  pool       storage.candidate_pool (what the bot uses): the in-memory search, only the
             residents it examined read from the database; by day and at night;
  prefilter  the earlier way: storage.candidates.candidates_for (indexed SQL, at most
             CANDIDATE_LIMIT rows) + blocks + earlier invitations + plan_invitations;
  scan       one plain SELECT of every resident (plus every recent invitation and open offer),
             Candidates for all of them, plan_invitations over the lot;
  parity     the pool's plan against the exact prefilter without a limit (what a full scan
             decides), at random requests and moments;
  offers     storage.candidates.requests_matching_offer (the offer's own category nearby
             first) vs requests_for_offer over every open request of the city.

The LIMIT'ed prefilter can differ where more than CANDIDATE_LIMIT people are eligible; the
pool's plans are meant to be identical to the full scan's.
"""

from __future__ import annotations

import argparse
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import h3
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from matching.categories import CATEGORY_KEYS
from matching.engine import (
    Candidate,
    InvitationPlan,
    OfferInfo,
    RequestInfo,
    plan_invitations,
    requests_for_offer,
)
from matching.pace import INVITATION_HISTORY, Pace
from matching.reach import Reach
from storage import migrate
from storage.candidate_pool import pool_for, warm_up
from storage.candidates import (
    CANDIDATE_LIMIT,
    REQUEST_COLUMNS,
    already_invited,
    blocked_pairs_for,
    candidate_from_row,
    candidates_for,
    full_scan_plan,
    plan_for,
    request_info,
    requests_matching_offer,
    same_plan,
)
from storage.db import make_engine, normalise_url
from storage.models import Block, Invitation, Post, PostKind, PostStatus, Resident, Wijk

# Amsterdam, Oosterpark; the city is every res-8 cell within CITY_RINGS of it (469 cells,
# ~350 km², ~210 residents a cell at the default size) and its wijken are the res-6 parents.
CENTER_CELL: Final = "8819695263fffff"
CITY_RINGS: Final = 12
NOW: Final = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a weekday morning: nobody's quiet hours

_PACES: Final = tuple(Pace)
_PACE_WEIGHTS: Final = (10, 10, 40, 25, 15)  # never, once, monthly, weekly, whenever
_REACH_WEIGHTS: Final = {Reach.STRAAT: 2, Reach.BUURT: 6, Reach.WIJK: 2}
_WORDS: Final = (
    "boodschappen",
    "ladder",
    "lamp ophangen",
    "koffie",
    "telefoon",
    "hond uitlaten",
    "ziekenhuis",
    "tuin",
    "formulieren",
    "Nederlands oefenen",
    "boormachine",
)

_resident = Resident.__table__  # type: ignore[attr-defined]
_post = Post.__table__  # type: ignore[attr-defined]
_invitation = Invitation.__table__  # type: ignore[attr-defined]
_block = Block.__table__  # type: ignore[attr-defined]
_wijk = Wijk.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class City:
    residents: int
    posts: int
    seconds: float


def build_city(engine: Engine, residents: int, posts: int, seed: int = 8) -> City:
    """Write the synthetic city with bulk inserts (Core executemany), in one transaction."""
    started = time.perf_counter()
    rng = random.Random(seed)
    cells = sorted(str(cell) for cell in h3.grid_disk(CENTER_CELL, CITY_RINGS))
    parents = sorted({str(h3.cell_to_parent(cell, 6)) for cell in cells})
    wijk_of_parent = {parent: number for number, parent in enumerate(parents, start=1)}
    wijk_of_cell = {cell: wijk_of_parent[str(h3.cell_to_parent(cell, 6))] for cell in cells}
    resident_rows: list[dict[str, Any]] = []
    recent_by_resident: dict[int, list[datetime]] = {}
    for number in range(1, residents + 1):
        cell = rng.choice(cells)
        area = None if rng.random() < 0.05 else cell
        recent = sorted(
            NOW - timedelta(hours=rng.uniform(1, 30 * 24)) for _ in range(rng.choice((0, 0, 1, 2)))
        )
        last = recent[-1] if recent else None
        if last is None and rng.random() < 0.3:
            last = NOW - timedelta(days=rng.uniform(31, 365))
        if recent:
            recent_by_resident[number] = recent
        paused = rng.random() < 0.05
        resident_rows.append(
            {
                "id": number,
                "telegram_user_id": 10_000_000 + number,
                "first_name": f"Buur{number}",
                "language": "nl",
                "wijk_id": wijk_of_cell[cell],
                "area_cell": area,
                "pace": rng.choices(_PACES, _PACE_WEIGHTS)[0].value,
                "quiet_start": "21:00",
                "quiet_end": "08:00",
                "likes": rng.sample(CATEGORY_KEYS, rng.choice((0, 1, 2, 3))),
                "paused": paused,
                "paused_until": NOW + timedelta(days=3) if paused and rng.random() < 0.5 else None,
                "stopped": rng.random() < 0.02,
                "onboarded": rng.random() < 0.97,
                "last_invited_at": last,
                "created_at": NOW - timedelta(days=400),
                "updated_at": NOW - timedelta(days=1),
            }
        )
    post_rows: list[dict[str, Any]] = []
    request_ids: list[int] = []
    for number in range(1, posts + 1):
        author = resident_rows[rng.randrange(residents)]
        is_request = rng.random() < 0.6
        if is_request:
            request_ids.append(number)
        category = rng.choice(CATEGORY_KEYS)
        post_rows.append(
            {
                "id": number,
                "resident_id": author["id"],
                "wijk_id": author["wijk_id"],
                "kind": (PostKind.REQUEST if is_request else PostKind.OFFER).value,
                "category": category,
                "text": f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} {number}",
                "area_cell": author["area_cell"],
                "reach": rng.choices(list(_REACH_WEIGHTS), list(_REACH_WEIGHTS.values()))[0].value,
                "window_start": None,
                "window_end": NOW + timedelta(days=rng.uniform(-2, 10))
                if rng.random() < 0.3
                else None,
                "status": PostStatus.OPEN.value,
                "created_at": NOW - timedelta(days=rng.uniform(0, 60)),
                "updated_at": NOW,
            }
        )
    invitation_rows: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for resident_id, moments in recent_by_resident.items():
        for sent_at in moments:
            post_id = rng.choice(request_ids)
            if (post_id, resident_id) in seen:
                continue
            seen.add((post_id, resident_id))
            invitation_rows.append(
                {
                    "post_id": post_id,
                    "resident_id": resident_id,
                    "status": "sent",
                    "sent_at": sent_at,
                    "answered_at": None,
                }
            )
    block_pairs = {
        (rng.randint(1, residents), rng.randint(1, residents)) for _ in range(residents // 50)
    }
    block_rows = [
        {"blocker_id": a, "blocked_id": b, "created_at": NOW} for a, b in block_pairs if a != b
    ]
    wijk_rows = [
        {"id": number, "code": f"w{number}", "name": f"Wijk {number}", "reach_m": 1500}
        | {"center_cell": None, "group_chat_id": None, "created_at": NOW}
        for number in wijk_of_parent.values()
    ]
    with engine.begin() as connection:
        for table, rows in (
            (_wijk, wijk_rows),
            (_resident, resident_rows),
            (_post, post_rows),
            (_invitation, invitation_rows),
            (_block, block_rows),
        ):
            for start in range(0, len(rows), 10_000):
                connection.execute(insert(table), rows[start : start + 10_000])
        if engine.dialect.name == "postgresql":
            # Explicit ids leave the sequences behind; the bot would insert after this.
            for name, count in (
                ("wijk", len(wijk_rows)),
                ("resident", residents),
                ("post", posts),
            ):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), {count})")
                )
    with engine.begin() as connection:
        # Fresh statistics, as a long-running database would have.
        connection.execute(text("ANALYZE"))
    return City(residents, posts, time.perf_counter() - started)


def _all_candidates(session: Session) -> list[Candidate]:
    """The naive way: every resident, every recent invitation and open offer, no WHERE on place."""
    received: dict[int, list[datetime]] = defaultdict(list)
    since = NOW - INVITATION_HISTORY
    for resident_id, sent_at in session.execute(
        select(_invitation.c.resident_id, _invitation.c.sent_at)
    ):
        if sent_at > since:
            received[resident_id].append(sent_at)
    offers: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for resident_id, category, offer_text in session.execute(
        select(_post.c.resident_id, _post.c.category, _post.c.text).where(
            _post.c.kind == PostKind.OFFER.value, _post.c.status == PostStatus.OPEN.value
        )
    ):
        offers[resident_id].append((category, offer_text))
    candidates = []
    for row in session.execute(select(_resident)):
        if not row.onboarded:
            continue
        own = offers.get(row.id, ())
        candidates.append(
            candidate_from_row(
                row,
                invitations_received=received.get(row.id, ()),
                offer_categories=(category for category, _ in own),
                offer_texts=(offer_text for _, offer_text in own),
            )
        )
    return candidates


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def _p(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


# Moments for the parity check: by day (nobody's quiet hours), at night (everyone's), and just
# either side of the default quiet hours (21:00-08:00 Amsterdam, i.e. 20:00-07:00 UTC).
_MOMENTS: Final = (
    NOW,
    NOW.replace(hour=22),
    NOW.replace(hour=6, minute=59),
    NOW.replace(hour=7, minute=1),
    NOW.replace(hour=19, minute=59),
)


@dataclass
class Timings:
    p50_ms: float
    p95_ms: float
    night_p95_ms: float
    old_p50_ms: float
    old_p95_ms: float
    old_same: int
    scan_p50_ms: float
    scan_p95_ms: float
    same_plans: int
    plans: int
    scan_same: int
    scans: int
    pool_seconds: float
    pool_size: int
    pool_mb: float
    fallbacks: int
    offer_p95_ms: float
    offer_scan_p95_ms: float
    same_offer_matches: int
    offers: int
    bot_rss_mb: float = 0.0


def measure(
    engine: Engine, samples: int, scan_samples: int, parity: int, seed: int = 11
) -> Timings:
    rng = random.Random(seed)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    with Session(engine) as session:
        before_mb = _rss_mb()
        started = time.perf_counter()
        pool_size = warm_up(session, NOW)
        pool_seconds = time.perf_counter() - started
        pool_mb = _rss_mb() - before_mb
        pool = pool_for(session)
        request_rows = session.execute(
            select(*REQUEST_COLUMNS).where(_post.c.kind == PostKind.REQUEST.value)
        ).all()
        requests = [request_info(row) for row in request_rows]
        sample = rng.sample(requests, min(samples, len(requests)))
        new: list[float] = []
        night: list[float] = []
        old: list[float] = []
        old_same = 0
        for request in sample:

            def by_day(request: RequestInfo = request) -> InvitationPlan:
                return plan_for(session, request=request, now=NOW)

            def at_night(request: RequestInfo = request) -> InvitationPlan:
                return plan_for(session, request=request, now=NOW.replace(hour=22))

            elapsed, fast = _timed(by_day)
            new.append(elapsed)
            elapsed, _ = _timed(at_night)
            night.append(elapsed)

            def old_plan(request: RequestInfo = request) -> Any:
                found = candidates_for(session, request=request, reach=request.reach, now=NOW)
                return plan_invitations(
                    request,
                    found,
                    blocked_pairs_for(session, request.asker_id),
                    already_invited(session, request.post_id),
                    NOW,
                )

            elapsed, before = _timed(old_plan)
            old.append(elapsed)
            old_same += before.invite == fast.invite
        # Parity: the index's plan against the exact prefilter without a limit, at many
        # requests and moments, read at the widest reach as the request flow does.
        same = 0
        checks = [(rng.choice(requests), rng.choice(_MOMENTS)) for _ in range(parity)]
        for request, moment in checks:
            fast = plan_for(session, request=request, now=moment, read_reach=Reach.WIJK)
            full = full_scan_plan(session, request=request, now=moment, read_reach=Reach.WIJK)
            same += same_plan(fast, full)
        # The naive way for a few: every resident of the city as a Candidate.
        scan: list[float] = []
        scan_same = 0
        for request in sample[:scan_samples]:

            def scan_plan(request: RequestInfo = request) -> Any:
                return plan_invitations(
                    request,
                    _all_candidates(session),
                    blocked_pairs_for(session, request.asker_id),
                    already_invited(session, request.post_id),
                    NOW,
                )

            elapsed, result = _timed(scan_plan)
            scan.append(elapsed)
            scan_same += result.invite == plan_for(session, request=request, now=NOW).invite

        offer_rows = session.execute(
            select(
                _post.c.id,
                _post.c.resident_id,
                _post.c.wijk_id,
                _post.c.area_cell,
                _post.c.category,
                _post.c.text,
            ).where(_post.c.kind == PostKind.OFFER.value)
        ).all()
        offers = [
            OfferInfo(
                post_id=row[0],
                offerer_id=row[1],
                wijk_id=row[2],
                area_cell=row[3],
                category=row[4],
                text=row[5],
            )
            for row in rng.sample(offer_rows, min(samples, len(offer_rows)))
        ]
        offer_fast: list[float] = []
        offer_scan: list[float] = []
        same_offers = 0
        for offer in offers:

            def near(offer: OfferInfo = offer) -> Any:
                return requests_matching_offer(session, offer=offer, now=NOW)

            def everywhere(offer: OfferInfo = offer) -> Any:
                rows = session.execute(
                    select(*REQUEST_COLUMNS).where(
                        _post.c.kind == PostKind.REQUEST.value,
                        _post.c.status == PostStatus.OPEN.value,
                    )
                )
                blocked = blocked_pairs_for(session, offer.offerer_id)
                return requests_for_offer(offer, map(request_info, rows), blocked, NOW)

            elapsed, matched = _timed(near)
            offer_fast.append(elapsed)
            elapsed, matched_all = _timed(everywhere)
            offer_scan.append(elapsed)
            same_offers += [r.post_id for r in matched] == [r.post_id for r in matched_all]
    return Timings(
        p50_ms=_p(new, 0.5),
        p95_ms=_p(new, 0.95),
        night_p95_ms=_p(night, 0.95),
        old_p50_ms=_p(old, 0.5),
        old_p95_ms=_p(old, 0.95),
        old_same=old_same,
        scan_p50_ms=_p(scan, 0.5),
        scan_p95_ms=_p(scan, 0.95),
        same_plans=same,
        plans=len(checks),
        scan_same=scan_same,
        scans=len(scan),
        pool_seconds=pool_seconds,
        pool_size=pool_size,
        pool_mb=pool_mb,
        fallbacks=pool.fallbacks,
        offer_p95_ms=_p(offer_fast, 0.95),
        offer_scan_p95_ms=_p(offer_scan, 0.95),
        same_offer_matches=same_offers,
        offers=len(offers),
    )


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="bench-matching-") as folder:
        yield f"sqlite:///{Path(folder) / 'city.db'}"


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    name = f"buurtbot_bench_{secrets.token_hex(4)}"
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield (
                make_url(normalise_url(admin_url))
                .set(database=name)
                .render_as_string(hide_password=False)
            )
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def run_on(
    url: str, label: str, residents: int, posts: int, samples: int, scans: int, parity: int
) -> Timings:
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        city = build_city(engine, residents, posts)
        print(
            f"[{label}] city built: {residents:,} residents, {posts:,} posts "
            f"in {city.seconds:.1f} s"
        )
        timings = measure(engine, samples, scans, parity)
    finally:
        engine.dispose()
    t = timings
    print(
        f"[{label}] candidate pool loaded: {t.pool_size:,} residents in {t.pool_seconds:.1f} s, "
        f"+{t.pool_mb:.0f} MB; plans that fell back to a database scan: {t.fallbacks}"
    )
    print(
        f"[{label}] invitations, pool: p50 {t.p50_ms:.2f} ms, p95 {t.p95_ms:.2f} ms by day, "
        f"p95 {t.night_p95_ms:.1f} ms at night ({samples} requests)"
    )
    print(
        f"[{label}] invitations, old prefilter (LIMIT {CANDIDATE_LIMIT}): p50 "
        f"{t.old_p50_ms:.1f} ms, p95 {t.old_p95_ms:.1f} ms; same invitations as the pool "
        f"for {t.old_same}/{samples}"
    )
    print(
        f"[{label}] parity, pool vs exact prefilter without a limit: same plan for "
        f"{t.same_plans}/{t.plans} (requests x moments by day and night)"
    )
    print(
        f"[{label}] invitations, full scan of every resident: p50 {t.scan_p50_ms:.1f} ms, "
        f"p95 {t.scan_p95_ms:.1f} ms; same invitations as the pool for {t.scan_same}/{t.scans}"
    )
    print(
        f"[{label}] offer -> requests: nearby p95 {t.offer_p95_ms:.1f} ms, all open p95 "
        f"{t.offer_scan_p95_ms:.1f} ms; same matches for {t.same_offer_matches}/{t.offers}"
    )
    print(f"[{label}] this benchmark's RSS {_rss_mb():.0f} MB (peak {_peak_rss_mb():.0f} MB)")
    timings.bot_rss_mb = _bot_process_rss_mb(url)
    print(
        f"[{label}] a fresh process with the bot's code and the pool loaded: RSS "
        f"{timings.bot_rss_mb:.0f} MB"
    )
    return timings


# A new interpreter imports what `buurtbot run` imports, loads the pool from the city and
# reports its own resident memory: what the pool costs a real bot process.
_BOT_RSS_CODE: Final = """
import sys
from datetime import datetime, UTC
from pathlib import Path
import bot.app
from sqlmodel import Session
from storage.candidate_pool import warm_up
from storage.db import make_engine
engine = make_engine(sys.argv[1])
with Session(engine) as session:
    warm_up(session, datetime.fromisoformat(sys.argv[2]))
for line in Path("/proc/self/status").read_text().splitlines():
    if line.startswith("VmRSS:"):
        print(int(line.split()[1]) / 1024)
"""


def _bot_process_rss_mb(url: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _BOT_RSS_CODE, url, NOW.isoformat()],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench matching",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--small", action="store_true", help="5,000 residents, 1,000 posts")
    parser.add_argument("--residents", type=int)
    parser.add_argument("--posts", type=int)
    parser.add_argument("--samples", type=int, default=200, help="requests and offers timed")
    parser.add_argument(
        "--parity", type=int, default=500, help="(request, moment) plans compared (>= 1)"
    )
    # A full scan of 100,000 residents takes seconds; a few are enough to show the gap.
    parser.add_argument("--scan-samples", type=int, default=5, help="full scans timed (>= 1)")
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    args = parser.parse_args(argv)
    if args.samples < 1 or args.scan_samples < 1 or args.parity < 1:
        parser.error("--samples, --scan-samples and --parity must be at least 1")
    if args.small:
        args.samples = min(args.samples, 50)
        args.parity = min(args.parity, 100)
    residents = args.residents or (5_000 if args.small else 100_000)
    posts = args.posts or (1_000 if args.small else 20_000)
    with sqlite_database() as url:
        result = run_on(
            url, "sqlite", residents, posts, args.samples, args.scan_samples, args.parity
        )
    line = (
        f"RESULT matching residents={residents} posts={posts} p50_ms={result.p50_ms:.2f} "
        f"p95_ms={result.p95_ms:.2f} scan_p95_ms={result.scan_p95_ms:.2f} "
        f"speedup={result.scan_p95_ms / result.p95_ms:.1f} "
        f"same_plans={result.same_plans}/{result.plans} "
        f"old_p95_ms={result.old_p95_ms:.2f} night_p95_ms={result.night_p95_ms:.2f} "
        f"bot_rss_mb={result.bot_rss_mb:.0f}"
    )
    if args.postgres:
        with postgres_database(args.postgres) as url:
            pg = run_on(
                url, "postgresql", residents, posts, args.samples, args.scan_samples, args.parity
            )
        line += (
            f" pg_p50_ms={pg.p50_ms:.2f} pg_p95_ms={pg.p95_ms:.2f} "
            f"pg_scan_p95_ms={pg.scan_p95_ms:.2f} pg_speedup={pg.scan_p95_ms / pg.p95_ms:.1f} "
            f"pg_same_plans={pg.same_plans}/{pg.plans}"
        )
    print(line)
    return 0
