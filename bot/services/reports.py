"""Reports that reach someone: the wijk's team chat, or else each buurtwerker privately, gets
the reported post with buttons (hide, warn, suspend, dismiss). Each action asks for a short
reason (typed in the buurtwerker's private chat), is written to the audit log, can be undone,
and tells the reporter "er is naar gekeken" without details.

/meld as a reply to a line relayed between asker and helper reports that line
(bot/services/control.py): the card quotes it, with warn, suspend and dismiss.

/meld typed in the wijk's group as a reply to a message reports that message: the card quotes
it and, besides warn, suspend (when its author is a resident) and dismiss, offers to delete it
from the group; the handler deletes it through the Bot API after the unit committed, and if
Telegram refuses (the bot is no admin there, the message is older than 48 hours) the report
opens again and the buurtwerker is told.

Nothing is trusted from a button: every press re-checks in the database that the presser is a
buurtwerker of the report's wijk (or an owner of the bot). Of two buurtwerkers acting on one
report at once, the first action wins (a conditional update); the other is told what was done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from sqlmodel import Session, col, select

from bot import callbacks
from bot.dates import moment_name
from bot.i18n import t
from bot.post_views import first_name, shortened
from bot.services import dialogs
from bot.services.buurtwerk import actor_name, may_manage, team_wijk
from bot.services.delivery import REPORT_CARD, WORK
from bot.services.markup import Button, Keyboard, keyboard
from bot.services.reply import Edit, GroupMessageRef, Reply, Show
from bot.services.unit import Incoming, Unit
from storage import buurtwerk, moderation, outbox, repo
from storage.buurtwerk import BOT_ACTOR, ChatKind
from storage.models import (
    AuditEntry,
    OutboxMessage,
    OutboxStatus,
    Post,
    PostStatus,
    Report,
    Resident,
    RoleKind,
    Suspension,
    Wijk,
)

FLOW: Final = "moderate"
STEP: Final = "reason"
QUOTE_LENGTH: Final = 300
LOGBOOK_DEFAULT: Final = 10
LOGBOOK_MAX: Final = 50

SUSPENSION_LENGTHS: Final = {"sw": timedelta(weeks=1), "sm": timedelta(days=30), "so": None}
UNDOABLE: Final = frozenset({"hide", "warn", "sw", "sm", "so", "dismiss", "done"})
# A message deleted from a Telegram group cannot come back: "del" (delete it) has no undo.

ACTION_BUTTONS = (
    ("hide", "reports.button.hide"),
    ("warn", "reports.button.warn"),
    ("sw", "reports.button.suspend_week"),
    ("sm", "reports.button.suspend_month"),
    ("so", "reports.button.suspend_open"),
    ("dismiss", "reports.button.dismiss"),
)
REASON_PROMPTS = {
    "warn": "reports.ask.warn",
    "hide": "reports.ask.reason",
    "sw": "reports.ask.reason",
    "sm": "reports.ask.reason",
    "so": "reports.ask.reason",
    "dismiss": "reports.ask.reason",
    "del": "reports.ask.reason",
    "done": "reports.ask.done",
}
# What an action (or another audit entry) is called in the log and in "already done".
ACTION_NAMES = {
    "hide": "reports.did.hide",
    "warn": "reports.did.warn",
    "sw": "reports.did.suspend_week",
    "sm": "reports.did.suspend_month",
    "so": "reports.did.suspend_open",
    "dismiss": "reports.did.dismiss",
    "del": "reports.did.delete",
    "done": "reports.did.done",
    "report_claim": "reports.did.report_claim",
    "delete_failed": "reports.did.delete_failed",
    "undo": "reports.did.undo",
    "suspension_ended": "reports.did.suspension_ended",
    "link_group": "reports.did.link_group",
    "link_team": "reports.did.link_team",
    "unlink_group": "reports.did.unlink_group",
    "unlink_team": "reports.did.unlink_team",
    "removed_group": "reports.did.removed_group",
    "removed_team": "reports.did.removed_team",
    "role_add_buurtwerker": "reports.did.role_add",
    "role_add_organiser": "reports.did.role_add",
    "role_remove_buurtwerker": "reports.did.role_remove",
    "role_remove_organiser": "reports.did.role_remove",
    "signal_claim": "reports.did.signal_claim",
    "signal_done": "reports.did.signal_done",
    "digest_setting": "reports.did.digest_setting",
}
REPORT_REASONS = {
    "unkind": "report.reason.unkind",
    "spam": "report.reason.spam",
    "incorrect": "report.reason.incorrect",
}


def _caller_id(unit: Unit) -> int:
    assert unit.caller is not None
    return unit.caller.user_id


def language_of(unit: Unit, telegram_user_id: int) -> str:
    resident = repo.find_resident(unit.session, telegram_user_id=telegram_user_id)
    return unit.settings.default_language if resident is None else resident.language


def _action_name(language: str, action: str) -> str:
    return t(language, ACTION_NAMES.get(action, "reports.did.other"))


# --- a new report reaches the buurtwerkers -------------------------------------------------


def card_keyboard(language: str, report: Report) -> Keyboard:
    """The actions on a report card: for a post hide, warn, suspend, dismiss; for a message in
    the group delete it, then warn and suspend (only when its author is a resident), dismiss."""
    assert report.id is not None
    report_id = report.id

    def button(action: str, key: str) -> Button:
        return Button(t(language, key), callbacks.MODERATE(report_id, action))

    buttons = [button(a, key) for a, key in ACTION_BUTTONS]
    if report.relay_match_id is not None:
        # A line relayed between two residents: nothing to hide or delete; its author is
        # warned or suspended (when they still have the bot), or it is dismissed.
        if report.reported_resident_id is None:
            return keyboard(buttons[5:])
        return keyboard([buttons[1]], buttons[2:5], buttons[5:])
    if report.group_message_id is None:
        return keyboard(buttons[:2], buttons[2:5], buttons[5:])
    delete = button("del", "reports.button.delete")
    if report.reported_resident_id is None:
        return keyboard([delete], buttons[5:])
    return keyboard([delete, buttons[1]], buttons[2:5], buttons[5:])


def _reason_text(language: str, report: Report) -> str:
    code = report.reason
    if not code:
        return t(language, "reports.card.no_reason")
    if code in REPORT_REASONS:
        return t(language, REPORT_REASONS[code])
    return code


def _reporter_line(session: Session, language: str, report: Report) -> str:
    """Who reported, only when they chose "Mijn naam mag erbij" (their first name only)."""
    if not report.reporter_named or report.reporter_id is None:
        return ""
    reporter = session.get(Resident, report.reporter_id)
    if reporter is None or not reporter.first_name:
        return ""
    name = first_name(language, reporter.first_name)
    return "\n" + t(language, "reports.card.reporter", name=name)


def _card_text(
    language: str, wijk: Wijk, report: Report, post: Post | None, author_name: str
) -> str:
    reason = _reason_text(language, report)
    if report.relay_match_id is not None:
        return t(
            language,
            "reports.card_relay",
            wijk=wijk.name,
            quote=report.quote or "…",
            author=author_name or "…",
            reason=reason,
        )
    if report.group_message_id is not None:
        return t(
            language,
            "reports.card_group",
            wijk=wijk.name,
            quote=report.quote or "…",
            author=author_name,
            reason=reason,
        )
    quote = shortened(post.text, QUOTE_LENGTH) if post is not None else "…"
    return t(language, "reports.card", wijk=wijk.name, quote=quote, reason=reason)


def summary(unit: Unit, language: str, report: Report, length: int) -> tuple[str, str]:
    """What a report is about in a few words, and its reason, for a line in /signalen (the
    reporter is never named there)."""
    post = None if report.post_id is None else unit.session.get(Post, report.post_id)
    text = report.quote or ("" if post is None else post.text)
    return (shortened(text, length) if text else "…"), _reason_text(language, report)


def _card(
    unit: Unit, language: str, wijk: Wijk, report: Report, post: Post | None, author_name: str
) -> str:
    return _card_text(language, wijk, report, post, author_name) + _reporter_line(
        unit.session, language, report
    )


def send_report(unit: Unit, report: Report, author_name: str = "") -> bool:
    """Queue the report for the wijk's team chat, or each buurtwerker privately. False when
    the wijk has neither (then nobody is promised anything). `author_name`: the first name of
    whoever wrote a reported group message, as Telegram shows it in the group."""
    wijk = None if report.wijk_id is None else unit.session.get(Wijk, report.wijk_id)
    if wijk is None or wijk.id is None or report.id is None:
        return False
    post = None if report.post_id is None else unit.session.get(Post, report.post_id)
    about = f"{REPORT_CARD}{report.id}"
    if wijk.team_chat_id is not None:
        language: str = unit.settings.default_language
        unit.enqueue_chat(
            chat_id=wijk.team_chat_id,
            text=_card(unit, language, wijk, report, post, author_name),
            keyboard=card_keyboard(language, report),
            key=card_key(report.id, wijk.team_chat_id),
            about=about,
        )
        return True
    workers = buurtwerk.buurtwerkers_of(unit.session, wijk_id=wijk.id)
    for worker in workers:
        language = language_of(unit, worker)
        unit.enqueue_chat(
            chat_id=worker,
            text=_card(unit, language, wijk, report, post, author_name),
            keyboard=card_keyboard(language, report),
            key=card_key(report.id, worker),
            about=about,
        )
    return bool(workers)


def card_key(report_id: int, chat_id: int) -> str:
    """The outbox key of a report's card in one chat, so its copies can be found again."""
    return f"card:{report_id}:{chat_id}"


