"""The `buurtbot` command: run the bot, set up a deployment, try it with a demo."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NoReturn

from sqlmodel import Session

from bot.settings import ConfigError, Settings, load_settings, setting_warnings
from botapi_emulator.cli import port_number
from matching.area import area_cell, parse_lat_lon
from storage import migrate, repo
from storage.db import make_engine, session_scope
from storage.models import RoleKind

if TYPE_CHECKING:
    from bot.context import BotApplication

EXIT_OK, EXIT_ERROR, EXIT_CONFIG = 0, 1, 2
DEFAULT_REACH_M = 1500
# After getMe worked (prepare_run), a slow or failed first call of the Application itself
# (setWebhook, deleteWebhook) is retried with python-telegram-bot's backoff (1 s, 1.5 s, ...)
# instead of ending the run; an invalid token still stops at once.
BOOTSTRAP_RETRIES = 5


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def _migrate_quietly(settings: Settings) -> None:
    """Bring the database up to date before a command that uses it, and say so if it changed."""
    _require_database(settings)
    before, after = migrate.upgrade(settings.database_url)
    if before != after:
        _say(f"Database upgraded from {before or 'empty'} to {after}.")


def _require_database(settings: Settings) -> None:
    """A bad or unreachable database as one sentence, as `run` says it (no waiting here)."""
    from bot.startup import require_database

    require_database(settings.database_url)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Start the bot: pending migrations are applied first, then polling or webhook mode."""
    from bot.app import build_application  # telegram is slow to import; only load it here
    from bot.ops import prepare_run

    token = settings.require_token()
    if settings.mode == "webhook":
        settings.require_webhook()
    configured = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    prepare_run(settings, secrets=[token, configured])  # logging, database, getMe, migrations
    application = build_application(settings)
    stop_asked = _notice_stop_signals(application)
    log = logging.getLogger("bot.run")
    try:
        _run_application(application, settings)
    except Exception:
        if not stop_asked():
            raise
        # Ctrl-C (or SIGTERM) while start-up was still talking to Telegram surfaces from
        # python-telegram-bot as a NetworkError or "Event loop stopped": it is a clean stop.
        log.info("Buurtbot stopped (during start-up).")
    else:
        # The last line of a clean stop, as "running as @..." was the first (a log line, so
        # it keeps BUURTBOT_LOG_FORMAT).
        log.info("Buurtbot stopped.")
    return EXIT_OK


def _notice_stop_signals(application: BotApplication) -> Callable[[], bool]:
    """Make python-telegram-bot's stop-signal handler remember that it ran, and end a start-up
    step it interrupts.

    PTB raises SystemExit from the signal handler, which ends its run_until_complete of the
    current start-up step (getMe, post_init's menus and pool, deleteWebhook) but leaves that
    step's task pending: it then failed on the closed HTTP client ("Task exception was never
    retrieved") or was destroyed with the loop ("Task was destroyed but it is pending"). Once
    the bot runs, PTB stops updates and jobs itself, so only start-up steps are cancelled."""
    import asyncio

    from telegram.ext import Application

    asked = {"stop": False}
    original = Application._raise_system_exit

    def raise_system_exit() -> NoReturn:
        first, asked["stop"] = not asked["stop"], True
        updater = application.updater
        starting = not application.running and (updater is None or not updater.running)
        if first and starting:  # (a second Ctrl-C, while stopping, is PTB's to handle)
            for task in asyncio.all_tasks():
                task.cancel()  # cancelled, it ends quietly while PTB shuts down
        original()

    Application._raise_system_exit = staticmethod(raise_system_exit)  # type: ignore[method-assign]
    return lambda: asked["stop"]


