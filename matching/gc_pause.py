"""Pausing Python's cyclic garbage collector while a round builds many small objects.

A digest round over a city creates about a million tuples, rows and dataclasses, none of them
in a reference cycle (plain reference counting frees them). The collector still walks every
live object each time enough new ones pile up, and in a bot process holding the candidate
pool that walk is long: in `python -m bench digest` it took a quarter of the round.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block without cyclic collections; afterwards the collector is as it was (a
    nested pause, or a caller that turned it off, is left alone)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                # Without this, the first allocation after enable() walks everything made
                # during the pause (~0.08 s for a million objects). Freezing and unfreezing
                # moves them to the oldest generation without a walk. Only when nobody else
                # froze objects: unfreeze() would let theirs go too.
                gc.freeze()
                gc.unfreeze()
            gc.enable()
