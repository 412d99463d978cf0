"""The /cijfers chart: one PNG, readable on a phone (one chart, large type), rendered with
matplotlib's Agg backend (no display needed): per week (or month) above, per category below.
Suppressed counts are drawn as "<5" without a bar, so the picture gives away nothing the
numbers do not; a series' small categories are in one "others" row (bot/services/figures.py).
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.i18n import t
from bot.post_views import category_name
from bot.services.figures import (
    PERIOD_NAMES,
    SERIES,
    SERIES_NAMES,
    THRESHOLD,
    Figures,
    shown,
)

COLOURS = ("#2a9d8f", "#e9c46a", "#264653", "#e76f51")
FONT_SIZE = 16


def render_png(language: str, figures: Figures) -> bytes:
    """The chart as PNG bytes: per week (or month) above, per category below."""
    figure = Figure(figsize=(9, 12), dpi=100)
    by_bucket, by_category = figure.subplots(2, 1, height_ratios=(1, 1.2))
    _per_bucket(by_bucket, language, figures)
    _per_category(by_category, language, figures)
    by_bucket.set_title(
        t(
            language,
            "figures.title",
            wijk=figures.wijk,
            period=t(language, PERIOD_NAMES[figures.period]),
        ),
        fontsize=FONT_SIZE + 2,
    )
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _per_bucket(axes: Axes, language: str, figures: Figures) -> None:
    buckets = len(figures.labels)
    width = 0.8 / len(SERIES)
    tallest = 0
    for number, (series, colour) in enumerate(zip(SERIES, COLOURS, strict=True)):
        counts = figures.counts[series]
        xs = [index + (number - (len(SERIES) - 1) / 2) * width for index in range(buckets)]
        heights = [count if count >= THRESHOLD else 0 for count in counts]
        tallest = max([tallest, *heights])
        axes.bar(xs, heights, width, color=colour, label=t(language, SERIES_NAMES[series]))
        for x, height, count in zip(xs, heights, counts, strict=True):
            axes.text(x, height, shown(count), ha="center", va="bottom", fontsize=FONT_SIZE - 4)
    axes.set_xticks(range(buckets), figures.labels, fontsize=FONT_SIZE - 2)
    axes.set_ylim(0, max(tallest, THRESHOLD) * 1.25)
    axes.tick_params(axis="y", labelsize=FONT_SIZE - 4)
    axes.legend(fontsize=FONT_SIZE - 4, loc="upper left")
    axes.spines[["top", "right"]].set_visible(False)


def _per_category(axes: Axes, language: str, figures: Figures) -> None:
    """Horizontal bars per category over the whole period; a series' categories below 5 are in
    its "others" row (a bar only when that row is an exact count)."""
    keys = figures.category_order()
    rows = {series: figures.categories(series) for series in SERIES}
    has_others = any(rows[series].others is not None for series in SERIES)
    labels = [category_name(language, key) for key in keys]
    if has_others:
        labels.append(t(language, "figures.others"))
    axes.set_title(t(language, "figures.per_category"), fontsize=FONT_SIZE)
    axes.spines[["top", "right"]].set_visible(False)
    height = 0.8 / len(SERIES)
    widest = 0
    for number, (series, colour) in enumerate(zip(SERIES, COLOURS, strict=True)):
        own = dict(rows[series].own)
        cells: list[tuple[int, str]] = [(own.get(key, 0), str(own.get(key, ""))) for key in keys]
        if has_others:
            others = rows[series]
            bar = others.others_count if others.others_exact else 0
            cells.append((bar, others.others or ""))
        ys = [index + (number - (len(SERIES) - 1) / 2) * height for index in range(len(cells))]
        widths = [bar for bar, _ in cells]
        widest = max([widest, *widths])
        axes.barh(ys, widths, height, color=colour)
        for y, (bar, text) in zip(ys, cells, strict=True):
            axes.text(bar, y, f" {text}", va="center", fontsize=FONT_SIZE - 4)
    axes.set_yticks(range(len(labels)), labels, fontsize=FONT_SIZE - 2)
    axes.invert_yaxis()
    axes.set_xlim(0, max(widest, THRESHOLD) * 1.25)
    axes.tick_params(axis="x", labelsize=FONT_SIZE - 4)