def card_edits(
    unit: Unit, report: Report, note: Callable[[str], str], *, buttons: bool
) -> tuple[Edit, ...]:
    """The report's cards that reached the team chat or buurtwerkers, shown again with a short
    note in each card's language (who picked it up, what was done), with the card's buttons
    or without; edited after commit, so nobody finds out only by pressing. A card still
    waiting for someone's quiet hours is not sent once the report is closed (delivery)."""
    session = unit.session
    wijk = None if report.wijk_id is None else session.get(Wijk, report.wijk_id)
    if wijk is None or wijk.id is None or report.id is None:
        return ()
    chats = buurtwerk.buurtwerkers_of(session, wijk_id=wijk.id)
    if wijk.team_chat_id is not None:
        chats.append(wijk.team_chat_id)
    edits = []
    for card in outbox.by_keys(session, [card_key(report.id, chat) for chat in chats]):
        if card.status != OutboxStatus.SENT.value or card.message_id is None:
            continue
        group = card.chat_id < 0  # the team chat: its cards are in the bot's language
        language = unit.settings.default_language if group else language_of(unit, card.chat_id)
        text = f"{card.text}\n\n{note(language)}"
        board = card_keyboard(language, report) if buttons else None
        edits.append(Edit(card.chat_id, card.message_id, text, board))
    return tuple(edits)


