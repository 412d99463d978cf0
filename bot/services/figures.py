"""/cijfers and /export: a wijk's requests, offers, matches and requests that found nobody, per
period bucket, for its buurtwerkers. No names, nothing finer than the wijk.

Small-count suppression: every count below 5 shows as "<5", in the chart, the text and the
CSV. A total could give a suppressed count away by subtraction (total minus the shown buckets),
so a series' total is exact only when none of its buckets is suppressed; otherwise it shows
as "<5" (when it is) or as "≥" the sum of the buckets that are shown (at least 5), which says
nothing the chart does not already say.

Per category (over the whole period) a count below 5 is never shown on its own either: such
categories are counted together in one "others" row, and more go in with them until that row
cannot be worked out (by subtracting the categories shown from the total, or by setting them
against the buckets) as a small count; see `by_category`.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlmodel import col, select

from bot.i18n import t
from bot.post_views import category_in_sentence, category_name
from bot.services.buurtwerk import may_manage, team_wijk
from bot.services.unit import Unit
from storage.models import Match, Post, PostKind, Signal, Wijk

THRESHOLD: Final = 5
SUPPRESSED: Final = "<5"
SERIES: Final = ("requests", "offers", "matches", "unanswered")
SERIES_NAMES = {
    "requests": "figures.series.requests",
    "offers": "figures.series.offers",
    "matches": "figures.series.matches",
    "unanswered": "figures.series.unanswered",
}
PERIOD_WORDS: Final = {
    "week": "week",
    "maand": "month",
    "month": "month",
    "jaar": "year",
    "year": "year",
}
PERIOD_NAMES = {
    "week": "figures.period.week",
    "month": "figures.period.month",
    "year": "figures.period.year",
}


def shown(count: int) -> str:
    """A count as it may be shown: "<5" below the threshold."""
    return SUPPRESSED if count < THRESHOLD else str(count)


def shown_total(buckets: list[int]) -> str:
    """A series' total that never lets a suppressed bucket be worked out by subtraction."""
    total = sum(buckets)
    if all(count >= THRESHOLD for count in buckets):
        return str(total)
    if total < THRESHOLD:
        return SUPPRESSED
    visible = sum(count for count in buckets if count >= THRESHOLD)
    return f"≥{max(visible, THRESHOLD)}"


@dataclass(frozen=True)
class CategoryRows:
    """One series per category, as it may be shown: the categories shown on their own
    (largest first) and the "others" row (None when there is none: only when the categories
    shown add up to the total, which the buckets then show exactly too)."""

    own: list[tuple[str, int]]
    others: str | None
    others_count: int  # raw, for drawing a bar only when `others` is exact; never shown raw

    @property
    def others_exact(self) -> bool:
        return self.others is not None and self.others.isdigit()


def by_category(counts: Mapping[str, int], buckets: list[int]) -> CategoryRows:
    """The series' counts per category, given its counts per bucket (the same total).

    Categories below 5 go into "others"; then the smallest shown categories join them while
    "others" would be a small count (the total minus the categories shown gives it away when
    the buckets show the total exactly), while the categories in "others" would all be at the
    most they can be (each at most the smallest shown: then each is known), and, when a bucket
    is suppressed, while the shown categories would pin the suppressed buckets down (the total
    lies between the categories shown plus 5 and the most "others" and the buckets allow).
    "Others" is exact only when the total is."""
    total_exact = all(count >= THRESHOLD for count in buckets)
    suppressed = [count for count in buckets if count < THRESHOLD]
    # What the buckets say of the total: at least the ones shown, at most with 4 in each "<5".
    floor = sum(buckets) - sum(suppressed)
    ceiling = floor + (THRESHOLD - 1) * len(suppressed)
    own = sorted(
        ((key, count) for key, count in counts.items() if count >= THRESHOLD),
        key=lambda row: (-row[1], row[0]),
    )
    rest = sum(count for count in counts.values() if count < THRESHOLD)

    def risky() -> bool:
        if 0 < rest < THRESHOLD:
            return True
        if rest == 0:
            return not total_exact  # an exact total shows "others" is empty anyway
        # Each category in "others" is at most the smallest one shown (it was smaller, or
        # below 5), and smaller still if its name sorts before that one's (a tie would have
        # kept it): with all of them at their most, each one can be worked out.
        shown_sum = sum(count for _, count in own)
        last_key, last_count = own[-1]
        shown_keys = {key for key, _ in own}
        at_most = sum(
            last_count if key > last_key else last_count - 1
            for key in counts
            if key not in shown_keys
        )
        if total_exact:
            return rest >= at_most  # "others" is exact
        # "Others" reads "≥5": where that and the buckets leave a single total, a suppressed
        # bucket can be worked out.
        lowest = max(shown_sum + THRESHOLD, floor)
        highest = min(shown_sum + at_most, ceiling)
        return highest <= lowest

    while own and risky():
        rest += own.pop()[1]
    if not own:  # what the total says (also "<5" for none: a zero shows like a small count)
        return CategoryRows(own, shown_total(buckets), rest)
    if rest == 0:
        return CategoryRows(own, None, 0)
    return CategoryRows(own, str(rest) if total_exact else f"≥{THRESHOLD}", rest)


