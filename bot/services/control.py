"""/pauze, /stop, /blokkeer and /meld: what reaches a resident, and whom they meet.

Pausing and leaving are one tap, take effect at once and are never argued with. Blocking is
private and silent: the other person is never told. Block and report buttons name a post or an
invitation; the person behind it is looked up in the database on every press, so an old or
forged button can never block or report someone the presser cannot see.

Every service answers with a Reply (bot/services/reply.py): the text, its buttons, and how
the handler shows it.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Final, Literal

from bot import callbacks
from bot.dates import day_name
from bot.i18n import t
from bot.post_views import first_name, shortened
from bot.services import dialogs, reports
from bot.services.activities import leave_activities
from bot.services.markup import Button, Keyboard, keyboard
from bot.services.privacy import delete_everything_keyboard
from bot.services.reply import Reply, Show
from bot.services.unit import Incoming, Unit
from matching.pause import PauseLength, is_paused, pause_end
from storage import activities, matchmaking, moderation, outbox, pausing
from storage.models import Match, Post, Resident

REPORT_FLOW: Final = "report"
REPORT_STEP: Final = "reason"
OTHER_REASON: Final = "other"
QUOTE_LENGTH: Final = 100

# Tables of message ids are plain assignments (not Final) so tests/bot/test_i18n.py sees them.
PAUSE_BUTTONS = (
    (PauseLength.UNTIL_RESUMED, "pause.button.open"),
    (PauseLength.WEEK, "pause.button.week"),
    (PauseLength.MONTH, "pause.button.month"),
)
REASON_BUTTONS = (
    ("unkind", "report.reason.unkind"),
    ("spam", "report.reason.spam"),
    ("incorrect", "report.reason.incorrect"),
    (OTHER_REASON, "report.reason.other"),
)
BLOCK_REFUSALS = {
    moderation.Refusal.UNAVAILABLE: "block.unavailable",
    moderation.Refusal.OWN: "block.self",
}
REPORT_REFUSALS = {
    moderation.Refusal.UNAVAILABLE: "report.unavailable",
    moderation.Refusal.OWN: "report.self",
}


def _caller_id(unit: Unit) -> int:
    assert unit.caller is not None
    return unit.caller.user_id


def _stale(unit: Unit) -> Reply:
    return Reply(t(unit.language, "error.stale_button"), show=Show.POPUP)


# --- /pauze ----------------------------------------------------------------------------------


def pause_keyboard(language: str) -> Keyboard:
    first, *others = (
        Button(t(language, key), callbacks.PAUSE(length)) for length, key in PAUSE_BUTTONS
    )
    return keyboard([first], others)


def resume_keyboard(language: str) -> Keyboard:
    return keyboard([Button(t(language, "pause.button.resume"), callbacks.RESUME())])


def _paused(unit: Unit, until: datetime | None) -> Reply:
    language = unit.language
    if until is None:
        text = t(language, "pause.on_open")
    else:
        text = t(language, "pause.on_until", day=day_name(language, until, unit.settings.tz))
    resident = unit.resident
    # "Niets" would not be true: messages about their own sign-ups still come.
    if (
        resident is not None
        and resident.id is not None
        and activities.has_coming_signup(unit.session, resident_id=resident.id, now=unit.now)
    ):
        text += "\n" + t(language, "pause.keeps_signups")
    return Reply(text, resume_keyboard(language))


def offer_pause(unit: Unit) -> Reply:
    """/pauze: a pause in one tap, or the pause that holds now with a resume button."""
    unit.clear_dialog()
    resident = unit.resident
    if resident is not None and is_paused(
        paused=resident.paused, paused_until=resident.paused_until, now=unit.now
    ):
        return _paused(unit, resident.paused_until)
    return Reply(t(unit.language, "pause.ask"), pause_keyboard(unit.language))


def pause(unit: Unit, choice: str) -> Reply:
    """Pause for the chosen length (the codec lets only PauseLength values through)."""
    until = pause_end(PauseLength(choice), unit.now)
    # Pausing is the person's own wish, made now: recorded even for someone with no row yet.
    pausing.pause(unit.session, resident=unit.ensure_resident(), until=until, now=unit.now)
    return _paused(unit, until)


def resume(unit: Unit) -> Reply:
    pausing.resume(unit.session, resident=unit.ensure_resident(), now=unit.now)
    return Reply(t(unit.language, "pause.resumed"))


# --- /stop -----------------------------------------------------------------------------------


def stop(unit: Unit) -> Reply:
    """Stop every message at once, say goodbye, and offer to delete everything."""
    unit.clear_dialog()
    language = unit.language
    text = t(language, "stop.goodbye")
    if unit.resident is not None:
        pausing.leave(unit.session, resident=unit.resident, now=unit.now)
        if leave_activities(unit, unit.resident):
            text += "\n\n" + t(language, "stop.places_given_up")
    return Reply(text, delete_everything_keyboard(language))


# --- blocking --------------------------------------------------------------------------------


Kind = Literal["p", "i"]


def _block_target(unit: Unit, kind: Kind, ref_id: int) -> tuple[Resident, Resident] | Reply:
    target = moderation.block_target(
        unit.session, telegram_user_id=_caller_id(unit), kind=kind, ref_id=ref_id
    )
    if isinstance(target, moderation.Refusal):
        return Reply(t(unit.language, BLOCK_REFUSALS[target]), show=Show.POPUP)
    return target


def ask_block(unit: Unit, kind: Kind, ref_id: int) -> Reply:
    """ "Block <name>?" with yes/no buttons, or why that is not possible. `kind` "p": the author
    of a post, "i": whoever an invitation on the presser's own post went to."""
    target = _block_target(unit, kind, ref_id)
    if isinstance(target, Reply):
        return target
    language = unit.language
    buttons = keyboard(
        [
            Button(t(language, "block.button.yes"), callbacks.BLOCK_CONFIRM(kind, ref_id)),
            Button(t(language, "block.button.no"), callbacks.BLOCK_CANCEL()),
        ]
    )
    name = first_name(language, target[1].first_name)
    return Reply(t(language, "block.ask", name=name), buttons, Show.MESSAGE)