def picked_up_edits(unit: Unit, report: Report, by: int) -> tuple[Edit, ...]:
    """ "Ik pak het op" on a report: its cards say who, and keep their buttons."""
    who = actor_name(unit, by)
    return card_edits(
        unit, report, lambda language: t(language, "reports.card.picked_up", who=who), buttons=True
    )


# --- /meld in the wijk's group -----------------------------------------------------------------


@dataclass(frozen=True)
class GroupMessage:
    """The message a /meld in a group replied to, as plain data from the handler."""

    message_id: int
    author_id: int  # Telegram user id
    author_name: str
    from_this_bot: bool
    text: str  # its text or caption ("" for a sticker, a photo without caption, ...)


def report_group_message(unit: Unit, reported: GroupMessage | None, args: list[str]) -> Reply:
    """/meld [reason] as a reply to a message in a linked wijk group: the wijk's team chat or
    buurtwerkers get it as a report. The answer in the group names nobody."""
    assert unit.caller is not None
    language = unit.language
    session = unit.session
    linked = buurtwerk.wijk_of_chat(session, chat_id=unit.caller.chat_id)
    if linked is None or linked[1] is not ChatKind.GROUP:
        return Reply(t(language, "reports.group.not_linked"))
    wijk = linked[0]
    assert wijk.id is not None
    if reported is None:
        return Reply(t(language, "reports.group.how"))
    if reported.from_this_bot:
        return Reply(t(language, "reports.group.bot_message"))
    if reported.author_id == unit.caller.user_id:
        return Reply(t(language, "reports.group.own"))
    if wijk.team_chat_id is None and not has_buurtwerker(unit, wijk.id):
        # Nobody would see it: say so, instead of promising attention.
        return Reply(t(language, "reports.group.nobody"))
    report, new = moderation.report_group_message(
        session,
        wijk_id=wijk.id,
        chat_id=unit.caller.chat_id,
        message_id=reported.message_id,
        quote=shortened(reported.text, QUOTE_LENGTH) if reported.text else "",
        reason=" ".join(args),
        reporter=repo.find_resident(session, telegram_user_id=unit.caller.user_id),
        author=repo.find_resident(session, telegram_user_id=reported.author_id),
        now=unit.now,
        author_telegram_id=reported.author_id,
    )
    if new:
        send_report(unit, report, first_name(language, reported.author_name))
    return Reply(t(language, "reports.group.thanks"))


