"""The composition root: builds the python-telegram-bot Application from Settings.

Handler groups, in the order they run:
  0                  commands, buttons (one dispatcher, bot/dialog.py) and dialog messages; the
                     first unit of work of an update claims its id, so a redelivered update
                     stops there (bot/runner.py)
  DELIVERY_GROUP     the messages to other people that the update's units of work queued
                     (bot/sender.py)
Updates of different chats run concurrently, one chat's in order (bot/updates.py); every
database call runs in the database worker thread(s), never on the event loop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from telegram import (
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeDefault,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import Forbidden
from telegram.ext import (
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    TypeHandler,
)

from bot import sender
from bot.context import BotApplication, BotContext, Clock, Services, system_clock
from bot.dialog import DialogRouter
from bot.handlers import (
    activities,
    basics,
    browse,
    buurtwerk,
    control,
    figures,
    follow_up,
    invitations,
    mine,
    nudges,
    onboarding,
    ops,
    posting,
    privacy,
    proxy,
    reports,
    settings_menu,
)
from bot.i18n import normalise_language, t
from bot.jobqueue import StoppingJobQueue
from bot.matchmaking import STEPS_EVERY, run_due_steps
from bot.menu import ADMIN_MENU, GROUP_MENU, command_menu, menu_commands, registered_commands
from bot.outage import is_database_down, later, outage_of
from bot.owners import ErrorReporter
from bot.runner import in_thread, make_executor
from bot.sender import DELIVERY_GROUP, LEASES, SEND_DUE_EVERY, deliver_queued, send_due_job
from bot.settings import LANGUAGES, Settings
from bot.updates import PerChatUpdateProcessor
from storage import candidate_pool, repo
from storage.db import make_engine, session_scope

log = logging.getLogger(__name__)

# python-telegram-bot 22 warns that RetryAfter.retry_after becomes a timedelta; opt in now (its
# rate limiter handles both) so the warning never fires and a future upgrade changes nothing.
os.environ.setdefault("PTB_TIMEDELTA", "1")

# Telegram keeps unconfirmed updates for 24 hours; ids older than this can never come back.
PRUNE_EVERY = timedelta(hours=6)
RETENTION_EVERY = timedelta(days=1)
GET_UPDATES_CONNECTIONS = 2


def file_base_url(api_base_url: str) -> str:
    """Telegram serves files from /file/bot<token>; derive it from the API base URL."""
    if api_base_url.endswith("/bot"):
        return api_base_url[: -len("bot")] + "file/bot"
    return api_base_url.rstrip("/") + "/file/bot"


def build_application(
    settings: Settings,
    *,
    engine: Engine | None = None,
    clock: Clock = system_clock,
    rate_limit: bool = True,
    database_inline: bool = False,
    chat_spacing: bool = True,
) -> BotApplication:
    """Wire settings, services, handlers and jobs into one Application (not started).

    `rate_limit=False` is for benchmarks that measure the bot's own processing cost; in real
    use the limiter keeps the bot within Telegram's limits. `database_inline=True` runs the
    database on the event loop instead of in a worker thread: only to measure what the thread
    costs (bench throughput); a lock wait would then freeze the bot. `chat_spacing=False`
    drops the bot's own one message a second per private chat: only against an emulator that
    does not count it either (the scripted `buurtbot demo`); `buurtbot run` never does.
    """
    engine = engine or make_engine(settings.database_url)
    services = Services(
        settings=settings,
        engine=engine,
        clock=clock,
        executor=None if database_inline else make_executor(engine),
    )
    builder = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.api_base_url)
        .base_file_url(file_base_url(settings.api_base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
        .context_types(ContextTypes(context=BotContext))
        .post_init(_start_services)
        .post_shutdown(_close_services)
        .concurrent_updates(PerChatUpdateProcessor())
        .job_queue(StoppingJobQueue())
        # Stopping, PTB sends one more getUpdates right after cancelling the long poll. A poll
        # cancelled while httpcore (1.0.9) closes an expired connection keeps its slot for
        # good, so with PTB's default of one connection that call failed: "Pool timeout: All
        # connections in the connection pool are occupied". Two: the poll and the confirm.
        .get_updates_connection_pool_size(GET_UPDATES_CONNECTIONS)
        # A slow Bot API (seconds per call) must not turn an answer that arrived into an
        # error: wait for Telegram's reply rather than time out at python-telegram-bot's 5 s.
        .read_timeout(sender.SEND_TIMEOUT)
        .write_timeout(sender.SEND_TIMEOUT)
    )
    if rate_limit:
        # Telegram's limits (30 msg/s overall, 20/min per group); retry after a 429 instead
        # of dropping the message.
        # (PTB's builder generics cannot express "rate limiter added later"; the type is fine.)
        builder = builder.rate_limiter(sender.TelegramRateLimiter(max_retries=3))  # type: ignore[arg-type]
    application: BotApplication = builder.build()
    application.bot_data["services"] = services
    sender.install(application, settings, chat_spacing=chat_spacing)
    _add_handlers(application)
    application.add_error_handler(_on_error)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _prune_processed_updates, interval=PRUNE_EVERY, first=60, name="prune-updates"
        )
        application.job_queue.run_repeating(
            purge_old_data, interval=RETENTION_EVERY, first=300, name="retention"
        )
        application.job_queue.run_repeating(
            send_due_job,
            interval=SEND_DUE_EVERY,
            first=1,
            name="send-outbox",
            # A drain may outlast the interval; the next run then returns at once.
            job_kwargs={"max_instances": 2, "coalesce": True},
        )
        application.job_queue.run_repeating(
            matching_steps, interval=STEPS_EVERY, first=10, name="matching-steps"
        )
        application.job_queue.run_repeating(
            nudges.run_nudges, interval=nudges.NUDGES_EVERY, first=30, name="nudges"
        )
        application.job_queue.run_repeating(
            activities.run_activities,
            interval=activities.ACTIVITIES_EVERY,
            first=20,
            name="activities",
        )
    return application


# Each feature module registers its commands, buttons and dialog steps.
FEATURES = (
    basics,
    onboarding,
    control,
    privacy,
    posting,
    browse,
    mine,
    settings_menu,
    invitations,
    follow_up,
    ops,
    buurtwerk,
    reports,
    figures,
    nudges,
    activities,
    proxy,
)


def _add_handlers(application: BotApplication) -> None:
    router = DialogRouter()
    for feature in FEATURES:
        feature.register(application, router)
    # Last: free text and locations go to whichever dialog is waiting for them, and a command
    # that no feature took gets its answer.
    router.install(application)
    basics.register_fallback(application)
    application.add_handler(TypeHandler(Update, deliver_queued), group=DELIVERY_GROUP)
    application.bot_data["menu"] = menu_commands(application)
    application.bot_data["commands"] = registered_commands(application)
    application.bot_data["menu_group"] = menu_commands(application, GROUP_MENU)
    application.bot_data["menu_admin"] = menu_commands(application, ADMIN_MENU)


async def announce_bot(application: BotApplication) -> None:
    """Publish the command menus (private chats, groups, groups' administrators) per language,
    and remember the bot's username for join links."""
    services: Services = application.bot_data["services"]
    bot = application.bot
    default = services.settings.default_language
    menus: tuple[tuple[BotCommandScope, tuple[str, ...]], ...] = (
        (BotCommandScopeDefault(), application.bot_data["menu"]),
        (BotCommandScopeAllGroupChats(), application.bot_data["menu_group"]),
        (BotCommandScopeAllChatAdministrators(), application.bot_data["menu_admin"]),
    )
    for scope, menu in menus:
        # Without a language_code: for apps in any other language, in the default language.
        await bot.set_my_commands(command_menu(default, menu), scope=scope)
        for language in LANGUAGES:
            await bot.set_my_commands(
                command_menu(language, menu), scope=scope, language_code=language
            )
    username = bot.username

    def remember() -> None:
        with session_scope(services.engine) as session:
            repo.set_fact(session, key="bot_username", value=username)

    await in_thread(services, remember)


async def _close_services(application: BotApplication) -> None:
    """After the last update and job finished (PTB waits for them): stop the health server,
    hand back outbox rows this process still holds, let the database worker finish what it
    started, then stop it and close the database connections."""
    from storage import outbox

    services: Services = application.bot_data["services"]
    runner = application.bot_data.pop("health", None)
    if runner is not None:
        await runner.cleanup()
    held = sorted(application.bot_data.get(LEASES, set()))

    def release() -> int:
        with session_scope(services.engine) as session:
            return outbox.release(session, ids=held, now=services.clock())

    if held:
        released = await in_thread(services, release)
        log.info("released %d outbox message(s) for the next start", released)
    if services.executor is not None:
        services.executor.shutdown(wait=True)
    services.engine.dispose()


async def _start_services(application: BotApplication) -> None:
    """post_init: the command menu and username, then the health endpoints."""
    from bot import health

    await announce_bot(application)
    services: Services = application.bot_data["services"]
    await _load_candidate_pool(services)
    runner = await health.start(services.settings, services.engine)
    if runner is not None:
        application.bot_data["health"] = runner


async def _load_candidate_pool(services: Services) -> None:
    """Load the matching pool before the first update, not during someone's request (a few
    seconds at 100,000 residents). Should it fail, the first plan loads it instead."""

    def load() -> int:
        with session_scope(services.engine) as session:
            return candidate_pool.warm_up(session, services.clock())

    started = time.monotonic()
    try:
        size = await in_thread(services, load)
    except SQLAlchemyError as error:
        log.warning("candidate pool not loaded at start-up: %s", type(error).__name__)
        return
    log.info("candidate pool: %d residents loaded in %.1f s", size, time.monotonic() - started)


async def matching_steps(context: BotContext) -> None:
    """Due request flows take their next step; due follow-ups are sent (state in the database)."""
    await run_due_steps(context)
    await follow_up.send_follow_ups(context)


async def _prune_processed_updates(context: BotContext) -> None:
    services = context.services

    def prune() -> int:
        with session_scope(services.engine) as session:
            return repo.prune_processed_updates(
                session,
                older_than=services.clock() - timedelta(days=services.settings.keep_updates_days),
            )

    removed = await in_thread(services, prune)
    log.debug("pruned %d processed update ids", removed)


async def purge_old_data(context: BotContext) -> None:
    """The daily retention job (storage/retention.py): quiet unless it removed something."""
    from storage import retention

    services = context.services
    settings = services.settings
    periods = retention.Periods(
        posts=timedelta(days=settings.keep_posts_days),
        invitations=timedelta(days=settings.keep_invitations_days),
        messages=timedelta(days=settings.keep_messages_days),
    )

    def purge() -> retention.Purged:
        with session_scope(services.engine) as session:
            return retention.purge(session, now=services.clock(), periods=periods)

    purged = await in_thread(services, purge)
    log.log(
        logging.INFO if purged.total else logging.DEBUG,
        "retention removed %d post(s), %d invitation(s), %d match(es), %d message(s), "
        "%d dialog state(s), %d quote(s) of reported group messages, %d activity sign-up(s)",
        purged.posts,
        purged.invitations,
        purged.matches,
        purged.messages,
        purged.dialogs,
        purged.quotes,
        purged.signups,
    )


async def _on_error(update: object, context: BotContext) -> None:
    """Log the error, then tell the person, in their language, that something went wrong.
    Never raises; needs no database (the error may be that the database is away)."""
    try:
        await _handle_error(update, context)
    except Exception:  # the error report must never raise again
        with contextlib.suppress(Exception):
            log.warning("the error handler failed", exc_info=True)


async def _handle_error(update: object, context: BotContext) -> None:
    error = context.error
    application = context.application
    if error is not None and not is_database_down(error):
        reporter: ErrorReporter = application.bot_data.setdefault(
            "error-reporter", ErrorReporter()
        )
        try:
            await reporter.report(context.bot, context.services.settings, error)
        except Exception:  # the report must never raise again
            log.warning("could not report the error to the owners", exc_info=True)
    if is_database_down(error):
        assert error is not None
        outage = outage_of(application.bot_data)
        outage.failed(error)  # logged once per outage, not per update
        if not isinstance(update, Update):
            return  # a job: it runs again by itself
        first = not outage.is_retry(update.update_id)
        delay = outage.retry_delay(update.update_id)
        if delay is not None:
            # Nothing of it was committed (the update id is claimed with its effects): it
            # may run again, and will once the database answers.
            application.create_task(
                later(delay, lambda: application.update_queue.put_nowait(update)),
                name=f"retry-update-{update.update_id}",
            )
        if first:
            await _apologise(update, context, "error.unavailable")
        return
    log.error("error while handling an update", exc_info=error)
    if isinstance(update, Update) and not isinstance(error, Forbidden):
        # Forbidden: they blocked the bot, there is nobody to tell.
        await _apologise(update, context, "error.generic")


async def _apologise(update: Update, context: BotContext, text_id: str) -> None:
    """One sentence from Telegram's own data (language from their app), not the database."""
    if update.effective_chat is None:
        return
    user = update.effective_user
    default = context.services.settings.default_language
    language = normalise_language(None if user is None else user.language_code, default)
    try:
        await context.bot.send_message(update.effective_chat.id, t(language, text_id))
    except Exception:
        log.warning("could not tell the user about the error", exc_info=True)
