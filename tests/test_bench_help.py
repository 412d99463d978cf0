"""`python -m bench --help` says what each benchmark measures today."""

from __future__ import annotations

import pytest

from bench.__main__ import main as bench_main
from bench.matching import main as matching_main


def test_the_matching_benchmark_is_described_as_it_measures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bench_main(["--help"]) == 0
    listing = capsys.readouterr().out
    (line,) = [line for line in listing.splitlines() if line.strip().startswith("matching ")]
    assert "candidate pool" in line, "what the bot uses (storage.candidate_pool)"
    assert "SQL prefilter vs full scan" not in line
    assert all(len(line) <= 100 for line in listing.splitlines())
    with pytest.raises(SystemExit):
        matching_main(["--help"])
    described = capsys.readouterr().out
    assert "storage.candidate_pool" in described
    assert "\n  pool " in described, "the measured parts stay one per line"