def has_buurtwerker(unit: Unit, wijk_id: int | None) -> bool:
    """Whether the wijk has a buurtwerker (texts may only promise one's attention then)."""
    if wijk_id is None:
        return False
    return repo.wijk_has_role(unit.session, wijk_id=wijk_id, kind=RoleKind.BUURTWERKER)


# --- a buurtwerker acts ----------------------------------------------------------------------


def _refusal(unit: Unit, key: str, **params: object) -> Reply:
    return Reply(t(unit.language, key, **params), show=Show.POPUP)


def done_already(unit: Unit, report: Report) -> Reply:
    who = actor_name(unit, report.handled_by or BOT_ACTOR)
    what = _action_name(unit.language, report.outcome or "")
    return Reply(t(unit.language, "reports.too_late", who=who, what=what), show=Show.POPUP)


def allowed_actions(report: Report) -> frozenset[str]:
    """What may be done about this report (the card's buttons; forged ones are refused)."""
    # "done" ("afgehandeld" in /signalen): handled outside the bot, for every kind of report.
    if report.relay_match_id is not None:
        if report.reported_resident_id is None:
            return frozenset({"dismiss", "done"})
        return frozenset({"warn", "sw", "sm", "so", "dismiss", "done"})
    if report.group_message_id is None:
        return UNDOABLE
    if report.reported_resident_id is None:
        return frozenset({"del", "dismiss", "done"})
    return frozenset({"del", "warn", "sw", "sm", "so", "dismiss", "done"})


def choose(unit: Unit, report_id: int, action: str) -> Reply:
    """A button on a report card: checks, then asks the presser (privately) for the reason."""
    report = unit.session.get(Report, report_id)
    if report is None or action not in allowed_actions(report):
        return _refusal(unit, "error.stale_button")
    user_id = _caller_id(unit)
    if not may_manage(unit, user_id, report.wijk_id):
        return _refusal(unit, "reports.not_allowed")
    if report.status != "open":
        return done_already(unit, report)
    state = dialogs.DialogState(
        FLOW, STEP, dialogs.ModerationData(report_id=report_id, action=action)
    )
    dialogs.save(unit.session, user_id, state, unit.now)
    language = unit.language
    cancel = keyboard([Button(t(language, "reports.button.cancel"), callbacks.MODERATE_CANCEL())])
    return Reply(t(language, REASON_PROMPTS[action]), cancel, Show.MESSAGE)


