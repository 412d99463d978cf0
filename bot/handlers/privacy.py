"""/mijngegevens and /verwijder: see everything the bot keeps about you, and delete it all.

/mijngegevens answers with a short summary in the chat plus the complete data as a JSON file.
It only reads, so a dialog in progress (which the file shows) carries on afterwards.
/verwijder (and the button /stop offers) asks once, then deletes everything at once.

Callback data: del:ask (show the confirmation), del:yes (delete), del:no (keep everything).
"""

from __future__ import annotations

import json
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import BotApplication, BotContext, Services, language_for
from bot.dates import day_name
from bot.dialog import DialogRouter, clear_state
from bot.i18n import t
from bot.post_views import kind_name, shortened
from bot.services.preferences import summary as preferences_summary
from matching.names import first_word
from matching.pause import is_paused
from storage import privacy
from storage.db import session_scope
from storage.models import PostStatus, RoleKind

DELETE_PREFIX: Final = "del:"
DELETE_ASK: Final = f"{DELETE_PREFIX}ask"
DELETE_YES: Final = f"{DELETE_PREFIX}yes"
DELETE_NO: Final = f"{DELETE_PREFIX}no"

# The chat summary lists this many posts (shortened); the file has all of them.
POSTS_LISTED: Final = 10
POST_TEXT_LENGTH: Final = 60
FILE_NAME: Final = "buurtbot-data.json"

# Plain assignments (not Final), so tests/bot/test_i18n.py sees these message ids.
STATUS_NAMES = {
    PostStatus.OPEN.value: "privacy.status.open",
    PostStatus.MATCHED.value: "privacy.status.matched",
    PostStatus.DONE.value: "privacy.status.done",
    PostStatus.WITHDRAWN.value: "privacy.status.withdrawn",
    PostStatus.HIDDEN.value: "privacy.status.hidden",
}
ROLE_NAMES = {
    RoleKind.BUURTWERKER.value: "privacy.role.buurtwerker",
    RoleKind.ORGANISER.value: "privacy.role.organiser",
}


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("mijngegevens", my_data_command, filters=private))
    application.add_handler(CommandHandler("verwijder", delete_command, filters=private))
    application.add_handler(CallbackQueryHandler(delete_pressed, pattern=f"^{DELETE_PREFIX}"))


def delete_everything_keyboard(language: str) -> InlineKeyboardMarkup:
    """The way into deletion, for the goodbye after /stop."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "privacy.button.delete_all"), callback_data=DELETE_ASK
                )
            ]
        ]
    )


def confirm_delete_keyboard(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(language, "privacy.button.yes"), callback_data=DELETE_YES),
                InlineKeyboardButton(t(language, "privacy.button.no"), callback_data=DELETE_NO),
            ]
        ]
    )


# --- /mijngegevens ---------------------------------------------------------------------------


def summary(language: str, data: privacy.PersonalData, services: Services) -> str:
    """What is kept, readable in the chat (HTML); the file has the complete rows."""
    lines = [t(language, "privacy.title")]
    resident = data.resident
    if resident is not None:
        lines.append(t(language, "privacy.name", name=resident.first_name))
        lines.append(
            preferences_summary(language, resident, data.wijk.name if data.wijk else None)
        )
        if not is_paused(
            paused=resident.paused, paused_until=resident.paused_until, now=services.clock()
        ):
            lines.append(t(language, "privacy.pause.none"))
        elif resident.paused_until is None:
            lines.append(t(language, "privacy.pause.open"))
        else:
            day = day_name(language, resident.paused_until, services.settings.tz)
            lines.append(t(language, "privacy.pause.until", day=day))
        if resident.stopped:
            lines.append(t(language, "privacy.stopped"))
        lines += ["", t(language, "privacy.posts", count=len(data.posts))]
        lines += [
            t(
                language,
                "privacy.post",
                kind=kind_name(language, post.kind),
                status=t(language, STATUS_NAMES.get(post.status, "privacy.status.open")),
                text=shortened(post.text, POST_TEXT_LENGTH),
            )
            for post in data.posts[:POSTS_LISTED]
        ]
        if len(data.posts) > POSTS_LISTED:
            more = len(data.posts) - POSTS_LISTED
            lines.append(t(language, "privacy.more_posts", count=more))
        lines.append(
            t(
                language,
                "privacy.invitations",
                received=len(data.invitations_received),
                on_own=len(data.invitations_on_own_posts),
            )
        )
        names = ", ".join(first_word(blocked.first_name) for blocked in data.blocked)
        lines.append(
            t(language, "privacy.blocked", names=names)
            if names
            else t(language, "privacy.blocked_none")
        )
        lines.append(t(language, "privacy.reports", count=len(data.reports_made)))
    lines += [
        t(
            language,
            "privacy.role",
            role=t(language, ROLE_NAMES.get(role.kind, "privacy.role.buurtwerker")),
            wijk=wijk.name,
        )
        for role, wijk in data.roles
    ]
    lines += ["", t(language, "privacy.file_note")]
    return "\n".join(lines)


async def my_data_command(update: Update, context: BotContext) -> None:
    """Show what is stored about the person, and send all of it as a JSON file."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = context.services
    language = language_for(services, user)
    with session_scope(services.engine) as session:
        data = privacy.collect(session, telegram_user_id=user.id, now=services.clock())
    if data.is_empty:
        await message.reply_text(t(language, "privacy.nothing"))
        return
    await message.reply_text(summary(language, data, services))
    document = json.dumps(data.to_json(), ensure_ascii=False, indent=2).encode()
    await message.reply_document(
        document, filename=FILE_NAME, caption=t(language, "privacy.file_caption")
    )


# --- /verwijder ------------------------------------------------------------------------------


async def delete_command(update: Update, context: BotContext) -> None:
    """Ask once whether to delete everything."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = context.services
    clear_state(services, user.id)
    language = language_for(services, user)
    await message.reply_text(
        t(language, "privacy.delete.ask"), reply_markup=confirm_delete_keyboard(language)
    )


async def delete_pressed(update: Update, context: BotContext) -> None:
    """del:ask asks, del:yes deletes everything and says goodbye, del:no keeps everything."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    services, user = context.services, query.from_user
    # Read before deleting: the goodbye is in the language they chose.
    language = language_for(services, user)
    if query.data == DELETE_ASK:
        await context.bot.send_message(
            user.id,
            t(language, "privacy.delete.ask"),
            reply_markup=confirm_delete_keyboard(language),
        )
        await query.answer()
    elif query.data == DELETE_YES:
        with session_scope(services.engine) as session:
            privacy.delete_person(session, telegram_user_id=user.id, now=services.clock())
        await query.edit_message_text(t(language, "privacy.delete.done"))
        await query.answer()
    elif query.data == DELETE_NO:
        await query.edit_message_text(t(language, "privacy.delete.kept"))
        await query.answer()
    else:
        await query.answer(t(language, "error.stale_button"))