def block(unit: Unit, kind: Kind, ref_id: int) -> Reply:
    """The block itself, after the confirmation; it ends whatever runs between the two."""
    target = _block_target(unit, kind, ref_id)
    if isinstance(target, Reply):
        return target
    presser, other = target
    assert presser.id is not None
    assert other.id is not None
    moderation.add_block(unit.session, blocker_id=presser.id, blocked_id=other.id, now=unit.now)
    return Reply(t(unit.language, "block.done", name=first_name(unit.language, other.first_name)))


def cancel_block(unit: Unit) -> Reply:
    return Reply(t(unit.language, "block.cancelled"))


def how_to_block(unit: Unit, command: str) -> Reply:
    """/blokkeer not as a reply to a message with a block button. The text names the command
    as the person typed it (/block works as well as /blokkeer, whatever their language)."""
    unit.clear_dialog()
    return Reply(t(unit.language, "block.how", command=command))


def block_command(unit: Unit, kind: Kind, ref_id: int) -> Reply:
    """/blokkeer as a reply to a message with a block button: the same question."""
    unit.clear_dialog()
    return ask_block(unit, kind, ref_id)


# --- reporting -------------------------------------------------------------------------------


def _reportable(unit: Unit, post_id: int) -> tuple[Resident, Post] | Reply:
    found = moderation.reportable_post(
        unit.session, telegram_user_id=_caller_id(unit), post_id=post_id
    )
    if isinstance(found, moderation.Refusal):
        return Reply(t(unit.language, REPORT_REFUSALS[found]), show=Show.POPUP)
    return found


def _cancel_report_button(language: str) -> Button:
    return Button(t(language, "report.button.cancel"), callbacks.REPORT_CANCEL())


def ask_report(unit: Unit, post_id: int, named: bool = False, show: Show = Show.MESSAGE) -> Reply:
    """Which reason, with the post quoted; or why it cannot be reported. The reporter stays
    anonymous to the buurtwerkers unless they press "Mijn naam mag erbij" (`named`)."""
    found = _reportable(unit, post_id)
    if isinstance(found, Reply):
        return found
    reporter, post = found
    assert reporter.id is not None
    language = unit.language
    if moderation.report_by(unit.session, reporter_id=reporter.id, post_id=post_id):
        return Reply(t(language, "report.already"), show=Show.POPUP)
    reason_action = callbacks.REPORT_REASON_NAMED if named else callbacks.REPORT_REASON
    reasons = [
        Button(t(language, key), reason_action(post_id, reason)) for reason, key in REASON_BUTTONS
    ]
    mark = ("", "✓ ") if named else ("✓ ", "")
    who = [
        Button(
            mark[0] + t(language, "report.button.anonymous"), callbacks.REPORT_NAMED(post_id, "n")
        ),
        Button(mark[1] + t(language, "report.button.named"), callbacks.REPORT_NAMED(post_id, "y")),
    ]
    buttons = keyboard(reasons[:2], reasons[2:], who, [_cancel_report_button(language)])
    quote = shortened(post.text, QUOTE_LENGTH)
    text = (
        t(language, "report.ask", quote=quote)
        + "\n"
        + t(language, "report.named" if named else "report.anonymous")
    )
    return Reply(text, buttons, show)