def cancel(unit: Unit) -> Reply:
    if unit.dialog is not None and unit.dialog.flow == FLOW:
        unit.clear_dialog()
    return Reply(t(unit.language, "reports.cancelled"))


def apply(
    unit: Unit, state: dialogs.DialogState[dialogs.ModerationData], incoming: Incoming
) -> Reply:
    """The reason typed after choosing an action: the action happens now, if it still may."""
    language = unit.language
    reason = " ".join((incoming.text or "").split())
    if not reason:
        return Reply(t(language, REASON_PROMPTS.get(state.data.action, "reports.ask.reason")))
    unit.clear_dialog()
    report = unit.session.get(Report, state.data.report_id)
    action = state.data.action
    if report is None or report.wijk_id is None or action not in allowed_actions(report):
        return Reply(t(language, "error.stale_button"))
    user_id = _caller_id(unit)
    if not may_manage(unit, user_id, report.wijk_id):
        return Reply(t(language, "reports.not_allowed"))
    if not buurtwerk.claim_report(
        unit.session, report=report, by=user_id, outcome=action, now=unit.now
    ):
        return Reply(done_already(unit, report).text)
    data = _act(unit, report, action, reason)
    entry = buurtwerk.log_action(
        unit.session,
        wijk_id=report.wijk_id,
        actor=user_id,
        action=action,
        reason=reason,
        now=unit.now,
        report_id=report.id,
        post_id=report.post_id,
        resident_id=report.reported_resident_id,
        data=data,
    )
    _tell_reporter(unit, report)
    _tell_team(unit, report.wijk_id, user_id, action)
    assert entry.id is not None
    who = actor_name(unit, user_id)

    def note(card_language: str) -> str:
        what = _action_name(card_language, action)
        return t(card_language, "reports.card.handled", who=who, what=what)

    edits = card_edits(unit, report, note, buttons=False)
    if action == "del":
        assert report.group_chat_id is not None
        assert report.group_message_id is not None
        target = GroupMessageRef(report.group_chat_id, report.group_message_id, entry.id)
        return Reply(t(language, "reports.done_delete"), delete=target, edits=edits)
    undo = keyboard([Button(t(language, "reports.button.undo"), callbacks.UNDO(entry.id))])
    what = _action_name(language, action)
    return Reply(t(language, "reports.done", what=what), undo, edits=edits)


def delete_refused(unit: Unit, entry_id: int) -> Reply:
    """Telegram would not delete the group message: the deletion is marked undone in the log
    (by the bot), the report opens again, and the buurtwerker gets its buttons back."""
    session = unit.session
    entry = session.get(AuditEntry, entry_id)
    if entry is None or entry.action != "del":
        return Reply(t(unit.language, "error.stale_button"))
    buurtwerk.mark_undone(session, entry=entry, by=BOT_ACTOR, now=unit.now)
    report = None if entry.report_id is None else session.get(Report, entry.report_id)
    buurtwerk.log_action(
        session,
        wijk_id=entry.wijk_id,
        actor=BOT_ACTOR,
        action="delete_failed",
        now=unit.now,
        report_id=entry.report_id,
        resident_id=entry.resident_id,
        data={"entry_id": entry.id},
    )
    if report is None:
        return Reply(t(unit.language, "reports.delete_refused"))
    buurtwerk.reopen_report(session, report=report)
    # The other cards were never changed: the deletion's reply (and its card edits) is shown
    # only when Telegram did delete the message.
    return Reply(t(unit.language, "reports.delete_refused"), card_keyboard(unit.language, report))