def _run_application(application: BotApplication, settings: Settings) -> None:
    if settings.mode == "webhook":
        from bot.logs import register_secrets
        from bot.outage import outage_of
        from bot.webhook import install_secret_check, webhook_secret

        # Never without a secret: the configured one, else one generated and stored.
        secret = webhook_secret(settings, application.bot_data["services"].engine)
        register_secrets(secret)  # a generated secret is redacted in every log line too
        install_secret_check(outage_of(application.bot_data))
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path="telegram",
            webhook_url=f"{settings.require_webhook().rstrip('/')}/telegram",
            secret_token=secret,
            bootstrap_retries=BOOTSTRAP_RETRIES,
        )
    else:
        application.run_polling(
            poll_interval=settings.poll_interval, bootstrap_retries=BOOTSTRAP_RETRIES
        )


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Upgrade the database to the newest schema."""
    _require_database(settings)
    before, after = migrate.upgrade(settings.database_url)
    if before == after:
        print(f"Database already up to date (revision {after}).")
    else:
        print(f"Database upgraded from {before or 'empty'} to {after}.")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Check configuration, database, schema, token, outbox and wijken; exit 1 if any fails."""
    from bot.checks import run_checks
    from bot.logs import redact

    lines, ok = run_checks(settings)
    for line in lines:
        print(redact(line))
    return EXIT_OK if ok else EXIT_ERROR


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Write a consistent copy of the database to FILE while the bot may be running."""
    from bot.startup import check_database_url, require_database, sqlite_file
    from storage.backup import BackupError, backup

    if sqlite_file(settings.database_url) is None:
        # A server that is away is one sentence naming the setting, as for the other
        # commands (pg_dump's own message ends on a tab-indented hint line).
        require_database(settings.database_url)
    else:
        check_database_url(settings.database_url)  # connecting would make an empty file
    try:
        kind = backup(settings.database_url, args.file)
    except BackupError as error:
        raise ConfigError(str(error)) from error
    print(f"Backup written to {args.file} ({kind}).")
    return EXIT_OK


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    """Have every running bot process load its matching pool again from the tables."""
    from storage.candidates import reload_pools

    _migrate_quietly(settings)
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as connection:
            residents = reload_pools(connection)
    finally:
        engine.dispose()
    print(
        f"Matching pools will load again at their next plan: {residents} residents "
        "can be invited at some moment."
    )
    return EXIT_OK


def cmd_wijk_add(args: argparse.Namespace, settings: Settings) -> int:
    """Add a wijk and print its code and join link."""
    center = None
    if args.location:
        try:
            center = area_cell(*parse_lat_lon(args.location))
        except ValueError as error:
            raise ConfigError(f"--location: {error}.") from error
    if args.reach <= 0:
        raise ConfigError("--reach must be a positive number of metres.")
    _migrate_quietly(settings)
    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        try:
            wijk = repo.add_wijk(
                session, name=args.name, center_cell=center, reach_m=args.reach, now=_now()
            )
        except (repo.DuplicateError, ValueError) as error:
            raise ConfigError(str(error)) from error
        print(f"Added wijk {wijk.name!r} with code {wijk.code}.")
        print(f"Join link: {_join_link(session, wijk.code)}")
    return EXIT_OK


def cmd_wijk_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print every wijk with its code and join link."""
    _migrate_quietly(settings)
    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        wijken = repo.list_wijken(session)
        if not wijken:
            print('No wijken yet. Add one with: buurtbot wijk add "Transvaalbuurt"')
        else:
            print(f"{'CODE':<24} {'NAME':<30} JOIN LINK  (GROUP)")
        for wijk in wijken:
            group = "linked group" if wijk.group_chat_id else "no group linked"
            print(f"{wijk.code:<24} {wijk.name:<30} {_join_link(session, wijk.code)}  ({group})")
        if wijken and repo.get_fact(session, key="bot_username") is None:
            _say("Start the bot once (`buurtbot run`) to fill in its username in the links.")
    return EXIT_OK


def cmd_role(args: argparse.Namespace, settings: Settings) -> int:
    """Grant or revoke a buurtwerker or organiser role in a wijk."""
    _migrate_quietly(settings)
    engine = make_engine(settings.database_url)
    kind = RoleKind(args.role)
    with session_scope(engine) as session:
        try:
            wijk = repo.find_wijk(session, code_or_name=args.wijk)
        except repo.NotFoundError as error:
            raise ConfigError(str(error)) from error
        if args.action == "grant":
            changed = repo.grant_role(
                session, telegram_user_id=args.user_id, kind=kind, wijk=wijk, now=_now()
            )
            verb = "Granted" if changed else "Already had"
        else:
            changed = repo.revoke_role(
                session, telegram_user_id=args.user_id, kind=kind, wijk=wijk
            )
            verb = "Revoked" if changed else "Did not have"
        print(f"{verb}: {args.user_id} is {kind.value} in {wijk.name}.")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Play a short neighbourhood through the bot and a local emulator; no token needed."""
    from bot.demo import run_demo

    return run_demo(chat=args.chat)


def cmd_emulator(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the local Bot API emulator for manual use."""
    from botapi_emulator.cli import main as emulator_main

    argv = ["--host", args.host, "--port", str(args.port), "--bot-username", args.bot_username]
    argv += ["--token", args.token] if args.token else []
    argv += ["--no-limits"] if args.no_limits else []
    argv += ["--no-privacy"] if args.no_privacy else []
    return emulator_main(argv)