def report_named(unit: Unit, post_id: int, choice: str) -> Reply:
    """ "Mijn naam mag erbij" / "Anoniem": the same question, with the choice marked."""
    return ask_report(unit, post_id, named=choice == "y", show=Show.EDIT)


def report_command(unit: Unit, post_id: int) -> Reply:
    """/meld as a reply to a message with a report button: the same question."""
    unit.clear_dialog()
    return ask_report(unit, post_id)


def how_to_report(unit: Unit, command: str) -> Reply:
    """/meld not as a reply to a message that can be reported; `command` as typed."""
    unit.clear_dialog()
    return Reply(t(unit.language, "report.how", command=command))


def report_reason(unit: Unit, post_id: int, reason: str, named: bool = False) -> Reply:
    """A reason button: "other" waits for the reporter's own words, a known one files it."""
    if reason == OTHER_REASON:
        return _ask_own_words(unit, post_id, named)
    if reason not in moderation.REPORT_REASONS:
        return _stale(unit)
    return report_without_words(unit, post_id, reason, named)


def _ask_own_words(unit: Unit, post_id: int, named: bool) -> Reply:
    found = _reportable(unit, post_id)
    if isinstance(found, Reply):
        return found
    unit.set_dialog(REPORT_FLOW, REPORT_STEP, dialogs.ReportRef(post_id=post_id, named=named))
    language = unit.language
    without = (
        callbacks.REPORT_WITHOUT_REASON_NAMED(post_id)
        if named
        else callbacks.REPORT_WITHOUT_REASON(post_id)
    )
    buttons = keyboard(
        [
            Button(t(language, "report.button.no_reason"), without),
            _cancel_report_button(language),
        ]
    )
    return Reply(t(language, "report.own_words"), buttons)


def report_without_words(unit: Unit, post_id: int, reason: str = "", named: bool = False) -> Reply:
    """File the report with a reason code (or none), and thank the reporter."""
    _drop_report_dialog(unit)
    return _file(unit, post_id, reason, named)


def report_in_own_words(
    unit: Unit, state: dialogs.DialogState[dialogs.ReportRef], incoming: Incoming
) -> Reply:
    """The reason typed after "something else" (the router calls this in the report dialog)."""
    unit.clear_dialog()
    return _file(unit, state.data.post_id, incoming.text or "", state.data.named)


def _file(unit: Unit, post_id: int, reason: str, named: bool = False) -> Reply:
    found = _reportable(unit, post_id)
    if isinstance(found, Reply):
        return found
    reporter, post = found
    assert reporter.id is not None
    assert post.id is not None
    earlier = moderation.report_by(unit.session, reporter_id=reporter.id, post_id=post.id)
    report = moderation.report_post(
        unit.session, reporter=reporter, post=post, reason=reason, now=unit.now, named=named
    )
    if earlier is None:
        reports.send_report(unit, report)
    if reports.has_buurtwerker(unit, post.wijk_id):
        return Reply(t(unit.language, "report.thanks"))
    return Reply(t(unit.language, "report.thanks_kept"))


def cancel_report(unit: Unit) -> Reply:
    _drop_report_dialog(unit)
    return Reply(t(unit.language, "report.cancelled"))


def _drop_report_dialog(unit: Unit) -> None:
    """Only the report dialog: a press on an old report question leaves any other one alone."""
    if unit.dialog is not None and unit.dialog.flow == REPORT_FLOW:
        unit.clear_dialog()


# --- reporting a relayed line ------------------------------------------------------------------
# /meld as a reply to a line the bot passed on from the other person in a conversation (the
# relay has no buttons per line: a button under every line would make the chat noisy, and the
# relay's opening message says how). The line is found again in the outbox by its message id in
# the reporter's chat, on every step: nothing about it is taken from a button.

NO_REASON: Final = "none"
TAGS: Final = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    """A relayed line's text as the reporter saw it (the outbox keeps it as HTML)."""
    return html.unescape(TAGS.sub("", text))