def _act(unit: Unit, report: Report, action: str, reason: str) -> dict[str, object]:
    """The action itself; returns what undoing it needs."""
    session, now = unit.session, unit.now
    author = (
        None
        if report.reported_resident_id is None
        else session.get(Resident, report.reported_resident_id)
    )
    wijk = session.get(Wijk, report.wijk_id)
    wijk_name = "" if wijk is None else wijk.name
    if action == "del":
        return {"chat_id": report.group_chat_id, "message_id": report.group_message_id}
    if action == "hide":
        post = None if report.post_id is None else session.get(Post, report.post_id)
        before = None if post is None else buurtwerk.hide_post(session, post=post, now=now)
        if before is None and post is not None and post.id is not None:
            held = buurtwerk.hiding_suspension(session, post=post, now=now)
            if held is not None and post.id in held.hidden_post_ids:
                # Hidden by the suspension already: this hide keeps it hidden after the
                # suspension ends, and its undo gives it back as the suspension would.
                before = PostStatus.OPEN.value
        return {"status": before}
    if action == "warn" and author is not None:
        unit.enqueue(
            to=author,
            text=t(author.language, "reports.warning", wijk=wijk_name, text=reason),
            about=f"{WORK}warn:{report.id}",
        )
        return {}
    if action in SUSPENSION_LENGTHS and author is not None and report.wijk_id is not None:
        length = SUSPENSION_LENGTHS[action]
        until = None if length is None else now + length
        suspension = buurtwerk.suspend(
            session,
            resident=author,
            wijk_id=report.wijk_id,
            until=until,
            by=_caller_id(unit),
            reason=reason,
            now=now,
        )
        if until is None:
            text = t(author.language, "reports.suspended_open", wijk=wijk_name)
        else:
            day = moment_name(author.language, until, unit.settings.tz)
            text = t(author.language, "reports.suspended", wijk=wijk_name, until=day)
        unit.enqueue(to=author, text=text, about=f"{WORK}suspend:{suspension.id}")
        return {"suspension_id": suspension.id}
    return {}


def _tell_reporter(unit: Unit, report: Report) -> None:
    """ "Er is naar gekeken", once per report, without details."""
    if report.reporter_id is None:
        return
    reporter = unit.session.get(Resident, report.reporter_id)
    key = f"reviewed:{report.id}"
    sent = unit.session.exec(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)
    ).first()
    if reporter is None or sent is not None:
        return
    unit.enqueue(to=reporter, text=t(reporter.language, "reports.looked_at"), key=key)


def _tell_team(unit: Unit, wijk_id: int, user_id: int, action: str) -> None:
    """The team chat (if any) hears what was done, so nobody acts twice."""
    wijk = unit.session.get(Wijk, wijk_id)
    if wijk is None or wijk.team_chat_id is None:
        return
    language = unit.settings.default_language
    text = t(
        language,
        "reports.team_note",
        who=actor_name(unit, user_id),
        what=_action_name(language, action),
    )
    unit.enqueue_chat(
        chat_id=wijk.team_chat_id, text=text, about=buurtwerk.team_note_about(user_id)
    )


# --- undo ------------------------------------------------------------------------------------


def undo(unit: Unit, entry_id: int) -> Reply:
    """Undo an action on a report: a hidden post shows again, a suspension is lifted (its posts
    back), the report opens again. A warning that was sent stays sent."""
    session = unit.session
    entry = session.get(AuditEntry, entry_id)
    if entry is None or entry.action not in UNDOABLE:
        return _refusal(unit, "error.stale_button")
    user_id = _caller_id(unit)
    if not may_manage(unit, user_id, entry.wijk_id):
        return _refusal(unit, "reports.not_allowed")
    if not buurtwerk.mark_undone(session, entry=entry, by=user_id, now=unit.now):
        return _refusal(unit, "reports.undone_already")
    if entry.action == "hide" and entry.post_id is not None:
        post = session.get(Post, entry.post_id)
        status = entry.data.get("status")
        if post is not None and post.id is not None and isinstance(status, str):
            held = buurtwerk.hiding_suspension(session, post=post, now=unit.now)
            if held is None:
                buurtwerk.restore_post(session, post=post, status=status, now=unit.now)
            else:
                # Its author is suspended: it shows again when the suspension is lifted.
                buurtwerk.leave_to_suspension(session, suspension=held, post_id=post.id)
    suspension_id = entry.data.get("suspension_id")
    if isinstance(suspension_id, int):
        suspension = session.get(Suspension, suspension_id)
        if suspension is not None:
            _lift(unit, suspension)
    report = None if entry.report_id is None else session.get(Report, entry.report_id)
    if report is not None:
        buurtwerk.reopen_report(session, report=report)
    buurtwerk.log_action(
        session,
        wijk_id=entry.wijk_id,
        actor=user_id,
        action="undo",
        now=unit.now,
        report_id=entry.report_id,
        post_id=entry.post_id,
        resident_id=entry.resident_id,
        data={"entry_id": entry.id, "undid": entry.action},
    )
    language = unit.language
    key = "reports.undone_warning" if entry.action == "warn" else "reports.undone"
    again: Keyboard | None = None
    edits: tuple[Edit, ...] = ()
    if report is not None and report.id is not None:
        again = card_keyboard(language, report)
        who = actor_name(unit, user_id)
        edits = card_edits(
            unit,
            report,
            lambda card_language: t(card_language, "reports.card.reopened", who=who),
            buttons=True,
        )
    return Reply(t(language, key, what=_action_name(language, entry.action)), again, edits=edits)