@dataclass(frozen=True)
class Figures:
    wijk: str
    period: str
    labels: list[str]
    counts: dict[str, list[int]]  # series -> one raw count per bucket (never shown raw)
    top_category: str | None
    # series -> category -> raw count over the whole period (never shown raw)
    per_category: dict[str, dict[str, int]] = field(default_factory=dict)

    def cell(self, series: str, index: int) -> str:
        return shown(self.counts[series][index])

    def total(self, series: str) -> str:
        return shown_total(self.counts[series])

    def categories(self, series: str) -> CategoryRows:
        return by_category(self.per_category.get(series, {}), self.counts[series])

    def category_order(self) -> list[str]:
        """The categories shown on their own in any series: most requests first."""
        rows = {series: dict(self.categories(series).own) for series in SERIES}
        keys = {key for own in rows.values() for key in own}
        return sorted(keys, key=lambda key: (*(-rows[s].get(key, 0) for s in SERIES), key))


def _buckets(
    period: str, now: datetime, zone: ZoneInfo, language: str
) -> list[tuple[datetime, datetime, str]]:
    """(start, end, label) per bucket, oldest first: weeks (Monday to Monday, local) for a
    week or a month, calendar months for a year."""
    local = now.astimezone(zone)
    if period == "year":
        result = []
        first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        starts = []
        for _ in range(12):
            starts.append(first)
            first = (first - timedelta(days=1)).replace(day=1)
        starts.reverse()
        for index, start in enumerate(starts):
            end = starts[index + 1] if index + 1 < len(starts) else local + timedelta(seconds=1)
            result.append((start, end, format_date(start.date(), "MMM", locale=language)))
        return result
    weeks = 1 if period == "week" else 4
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    starts = [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    result = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else local + timedelta(seconds=1)
        label = t(language, "figures.week_label", week=start.isocalendar().week)
        result.append((start, end, label))
    return result


def _count(moments: list[datetime], buckets: list[tuple[datetime, datetime, str]]) -> list[int]:
    return [sum(1 for m in moments if start <= m < end) for start, end, _ in buckets]


def gather(unit: Unit, wijk: Wijk, period: str, language: str) -> Figures:
    session = unit.session
    buckets = _buckets(period, unit.now, unit.settings.tz, language)
    since = buckets[0][0]
    end = buckets[-1][1]
    posts = session.exec(
        select(Post.kind, Post.category, Post.created_at).where(
            Post.wijk_id == wijk.id, col(Post.created_at) >= since, col(Post.created_at) < end
        )
    ).all()
    requests = [created for kind, _, created in posts if kind == PostKind.REQUEST.value]
    offers = [created for kind, _, created in posts if kind == PostKind.OFFER.value]
    matched = [
        (category, accepted)
        for category, accepted in session.exec(
            select(Post.category, Match.accepted_at)
            .join(Post, col(Post.id) == col(Match.post_id))
            .where(
                Post.wijk_id == wijk.id,
                col(Match.accepted_at) >= since,
                col(Match.accepted_at) < end,
            )
        ).all()
        if accepted is not None
    ]
    matches = [accepted for _, accepted in matched]
    signals = session.exec(
        select(Signal.category, Signal.created_at).where(
            Signal.wijk_id == wijk.id,
            col(Signal.created_at) >= since,
            col(Signal.created_at) < end,
        )
    ).all()
    unanswered = [created for _, created in signals]
    per_category = {
        "requests": Counter(c for kind, c, _ in posts if kind == PostKind.REQUEST.value),
        "offers": Counter(c for kind, c, _ in posts if kind == PostKind.OFFER.value),
        "matches": Counter(c for c, _ in matched),
        "unanswered": Counter(c for c, _ in signals),
    }
    categories = Counter(category for kind, category, _ in posts if kind == PostKind.REQUEST.value)
    top = categories.most_common(1)
    # The most asked-about category is named only when it is not itself a small count.
    top_category = top[0][0] if top and top[0][1] >= THRESHOLD else None
    return Figures(
        wijk=wijk.name,
        period=period,
        labels=[label for _, _, label in buckets],
        counts={
            "requests": _count(requests, buckets),
            "offers": _count(offers, buckets),
            "matches": _count(matches, buckets),
            "unanswered": _count(unanswered, buckets),
        },
        top_category=top_category,
        per_category={series: dict(counter) for series, counter in per_category.items()},
    )


def summary(language: str, figures: Figures) -> str:
    """The three-line text next to the chart."""
    period = t(language, PERIOD_NAMES[figures.period])
    top = (
        t(language, "figures.top", category=category_in_sentence(language, figures.top_category))
        if figures.top_category
        else t(language, "figures.top_none")
    )
    return "\n".join(
        [
            t(
                language,
                "figures.line1",
                wijk=figures.wijk,
                period=period,
                requests=figures.total("requests"),
                offers=figures.total("offers"),
            ),
            t(
                language,
                "figures.line2",
                matches=figures.total("matches"),
                unanswered=figures.total("unanswered"),
            ),
            top,
        ]
    )


def to_csv(language: str, figures: Figures) -> bytes:
    """The same aggregates as the chart (suppressed the same way), one row per bucket."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [t(language, "figures.csv.period"), *(t(language, SERIES_NAMES[s]) for s in SERIES)]
    )
    for index, label in enumerate(figures.labels):
        writer.writerow([label, *(figures.cell(s, index) for s in SERIES)])
    writer.writerow([t(language, "figures.csv.total"), *(figures.total(s) for s in SERIES)])
    # Per category, over the whole period: a blank cell is counted in "others" for that series.
    rows = {series: figures.categories(series) for series in SERIES}
    writer.writerow([])
    writer.writerow(
        [t(language, "figures.csv.category"), *(t(language, SERIES_NAMES[s]) for s in SERIES)]
    )
    for key in figures.category_order():
        cells = [str(dict(rows[s].own).get(key, "")) for s in SERIES]
        writer.writerow([category_name(language, key), *cells])
    if any(rows[s].others is not None for s in SERIES):
        cells = [rows[s].others or "" for s in SERIES]
        writer.writerow([t(language, "figures.others"), *cells])
    return out.getvalue().encode("utf-8")


@dataclass(frozen=True)
class Asked:
    """What /cijfers or /export found: the figures, or a sentence why not."""

    figures: Figures | None
    text: str
    language: str


def figures_for(unit: Unit, args: list[str]) -> Asked:
    """/cijfers [week|maand|jaar] and /export [week|maand|jaar], in the team chat or
    privately, for the wijk's buurtwerkers and the bot's owners."""
    assert unit.caller is not None
    language = unit.language
    words = [word.lower() for word in args]
    period = "month"
    rest = []
    for word in words:
        if word in PERIOD_WORDS:
            period = PERIOD_WORDS[word]
        else:
            rest.append(word)
    wijk = team_wijk(unit, rest, not_here="figures.not_here", which_wijk="figures.which_wijk")
    if isinstance(wijk, str):
        return Asked(None, wijk, language)
    assert wijk.id is not None
    if not may_manage(unit, unit.caller.user_id, wijk.id):
        return Asked(None, t(language, "reports.not_allowed"), language)
    figures = gather(unit, wijk, period, language)
    return Asked(figures, summary(language, figures), language)