def _reportable_line(unit: Unit, message_id: int) -> tuple[Resident, Match, Resident, str] | None:
    """(reporter, the conversation, the line's sender, the line) when the caller may report
    this line: it was relayed to them, in a conversation of theirs, by the other person."""
    reporter, caller = unit.resident, unit.caller
    if reporter is None or reporter.id is None or caller is None:
        return None
    line = outbox.relayed_line(unit.session, chat_id=caller.chat_id, message_id=message_id)
    if line is None:
        return None
    match = matchmaking.match_of(unit.session, match_id=line.match_id, resident_id=reporter.id)
    author = unit.session.get(Resident, line.sender_id)
    if (
        match is None
        or author is None
        or author.id == reporter.id
        or author.id not in (match.asker_id, match.helper_id)
    ):
        return None
    return reporter, match, author, _plain(line.text)


def report_line_command(unit: Unit, message_id: int, command: str) -> Reply:
    """/meld as a reply to one of the bot's messages without a report button: a relayed line
    is reported; anything else gets the explanation (naming `command` as typed)."""
    unit.clear_dialog()
    if _reportable_line(unit, message_id) is None:
        return Reply(t(unit.language, "report.how", command=command))
    return ask_report_line(unit, message_id)


def ask_report_line(
    unit: Unit, message_id: int, named: bool = False, show: Show = Show.MESSAGE
) -> Reply:
    """Which reason, with the line quoted; anonymous unless "Mijn naam mag erbij"."""
    found = _reportable_line(unit, message_id)
    if found is None:
        return Reply(t(unit.language, "report.unavailable"), show=Show.POPUP)
    reporter, _, author, quote = found
    assert reporter.id is not None
    language = unit.language
    if moderation.report_of_line(unit.session, reporter_id=reporter.id, message_id=message_id):
        return Reply(t(language, "report.already"), show=Show.POPUP)
    yes_no = "y" if named else "n"
    reasons = [
        Button(t(language, key), callbacks.REPORT_LINE(message_id, reason, yes_no))
        for reason, key in REASON_BUTTONS
        if reason != OTHER_REASON
    ]
    without = Button(
        t(language, "report.button.no_reason"),
        callbacks.REPORT_LINE(message_id, NO_REASON, yes_no),
    )
    mark = ("", "✓ ") if named else ("✓ ", "")
    who = [
        Button(
            mark[0] + t(language, "report.button.anonymous"),
            callbacks.REPORT_LINE_NAMED(message_id, "n"),
        ),
        Button(
            mark[1] + t(language, "report.button.named"),
            callbacks.REPORT_LINE_NAMED(message_id, "y"),
        ),
    ]
    buttons = keyboard(reasons[:2], [reasons[2], without], who, [_cancel_report_button(language)])
    text = (
        t(
            language,
            "report.ask_line",
            name=first_name(language, author.first_name),
            quote=shortened(quote, QUOTE_LENGTH),
        )
        + "\n"
        + t(language, "report.named" if named else "report.anonymous")
    )
    return Reply(text, buttons, show)


def report_line_named(unit: Unit, message_id: int, choice: str) -> Reply:
    return ask_report_line(unit, message_id, named=choice == "y", show=Show.EDIT)


def report_line(unit: Unit, message_id: int, reason: str, choice: str) -> Reply:
    """A reason button under the question: the report reaches the wijk's buurtwerkers (team
    chat or privately) quoting the line, with warn, suspend and dismiss."""
    if reason != NO_REASON and reason not in moderation.REPORT_REASONS:
        return _stale(unit)
    found = _reportable_line(unit, message_id)
    if found is None:
        return Reply(t(unit.language, "report.unavailable"), show=Show.POPUP)
    reporter, match, author, quote = found
    assert match.id is not None
    post = unit.session.get(Post, match.post_id)
    wijk_id = reporter.wijk_id if post is None else post.wijk_id
    report, new = moderation.report_relayed_line(
        unit.session,
        reporter=reporter,
        author=author,
        wijk_id=wijk_id,
        match_id=match.id,
        message_id=message_id,
        quote=shortened(quote, reports.QUOTE_LENGTH),
        reason="" if reason == NO_REASON else reason,
        named=choice == "y",
        now=unit.now,
    )
    if not new:
        return Reply(t(unit.language, "report.already"), show=Show.POPUP)
    reports.send_report(unit, report, first_name(unit.language, author.first_name))
    if reports.has_buurtwerker(unit, wijk_id):
        return Reply(t(unit.language, "report.thanks"))
    return Reply(t(unit.language, "report.thanks_kept"))