def _lift(unit: Unit, suspension: Suspension) -> None:
    buurtwerk.lift(unit.session, suspension=suspension, now=unit.now)
    held = buurtwerk.active_suspension(
        unit.session, resident_id=suspension.resident_id, now=unit.now, wijk_id=suspension.wijk_id
    )
    author = unit.session.get(Resident, suspension.resident_id)
    # "Je kunt weer vragen" only when no other suspension in the wijk still holds.
    if author is not None and held is None:
        unit.enqueue(
            to=author,
            text=t(author.language, "reports.lifted"),
            about=f"{WORK}lift:{suspension.id}",
        )


def lift_ended_suspensions(unit: Unit) -> int:
    """The periodic job: suspensions whose end passed are lifted (their posts back)."""
    ended = unit.session.exec(
        select(Suspension).where(
            col(Suspension.lifted_at).is_(None),
            col(Suspension.until).is_not(None),
            col(Suspension.until) <= unit.now,
        )
    ).all()
    for suspension in ended:
        _lift(unit, suspension)
        buurtwerk.log_action(
            unit.session,
            wijk_id=suspension.wijk_id,
            actor=BOT_ACTOR,
            action="suspension_ended",
            now=unit.now,
            resident_id=suspension.resident_id,
        )
    return len(ended)


# --- /logboek --------------------------------------------------------------------------------


def logbook(unit: Unit, args: list[str]) -> Reply:
    """/logboek [wijk] [n]: the newest audit entries, in the team chat or privately."""
    assert unit.caller is not None
    language = unit.language
    numbers = [word for word in args if word.isascii() and word.isdigit()]
    words = [word for word in args if word not in numbers]
    count = min(int(numbers[0]), LOGBOOK_MAX) if numbers else LOGBOOK_DEFAULT
    wijk = team_wijk(
        unit, words, not_here="reports.logbook.not_here", which_wijk="reports.logbook.which_wijk"
    )
    if isinstance(wijk, str):
        return Reply(wijk)
    assert wijk.id is not None
    if not may_manage(unit, _caller_id(unit), wijk.id):
        return Reply(t(language, "reports.not_allowed"))
    entries = buurtwerk.recent_entries(unit.session, wijk_id=wijk.id, limit=max(count, 1))
    if not entries:
        return Reply(t(language, "reports.logbook.empty", wijk=wijk.name))
    zone = unit.settings.tz
    lines = [t(language, "reports.logbook.title", wijk=wijk.name)]
    for entry in entries:
        line = t(
            language,
            "reports.logbook.line",
            when=entry.created_at.astimezone(zone).strftime("%d-%m %H:%M"),
            who=actor_name(unit, entry.actor_telegram_id),
            what=_action_name(language, entry.action),
        )
        if entry.reason:
            line += t(language, "reports.logbook.reason", reason=entry.reason)
        if entry.undone_at is not None:
            line += t(language, "reports.logbook.undone")
        lines.append(line)
    return Reply("\n".join(lines))
