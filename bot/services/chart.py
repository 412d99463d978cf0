"""The /cijfers chart: one PNG, readable on a phone (one chart, large type), rendered with
matplotlib's Agg backend (no display needed). Suppressed counts are drawn as "<5" without a bar,
so the picture gives away nothing the numbers do not."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from bot.i18n import t
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
    """The chart as PNG bytes."""
    figure = Figure(figsize=(9, 7), dpi=100)
    axes = figure.subplots()
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
    axes.set_title(
        t(
            language,
            "figures.title",
            wijk=figures.wijk,
            period=t(language, PERIOD_NAMES[figures.period]),
        ),
        fontsize=FONT_SIZE + 2,
    )
    axes.legend(fontsize=FONT_SIZE - 4, loc="upper left")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
