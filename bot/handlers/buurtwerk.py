"""Group linking and roles for buurtwerkers: /koppel, /ontkoppel, /uitnodigen, /rollen, the bot
added to or removed from a group, and members joining (rules in bot/services/buurtwerk.py).

Telegram's word on who administers a group comes from getChatAdministrators, cached briefly
per chat; the services check the role in the database on top of it.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Final

from telegram import ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.menu import spellings
from bot.runner import perform
from bot.sender import deliver
from bot.services import browse, buurtwerk, digest
from bot.views.replies import show
from bot.views.screens import say

log = logging.getLogger(__name__)

ADMINS_CACHE_SECONDS: Final = 60.0
DIGEST_EVERY: Final = timedelta(minutes=5)
WELCOME_EVERY: Final = timedelta(seconds=30)
ADMINS_KEY: Final = "chat_admins"


def register(application: BotApplication, router: DialogRouter) -> None:
    groups = filters.ChatType.GROUPS
    application.add_handler(CommandHandler(spellings("koppel"), link_command, filters=groups))
    application.add_handler(CommandHandler(spellings("ontkoppel"), unlink_command, filters=groups))
    application.add_handler(CommandHandler(spellings("uitnodigen"), invite_command))
    application.add_handler(CommandHandler(spellings("rollen"), roles_command))
    application.add_handler(ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(
        MessageHandler(groups & filters.StatusUpdate.NEW_CHAT_MEMBERS, members_joined)
    )
    application.add_handler(CommandHandler(spellings("overzicht"), digest_command, filters=groups))
    # The same commands in a private chat get an answer instead of silence.
    group_commands = [*spellings("koppel"), *spellings("ontkoppel"), *spellings("overzicht")]
    application.add_handler(
        CommandHandler(group_commands, group_only_command, filters=filters.ChatType.PRIVATE)
    )
    # Before /start's own handler (group 0): a post opened from the group's digest.
    post_link = filters.ChatType.PRIVATE & filters.Regex(r"^/start post_[0-9]+$")
    application.add_handler(CommandHandler("start", open_post, filters=post_link), group=-1)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            send_digests, interval=DIGEST_EVERY, first=20, name="group-digests"
        )
        application.job_queue.run_repeating(
            send_welcomes, interval=WELCOME_EVERY, first=15, name="group-welcomes"
        )


def _admins(context: BotContext) -> dict[int, tuple[float, frozenset[int]]]:
    """Per application: chat id -> (when read, the administrators' user ids)."""
    cache: dict[int, tuple[float, frozenset[int]]] = context.application.bot_data.setdefault(
        ADMINS_KEY, {}
    )
    return cache


async def is_chat_admin(context: BotContext, chat_id: int, user_id: int) -> bool:
    """Whether Telegram lists the user as an administrator of the group (cached briefly)."""
    cache = _admins(context)
    cached = cache.get(chat_id)
    now = time.monotonic()
    if cached is None or now - cached[0] > ADMINS_CACHE_SECONDS:
        try:
            members = await context.bot.get_chat_administrators(chat_id)
        except TelegramError:
            log.warning("could not read the administrators of chat %s", chat_id, exc_info=True)
            return False
        cached = (now, frozenset(member.user.id for member in members))
        cache[chat_id] = cached
    return user_id in cached[1]


async def _caller_is_admin(update: Update, context: BotContext) -> bool:
    """In a group: an administrator there; in a private chat there is nobody else to ask."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == chat.PRIVATE:
        return True
    return await is_chat_admin(context, chat.id, user.id)


async def link_command(update: Update, context: BotContext) -> None:
    admin = await _caller_is_admin(update, context)
    await show(
        update, context, await perform(context, update, buurtwerk.link, context.args or [], admin)
    )


async def unlink_command(update: Update, context: BotContext) -> None:
    admin = await _caller_is_admin(update, context)
    await show(update, context, await perform(context, update, buurtwerk.unlink, admin))


async def group_only_command(update: Update, context: BotContext) -> None:
    await show(update, context, await perform(context, update, buurtwerk.group_only))


async def invite_command(update: Update, context: BotContext) -> None:
    await show(update, context, await perform(context, update, buurtwerk.invite))


async def roles_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    replied = message.reply_to_message
    member = None
    if replied is not None and replied.from_user is not None and not replied.from_user.is_bot:
        member = buurtwerk.Member(replied.from_user.id, replied.from_user.first_name)
    admin = await _caller_is_admin(update, context)
    reply = await perform(context, update, buurtwerk.roles, context.args or [], member, admin)
    await show(update, context, reply)


async def bot_membership(update: Update, context: BotContext) -> None:
    """The bot added to a group (one message there) or removed (logged; the wijk stays)."""
    changed = update.my_chat_member
    if changed is None or changed.chat.type == changed.chat.PRIVATE:
        return
    chat_id = changed.chat.id
    present = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)
    was, now = changed.old_chat_member.status, changed.new_chat_member.status
    _admins(context).pop(chat_id, None)
    if now in present and was not in present:
        text = await perform(context, update, buurtwerk.bot_added, chat_id)
        await context.bot.send_message(chat_id, text)
    elif was in present and now not in present:
        await perform(context, update, buurtwerk.bot_removed, chat_id)


async def members_joined(update: Update, context: BotContext) -> None:
    """New members of a linked group: one shared welcome is planned (send_welcomes sends it)."""
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return
    if not any(not user.is_bot for user in message.new_chat_members):
        return  # the bot itself was added: bot_membership answers that
    await perform(context, update, buurtwerk.member_joined, update.effective_chat.id)


async def digest_command(update: Update, context: BotContext) -> None:
    admin = await _caller_is_admin(update, context)
    reply = await perform(context, update, digest.setting, context.args or [], admin)
    await show(update, context, reply)


async def open_post(update: Update, context: BotContext) -> None:
    """/start post_<id>: the post in private chat, for a resident of a wijk; anyone else goes
    on to /start's welcome."""
    post_id = digest.open_post_id(context.args)
    if post_id is None:
        return
    screen = await perform(context, update, browse.open_post, post_id)
    if screen is None:
        return
    await say(update, context, screen)
    raise ApplicationHandlerStop


async def send_digests(context: BotContext) -> None:
    """The periodic job: each linked group's digest when its moment has come."""
    await perform(context, None, digest.send_due)
    outgoing, context.outgoing = context.outgoing, []
    await deliver(context, outgoing)


async def send_welcomes(context: BotContext) -> None:
    """The periodic job: the shared welcome of each group where members joined a while ago."""
    await perform(context, None, buurtwerk.send_due_welcomes)
    outgoing, context.outgoing = context.outgoing, []
    await deliver(context, outgoing)
