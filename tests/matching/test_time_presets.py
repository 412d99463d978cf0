"""One-tap times: today, tomorrow, the coming week, or no particular time."""

from __future__ import annotations

from datetime import datetime

import pytest

from matching.time_presets import TimePreset, preset_window
from matching.timewindow import WindowKind
from tests.matching.conftest import AMSTERDAM


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("preset", "start", "end", "kind"),
    [
        (TimePreset.TODAY, "2026-11-25 10:00", "2026-11-26 00:00", WindowKind.DAY),
        (TimePreset.TOMORROW, "2026-11-26 00:00", "2026-11-27 00:00", WindowKind.DAY),
        (TimePreset.WEEK, "2026-11-25 10:00", "2026-12-03 00:00", WindowKind.WEEK),
    ],
)
def test_presets_from_a_wednesday_morning(
    wednesday_morning: datetime, preset: TimePreset, start: str, end: str, kind: WindowKind
) -> None:
    window = preset_window(preset, wednesday_morning)
    assert window is not None
    assert (window.start, window.end, window.kind) == (local(start), local(end), kind)


def test_no_particular_time_is_no_window(wednesday_morning: datetime) -> None:
    assert preset_window(TimePreset.ANY_TIME, wednesday_morning) is None


def test_tomorrow_across_the_clock_change_is_a_25_hour_day() -> None:
    saturday = local("2026-10-24 20:00")
    window = preset_window(TimePreset.TOMORROW, saturday)
    assert window is not None
    assert window.start == local("2026-10-25 00:00")
    assert (window.end.timestamp() - window.start.timestamp()) / 3600 == 25


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        preset_window(TimePreset.TODAY, datetime(2026, 11, 25, 10, 0))  # noqa: DTZ001
