"""Benchmarks: `python -m bench <name> [options]`. Each prints readable output and ends with one
line `RESULT <name> key=value ...`."""

from __future__ import annotations

import argparse
import importlib
import sys

BENCHMARKS = {
    "fanout": "2,000 outbox messages to 500 chats and 3 groups against enforced limits.",
    "crash": "kill -9 the real bot process during a fan-out, three times: lost and doubled.",
    "outage": "PostgreSQL stopped for 20 s under the real bot process: apology, then catch-up.",
    "database": "One unit of work inline, in the worker thread, or on the asyncio engine.",
    "digest": "One digest round for a 100,000-resident city: who is due, what fits them.",
    "matching": "Invitations in a 100,000-resident city: candidate pool vs old prefilter, scan.",
    "signup": "300 residents press 'ik doe mee' for one activity within seconds: capacity held.",
    "throughput": "Updates/s through the emulator: the real bot vs a replay of its calls.",
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help") or args[0] not in BENCHMARKS:
        parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
        parser.add_argument("name", choices=sorted(BENCHMARKS))
        if args and args[0] not in ("-h", "--help"):
            parser.error(f"unknown benchmark {args[0]!r}")
        parser.print_help()
        for name, text in BENCHMARKS.items():
            print(f"  {name:<12} {text}")
        return 0 if args else 2
    module = importlib.import_module(f"bench.{args[0]}")
    result: int = module.main(args[1:])
    return result


if __name__ == "__main__":
    sys.exit(main())