def _telegram_id(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a Telegram user id (a positive number; /ikben shows it)"
        )
    return number


# As long as the wijk table allows (storage/models.py: Wijk.name).
WIJK_NAME_MAX = 100


def _wijk_name(value: str) -> str:
    """A wijk's name, checked before the database is touched (no file made for a typo)."""
    name = " ".join(value.split())
    if not name:
        raise argparse.ArgumentTypeError('a wijk needs a name, e.g. "Transvaalbuurt"')
    if len(name) > WIJK_NAME_MAX:
        raise argparse.ArgumentTypeError(f"a wijk's name has at most {WIJK_NAME_MAX} characters")
    return name


def _wijk_ref(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("give the wijk's code or name (see `buurtbot wijk list`)")
    return value


def _now() -> datetime:
    return datetime.now(UTC)


def _join_link(session: Session, code: str) -> str:
    username = repo.get_fact(session, key="bot_username") or "<bot-username>"
    return f"https://t.me/{username}?start=wijk_{code}"


Command = Callable[[argparse.Namespace, Settings], int]


class _Parser(argparse.ArgumentParser):
    """argparse, but an unknown option before the command is named as such (plain argparse
    says "arguments are required: COMMAND"), and a missing command lists the commands."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        for arg in (sys.argv[1:] if args is None else args) if self._commands() else ():
            if not arg.startswith("-") or arg in ("-", "--"):
                break  # the command: its own options are its own parser's business
            if not self._known_option(arg):
                self.error(f"unknown option {arg.split('=', 1)[0]}; {self._commands_hint()}")
        return super().parse_known_args(args, namespace)

    def _commands(self) -> list[str]:
        return [
            name
            for action in self._actions
            if isinstance(action, argparse._SubParsersAction)
            for name in action.choices
        ]

    def _known_option(self, arg: str) -> bool:
        name = arg.split("=", 1)[0]
        options = self._option_string_actions
        # argparse accepts an unambiguous prefix of a long option (--deb for --debug).
        return name in options or (
            name.startswith("--") and any(option.startswith(name) for option in options)
        )

    def _commands_hint(self) -> str:
        return f"the commands are: {', '.join(self._commands())} (see `{self.prog} --help`)"

    def error(self, message: str) -> NoReturn:
        if "arguments are required: COMMAND" in message:
            message = f"give a command; {self._commands_hint()}"
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="buurtbot",
        description=(
            "Buurtbot: a Telegram bot that helps neighbours help each other. Settings come "
            "from BUURTBOT_* environment variables or a .env file (see README)."
        ),
    )
    debug_help = (
        "show the traceback of an error (secrets stay redacted); so does BUURTBOT_LOG_LEVEL=DEBUG"
    )
    parser.add_argument("--debug", action="store_true", help=debug_help)
    # --debug after the command works too (`buurtbot run --debug`). SUPPRESS: a command's
    # parser sets it only when given there, so it does not undo `buurtbot --debug run`.
    debug_too = _Parser(add_help=False)
    debug_too.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, handler: Command, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text, parents=[debug_too])
        sub.set_defaults(handler=handler)
        return sub

    add(
        "run",
        cmd_run,
        "Run the bot (polling by default, webhook when BUURTBOT_MODE=webhook). Applies "
        "pending database migrations first. Needs BUURTBOT_TOKEN.",
    )
    add(
        "migrate",
        cmd_migrate,
        "Upgrade the database (BUURTBOT_DATABASE_URL) to the newest schema.",
    )

    add(
        "reindex",
        cmd_reindex,
        "Have every running bot load its matching pool again from the residents and their "
        "offers (safe while the bot runs).",
    )

    wijk = commands.add_parser(
        "wijk", help="Add or list wijken (neighbourhoods).", parents=[debug_too]
    )
    wijk_commands = wijk.add_subparsers(dest="wijk_command", metavar="ACTION", required=True)
    wijk_add = wijk_commands.add_parser(
        "add",
        help="Add a wijk.",
        description="Add a wijk and print its code and join link.",
        parents=[debug_too],
    )
    wijk_add.add_argument(
        "name", metavar="NAME", type=_wijk_name, help='the wijk\'s name, e.g. "Transvaalbuurt"'
    )
    wijk_add.add_argument(
        "--location", metavar="LAT,LON", help="its centre, e.g. 52.355,4.925 (stored coarsely)"
    )
    wijk_add.add_argument(
        "--reach",
        metavar="METRES",
        type=int,
        default=DEFAULT_REACH_M,
        help=f"how far around the centre it reaches (default {DEFAULT_REACH_M})",
    )
    wijk_add.set_defaults(handler=cmd_wijk_add)
    wijk_list = wijk_commands.add_parser(
        "list",
        help="List wijken.",
        description="List every wijk with its code and join link.",
        parents=[debug_too],
    )
    wijk_list.set_defaults(handler=cmd_wijk_list)

    role = add("role", cmd_role, "Grant or revoke a buurtwerker or organiser role in a wijk.")
    role.add_argument("action", choices=["grant", "revoke"])
    role.add_argument(
        "user_id",
        metavar="TELEGRAM_USER_ID",
        type=_telegram_id,
        help="their numeric Telegram id (they see it when they send /ikben to the bot)",
    )
    role.add_argument("role", choices=[kind.value for kind in RoleKind])
    role.add_argument("wijk", metavar="WIJK", type=_wijk_ref, help="the wijk's code or name")

    add(
        "check",
        cmd_check,
        "Check the deployment: configuration, database, schema, token (getMe), webhook "
        "settings, outbox backlog, wijken without a buurtwerker. Exit code 0 when all pass.",
    )
    backup = add(
        "backup",
        cmd_backup,
        "Write a consistent copy of the database to FILE, also while the bot runs (SQLite: "
        "its online backup; PostgreSQL: pg_dump, custom format).",
    )
    backup.add_argument("file", metavar="FILE", help="where to write it (must not exist yet)")

    demo = add(
        "demo",
        cmd_demo,
        "Try the bot without a token: a local emulator plays a small neighbourhood.",
    )
    demo.add_argument(
        "--chat",
        action="store_true",
        help="play a resident yourself, interactively, with three neighbours",
    )

    emulator = add(
        "emulator",
        cmd_emulator,
        "Serve the local Telegram Bot API emulator (never contacts Telegram). Point the bot "
        "at it with BUURTBOT_API_BASE_URL=http://HOST:PORT/bot; any well-formed token works.",
    )
    emulator.add_argument("--host", default="127.0.0.1", help="address to listen on")
    emulator.add_argument(
        "--port",
        type=port_number,
        default=9000,
        help="port to listen on (default 9000; 0: any free)",
    )
    emulator.add_argument("--token", help="accept only this bot token (default: any)")
    emulator.add_argument(
        "--bot-username", default="buurtbot_test_bot", help="the bot's username in getMe"
    )
    emulator.add_argument(
        "--no-limits", action="store_true", help="disable flood control (429 responses)"
    )
    emulator.add_argument(
        "--no-privacy",
        action="store_true",
        help="let the bot see all group messages (BotFather privacy mode off)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from bot.logs import format_exception, redact, register_secrets
    from bot.startup import StartupError

    args = build_parser().parse_args(argv)
    debug = args.debug or os.environ.get("BUURTBOT_LOG_LEVEL", "").upper() == "DEBUG"

    def fail(error: BaseException, sentence: str, code: int) -> int:
        if debug:
            _say(format_exception(error))
        _say(f"buurtbot: {redact(sentence)}")
        return code

    # Before the settings are read: a misspelt name can be why one of them is missing.
    for warning in setting_warnings():
        _say(f"buurtbot: warning: {warning}")
    # setting_warnings named the file of a .env line python-dotenv cannot parse; its own
    # warning ("could not parse statement starting at line 2") would say it again, vaguer.
    logging.getLogger("dotenv.main").setLevel(logging.ERROR)
    try:
        settings = load_settings()
        register_secrets(
            settings.token.get_secret_value() if settings.token else None,
            settings.webhook_secret.get_secret_value() if settings.webhook_secret else None,
        )
        result: int = args.handler(args, settings)
    except ConfigError as error:
        return fail(error, str(error), EXIT_CONFIG)
    except StartupError as error:
        return fail(error, str(error), EXIT_ERROR)
    except KeyboardInterrupt:
        return EXIT_OK
    except Exception as error:
        first = (str(error).strip().splitlines() or [""])[0]
        hint = "" if debug else " (run with --debug for the details)"
        return fail(error, f"stopped by an unexpected {type(error).__name__}: {first}{hint}", 1)
    return result


if __name__ == "__main__":
    sys.exit(main())
