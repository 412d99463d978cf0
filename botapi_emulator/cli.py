"""``python -m botapi_emulator`` (later ``buurtbot emulator``): run the emulator standalone."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from botapi_emulator.emulator import Emulator, serve
from botapi_emulator.limits import Limits
from botapi_emulator.sim import DEFAULT_TOKEN


def port_number(value: str) -> int:
    """A TCP port (0: any free one), refused here rather than as bind()'s OverflowError."""
    try:
        number = int(value)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a port: give a number from 1 to 65535 (or 0 for any free port)"
        )
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m botapi_emulator",
        description="Run a strict local Telegram Bot API emulator (never contacts Telegram).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=port_number, default=9000, help="port to listen on (0: any)"
    )
    parser.add_argument(
        "--token",
        default=None,
        help="the only bot token accepted (default: the first well-formed token used)",
    )
    parser.add_argument("--bot-username", default="buurtbot_test_bot")
    parser.add_argument(
        "--no-limits", action="store_true", help="disable flood control (429 responses)"
    )
    parser.add_argument(
        "--no-privacy",
        action="store_true",
        help="let the bot see all group messages (BotFather privacy mode off)",
    )
    return parser


def _announce(emulator: Emulator) -> None:
    print(f"Telegram Bot API emulator listening on {emulator.root_url}", flush=True)
    print(f"  base_url:      {emulator.base_url}", flush=True)
    print(f"  base_file_url: {emulator.base_file_url}", flush=True)
    if emulator.api.token is None:
        print(f"  token:         any well-formed token, e.g. {DEFAULT_TOKEN}", flush=True)
    else:
        print(f"  token:         {emulator.token}", flush=True)
    print(f"  simulation:    {emulator.sim_url} (e.g. GET {emulator.sim_url}/state)", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    limits = Limits.unlimited() if args.no_limits else Limits()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(
                serve(
                    args.host,
                    args.port,
                    limits,
                    token=args.token,
                    bot_username=args.bot_username,
                    privacy_mode=not args.no_privacy,
                    ready=_announce,
                )
            )
    except OSError as error:
        reason = error.strerror or str(error)
        print(
            f"emulator: cannot listen on {args.host}:{args.port} ({reason}); "
            "choose another --port or --host.",
            file=sys.stderr,
        )
        return 2
    return 0
