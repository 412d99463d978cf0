"""Answering an invitation, the asker's choice, widening, and the relay between the two.

Buttons (bot/callbacks.py; never trusted: every press is re-checked in its service):
  INVITE_YES / INVITE_NOT_NOW     "Ik help graag" / "Nu even niet"      (invitation id)
  MATCH_ACCEPT / MATCH_DECLINE    the asker's choice                     (match id)
  MATCH_SHARE / MATCH_END         share my username / stop the relay     (match id)
  RELAY_TO                        in several conversations: this message is for that one
                                  (match id, the sender's message id)
  WIDEN_YES / WIDEN_NO            look further away / keep it close by   (post id)
(the follow-up's buttons live in bot/handlers/follow_up.py)
"""

from __future__ import annotations

from typing import Protocol

from telegram import CallbackQuery, Update

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.i18n import t
from bot.keyboards import markup
from bot.runner import perform
from bot.services import invitations
from bot.views.presses import deliver_now, show


def register(application: BotApplication, router: DialogRouter) -> None:
    router.on_press(invitation_pressed, callbacks.INVITE_YES, callbacks.INVITE_NOT_NOW)
    router.on_press(
        match_pressed,
        callbacks.MATCH_ACCEPT,
        callbacks.MATCH_DECLINE,
        callbacks.MATCH_SHARE,
        callbacks.MATCH_END,
    )
    router.on_press(relay_to_pressed, callbacks.RELAY_TO)
    router.on_press(widen_pressed, callbacks.WIDEN_YES, callbacks.WIDEN_NO)
    router.otherwise(invitations.relay, relayed)
    router.on_text(invitations.RELAY_FLOW, invitations.relay_waiting, relayed)
    router.on_location(invitations.RELAY_FLOW, invitations.relay_waiting, relayed)
    router.on_other(invitations.RELAY_FLOW, invitations.relay_waiting, relayed)


class Helper(Protocol):
    """Who says "ik kan helpen" in /buurt (a resident row of the browse handler's)."""

    @property
    def id(self) -> int | None: ...


def _query(update: Update) -> CallbackQuery:
    query = update.callback_query
    assert query is not None
    return query


async def invitation_pressed(update: Update, context: BotContext, press: Press) -> None:
    """Answer an invitation: the first yes wins the request, "nu even niet" is always fine."""
    service = (
        invitations.say_yes if press.action is callbacks.INVITE_YES else invitations.say_not_now
    )
    await show(_query(update), context, await perform(context, update, service, press.id()))


async def match_pressed(update: Update, context: BotContext, press: Press) -> None:
    """The asker accepts or lets go; either of the two shares their username or ends it."""
    query = _query(update)
    match_id = press.id()
    if press.action is callbacks.MATCH_SHARE:
        pressed = await perform(
            context, update, invitations.share, match_id, query.from_user.username
        )
    else:
        service = {
            callbacks.MATCH_ACCEPT: invitations.accept,
            callbacks.MATCH_DECLINE: invitations.decline,
            callbacks.MATCH_END: invitations.end,
        }[press.action]
        pressed = await perform(context, update, service, match_id)
    await show(query, context, pressed)


async def relay_to_pressed(update: Update, context: BotContext, press: Press) -> None:
    """Someone in several conversations chose which one a waiting message is for."""
    pressed = await perform(context, update, invitations.relay_to, press.id(0), press.id(1))
    await show(_query(update), context, pressed)


async def widen_pressed(update: Update, context: BotContext, press: Press) -> None:
    """The asker answers whether the request may go further away (silence is never a yes)."""
    accepted = press.action is callbacks.WIDEN_YES
    pressed = await perform(context, update, invitations.answer_widen, press.id(), accepted)
    await show(_query(update), context, pressed)


async def relayed(update: Update, context: BotContext, result: invitations.Relayed) -> None:
    """Tell the sender when their message could not be passed on (the receiver paused, or
    blocked the bot); a retry later is not worth mentioning."""
    message = update.effective_message
    assert message is not None
    if result.reply is not None:
        await message.reply_text(result.reply, reply_markup=markup(result.keyboard))
    elif any(outcome.final for outcome in await deliver_now(context)):
        await message.reply_text(t(result.language, "relay.undelivered"))
