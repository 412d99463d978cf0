"""/vraag and /aanbod: a request or an offer in one's own words, placed in the wijk.

Dialog flow "post" (typed data: dialogs.PostDraft), one step at a time:
  text      waiting for the words ("Wie kan zaterdag mijn boodschappen doen?")
  category  the category read from the words: yes, or pick another
  time      the time read from the words (if any): yes, or pick a preset
  preview   the post as neighbours will see it: "Plaatsen", or change category or time
Typing new words at any step starts again from them. The buttons of one message (the draft's
message_id) drive the flow; presses on any other message are stale.

Also what looking around (/buurt) and one's own posts (/mijn) share with posting: the check
that someone belongs to a wijk, the words of a post, and the shapes of what to show.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from sqlmodel import Session

from bot import callbacks
from bot.callbacks import Press
from bot.i18n import Html, t
from bot.post_views import (
    category_in_sentence,
    category_name,
    describe_window,
    known_category,
    post_summary,
    proxy_for_text,
    shortened,
    summary,
)
from bot.services import onboarding, request_steps
from bot.services.buurtwerk import suspension_notice
from bot.services.dialogs import DialogState, PostDraft
from bot.services.markup import Button, Screen, keyboard
from bot.services.unit import Unit
from matching.categories import CATEGORY_KEYS, rank_categories, suggest_category
from matching.engine import OfferInfo
from matching.posting_rules import (
    MAX_OPEN_POSTS,
    MAX_TEXT_LENGTH,
    Hold,
    clean_text,
    flood_window_start,
    has_content,
    is_too_long,
    posting_hold,
)
from matching.time_presets import TimePreset, preset_window
from matching.timewindow import parse_time_window
from storage import candidates, matchmaking, posts, repo
from storage.models import Post, PostKind, Resident, RoleKind

FLOW: Final = "post"
STEP_TEXT: Final = "text"
STEP_CATEGORY: Final = "category"
STEP_TIME: Final = "time"
STEP_PREVIEW: Final = "preview"

KEEP_READ_TIME: Final = "ok"
CHOICES_SHOWN: Final = 3
# Open requests an offer fits, shown right after it is placed (one message, a button each),
# out of the best few read: some of those may be hidden from /buurt (another wijk, a paused
# author) and must not crowd out visible ones.
FITTING_REQUESTS_SHOWN: Final = 3
FITTING_REQUESTS_READ: Final = 20
ALL_CATEGORY_COLUMNS: Final = 2

PRESET_LABELS = {
    TimePreset.TODAY: "posting.time.today",
    TimePreset.TOMORROW: "posting.time.tomorrow",
    TimePreset.WEEK: "posting.time.week",
    TimePreset.ANY_TIME: "posting.time.any",
}
PROMPTS = {
    PostKind.REQUEST: "posting.prompt_request",
    PostKind.OFFER: "posting.prompt_offer",
}
WHAT_PROMPTS = {
    PostKind.REQUEST: "posting.what_request",
    PostKind.OFFER: "posting.what_offer",
}
POSTED = {
    PostKind.REQUEST: "posting.posted_request",
    PostKind.OFFER: "posting.posted_offer",
}
# action -> the steps in which its buttons are shown
STEPS_OF: Final[dict[callbacks.Action, frozenset[str]]] = {
    callbacks.DRAFT_CATEGORY: frozenset({STEP_CATEGORY}),
    callbacks.DRAFT_SOME_CATEGORIES: frozenset({STEP_CATEGORY, STEP_PREVIEW}),
    callbacks.DRAFT_ALL_CATEGORIES: frozenset({STEP_CATEGORY, STEP_PREVIEW}),
    callbacks.DRAFT_TIME: frozenset({STEP_TIME}),
    callbacks.DRAFT_CHANGE_TIME: frozenset({STEP_PREVIEW}),
    callbacks.DRAFT_PLACE: frozenset({STEP_PREVIEW}),
    callbacks.DRAFT_CONTACT: frozenset({STEP_PREVIEW}),
    callbacks.DRAFT_STOP: frozenset({STEP_CATEGORY, STEP_TIME, STEP_PREVIEW}),
}

Window = tuple[datetime, datetime]


# --- what the handlers show -----------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What a press leads to: a notice on the button (an alert if `alert`), the pressed
    message turned into `screen`, and/or a new `message` below it."""

    notice: str | None = None
    alert: bool = False
    screen: Screen | None = None
    message: Screen | None = None


@dataclass(frozen=True)
class Placing(Answer):
    """A draft press; `placed` is the request just placed, whose search starts now."""

    placed: Post | None = None


def stale_text(unit: Unit) -> str:
    """For a press that no longer (or never did) make sense; nothing changes."""
    return t(unit.language, "error.stale_button")


# --- shared with /buurt and /mijn --------------------------------------------------------------


def settled(unit: Unit) -> Resident | None:
    """The caller if they belong to a wijk (and did not leave)."""
    resident = unit.resident
    if resident is None or resident.wijk_id is None or resident.stopped:
        return None
    return resident


def not_settled_text(unit: Unit) -> str:
    """Where someone without a wijk (or back after /stop) can go on."""
    if unit.resident is not None and unit.resident.stopped:
        return t(unit.language, "posting.stopped")
    if unit.dialog_at_start == onboarding.FLOW:
        # Onboarding's own question is right above: not off to /instellingen.
        return t(unit.language, "posting.no_wijk_yet")
    return t(unit.language, "posting.no_wijk")


def usable_words(unit: Unit, text: str | None) -> str | Screen:
    """A dialog's typed words, cleaned up, or the screen that says why they cannot be used:
    the person has no wijk (any more), which ends the dialog, or the words are empty or too
    long, which keeps it (a shorter version simply goes on)."""
    if settled(unit) is None:
        unit.clear_dialog()
        return Screen(not_settled_text(unit))
    words = clean_text(text or "")
    problem = words_problem(unit.language, words)
    return words if problem is None else Screen(problem)


def words_problem(language: str, text: str) -> str | None:
    """Why cleaned-up words cannot be a post (empty, too long), or None when they can."""
    if not text:
        return t(language, "posting.empty")
    if is_too_long(text):
        return t(language, "posting.too_long", length=len(text), limit=MAX_TEXT_LENGTH)
    return None


def hold_for(session: Session, resident: Resident, now: datetime) -> Hold | None:
    """Whether the resident must wait before placing another post (limits in posting_rules)."""
    assert resident.id is not None
    return posting_hold(
        open_posts=posts.count_open_posts(session, resident_id=resident.id),
        recent_posts=posts.count_posts_since(
            session, resident_id=resident.id, since=flood_window_start(now)
        ),
    )


def hold_text(language: str, hold: Hold) -> str:
    if hold is Hold.TOO_MANY_OPEN:
        return t(language, "posting.hold.too_many_open", count=MAX_OPEN_POSTS)
    return t(language, "posting.hold.too_fast")


# --- starting -------------------------------------------------------------------------------


def start_draft(unit: Unit, kind: PostKind) -> Screen:
    """Ask for a request or offer in the person's own words (if they may post now)."""
    resident = settled(unit)
    if resident is None:
        caller = unit.resident
        if caller is None and repo.list_wijken(unit.session):
            # Never ran /start: the same way, with a row made now (as /start would).
            caller = unit.ensure_resident()
        if caller is not None and not caller.stopped:
            # No wijk yet: ask for it first, then go on with this request or offer.
            question = onboarding.ask_wijk_first(unit, caller, then=kind.value)
            if question is not None:
                text, rows = question
                first = t(unit.language, "posting.wijk_first")
                return Screen(f"{first}\n\n{text}", rows, remember=onboarding.FLOW)
        return Screen(not_settled_text(unit))
    unit.clear_dialog()  # a command replaces whatever dialog was going on
    suspended = suspension_notice(unit, resident)
    if suspended is not None:
        return Screen(suspended)
    hold = hold_for(unit.session, resident, unit.now)
    if hold is not None:
        return Screen(hold_text(unit.language, hold))
    unit.set_dialog(FLOW, STEP_TEXT, PostDraft(kind=kind))
    return Screen(t(unit.language, PROMPTS[kind]))


# --- the words ------------------------------------------------------------------------------


def words_received(unit: Unit, state: DialogState[PostDraft], text: str | None) -> Screen:
    """Read a category and a time from the words and propose them, one at a time."""
    words = usable_words(unit, text)
    if isinstance(words, Screen):
        return words
    language = unit.language
    read = parse_time_window(words, _local_now(unit), language)
    guess = suggest_category(words)
    kind = state.data.kind
    if not state.data.asked_what and not has_content(
        words, category_found=guess is not None, time_found=read is not None
    ):
        # One friendly question; whatever comes next is taken as meant.
        again = PostDraft(
            kind=kind,
            asked_what=True,
            proxy_for=state.data.proxy_for,
            area_cell=state.data.area_cell,
        )
        unit.set_dialog(FLOW, STEP_TEXT, again)
        return Screen(t(language, WHAT_PROMPTS[kind]))
    draft = PostDraft(
        kind=state.data.kind,
        text=words,
        category=guess.key if guess else None,
        read_time=None if read is None else (read.start, read.end),
        proxy_for=state.data.proxy_for,
        area_cell=state.data.area_cell,
    )
    unit.set_dialog(FLOW, STEP_CATEGORY, draft)
    if guess is None:
        return replace(_category_choices(language, draft, everything=True), remember=FLOW)
    question = t(
        language, "posting.category_question", category=category_in_sentence(language, guess.key)
    )
    buttons = keyboard(
        [Button(t(language, "posting.button.yes"), callbacks.DRAFT_CATEGORY(guess.key))],
        [Button(t(language, "posting.button.other_category"), callbacks.DRAFT_SOME_CATEGORIES())],
    )
    return Screen(question, buttons, remember=FLOW)


# --- the buttons ----------------------------------------------------------------------------


def press_draft(unit: Unit, press: Press, message_id: int | None) -> Placing:
    """A button of the draft: checked against the stored draft, then acted on."""
    state = unit.state(FLOW)
    caller = unit.caller
    if (
        state is None
        or caller is None
        or caller.chat_id != caller.user_id
        or state.step not in STEPS_OF.get(press.action, frozenset())
        or message_id is None
        or not isinstance(state.data, PostDraft)
        or state.data.message_id != message_id
    ):
        return Placing(notice=stale_text(unit))
    draft = state.data
    action = press.action
    if action is callbacks.DRAFT_CATEGORY:
        return _category_chosen(unit, draft, press.text())
    if action is callbacks.DRAFT_SOME_CATEGORIES or action is callbacks.DRAFT_ALL_CATEGORIES:
        everything = action is callbacks.DRAFT_ALL_CATEGORIES
        return _switch(
            unit,
            draft,
            STEP_CATEGORY,
            _category_choices(unit.language, draft, everything=everything),
        )
    if action is callbacks.DRAFT_TIME:
        return _time_chosen(unit, draft, press.text())
    if action is callbacks.DRAFT_CHANGE_TIME:
        return _show(unit, draft, STEP_TIME)
    if action is callbacks.DRAFT_PLACE:
        return _place(unit, draft)
    if action is callbacks.DRAFT_CONTACT:
        toggled = draft.model_copy(update={"contact_ok": not draft.contact_ok})
        return _show(unit, toggled, STEP_PREVIEW)
    unit.clear_dialog()
    return Placing(screen=Screen(t(unit.language, "posting.stopped_draft")))


def _category_chosen(unit: Unit, draft: PostDraft, key: str) -> Placing:
    if key not in CATEGORY_KEYS:
        return Placing(notice=stale_text(unit))
    draft = draft.model_copy(update={"category": key})
    # Time already settled: back to the preview.
    return _show(unit, draft, STEP_PREVIEW if draft.window_chosen else STEP_TIME)


def _time_chosen(unit: Unit, draft: PostDraft, preset: str) -> Placing:
    window: Window | None
    if preset == KEEP_READ_TIME:
        window = draft.read_time
        if window is None:
            return Placing(notice=stale_text(unit))
    else:
        try:
            chosen = TimePreset(preset)
        except ValueError:
            return Placing(notice=stale_text(unit))
        picked = preset_window(chosen, _local_now(unit))
        window = None if picked is None else (picked.start, picked.end)
    draft = draft.model_copy(update={"window": window, "window_chosen": True})
    return _show(unit, draft, STEP_PREVIEW)


def _place(unit: Unit, draft: PostDraft) -> Placing:
    """Place the post if the person may post now; the draft is claimed, so it is placed once.
    A request's flow starts in the same transaction."""
    language, now = unit.language, unit.now
    text = clean_text(draft.text or "")
    if not text or is_too_long(text):
        return Placing(notice=stale_text(unit))
    window = draft.window
    if window is not None and window[1] <= now:
        # The draft waited past its own moment ("vandaag", placed after midnight): ask again
        # rather than post something nobody can see any more.
        shown = _show(unit, draft.model_copy(update={"read_time": None}), STEP_TIME)
        return Placing(notice=t(language, "posting.time_passed"), alert=True, screen=shown.screen)
    resident = settled(unit)
    caller = unit.caller
    if resident is None or caller is None:
        return Placing(notice=stale_text(unit))
    suspended = suspension_notice(unit, resident)
    if suspended is not None:
        return Placing(notice=suspended, alert=True)
    hold = hold_for(unit.session, resident, now)
    if hold is not None:
        # The draft stays, so "Plaatsen" works once there is room again.
        return Placing(notice=hold_text(language, hold), alert=True)
    if not posts.take_chat_state(
        unit.session, chat_id=caller.chat_id, flow=FLOW, step=STEP_PREVIEW
    ):
        return Placing(notice=stale_text(unit))  # placed by an earlier tap
    unit.dialog = None  # the claim removed the draft
    placed = posts.create_post(
        unit.session,
        resident=resident,
        kind=draft.kind,
        category=known_category(draft.category),
        text=text,
        window_start=None if window is None else window[0],
        window_end=None if window is None else window[1],
        now=now,
        contact_ok=draft.contact_ok and _contact_offered(unit, draft),
        proxy_for=draft.proxy_for,
        area_cell=draft.area_cell if draft.proxy_for else None,
    )
    if draft.kind is PostKind.REQUEST:
        matchmaking.start_flow(unit.session, post=placed, now=now)
        assert placed.id is not None
        # The first neighbours are invited in the same unit of work: delivered right after
        # "Je vraag is geplaatst!" is shown.
        request_steps.step_now(unit, placed.id)
    zone = unit.settings.tz
    block = post_summary(language, placed, now=now.astimezone(zone), zone=zone)
    block = with_for_whom(language, block, placed.proxy_for)
    posted = Screen(t(language, POSTED[draft.kind], summary=block))
    if draft.kind is PostKind.OFFER:
        return Placing(screen=posted, message=_fitting_requests(unit, resident, placed))
    return Placing(screen=posted, placed=placed)


def _fitting_requests(unit: Unit, resident: Resident, offer: Post) -> Screen | None:
    """Right after an offer is placed: the few open requests in the wijk that it fits best, if
    any, each opening as in /buurt (with "Ik kan helpen" there). Only shown, nothing is sent to
    anyone; the same checks as /buurt decide what may be seen."""
    assert offer.id is not None
    assert resident.id is not None
    info = OfferInfo(
        post_id=offer.id,
        offerer_id=resident.id,
        wijk_id=offer.wijk_id,
        area_cell=offer.area_cell,
        category=offer.category,
        text=offer.text,
    )
    language = unit.language
    lines = [t(language, "posting.fits.title")]
    rows: list[list[Button]] = []
    fitting = candidates.requests_matching_offer(
        unit.session, offer=info, now=unit.now, limit=FITTING_REQUESTS_READ
    )
    for request in fitting:
        found = posts.visible_post(
            unit.session, viewer=resident, post_id=request.post_id, now=unit.now
        )
        if found is None:
            continue
        post, _author = found
        assert post.id is not None
        number, category = len(rows) + 1, category_name(language, post.category)
        lines.append(
            t(
                language,
                "posting.fits.line",
                number=number,
                category=category,
                text=shortened(post.text),
            )
        )
        label = t(language, "browse.button.open", number=number, category=category)
        rows.append([Button(label, callbacks.BROWSE_SHOW(post.id, 1))])
        if len(rows) == FITTING_REQUESTS_SHOWN:
            break
    return Screen("\n".join(lines), keyboard(*rows)) if rows else None


# --- screens --------------------------------------------------------------------------------


def _show(unit: Unit, draft: PostDraft, step: str) -> Placing:
    """The time question or the preview, with the draft remembered at that step."""
    screen = _time_screen(unit, draft) if step == STEP_TIME else _preview(unit, draft)
    return _switch(unit, draft, step, screen)


def _switch(unit: Unit, draft: PostDraft, step: str, screen: Screen) -> Placing:
    unit.set_dialog(FLOW, step, draft)
    return Placing(screen=screen)


def _time_screen(unit: Unit, draft: PostDraft) -> Screen:
    language, zone = unit.language, unit.settings.tz
    presets = (
        (
            _preset_button(language, TimePreset.TODAY),
            _preset_button(language, TimePreset.TOMORROW),
        ),
        (_preset_button(language, TimePreset.WEEK), _preset_button(language, TimePreset.ANY_TIME)),
    )
    read = draft.read_time
    if read is None:
        return Screen(t(language, "posting.time_choose"), presets)
    when = describe_window(language, read[0], read[1], now=_local_now(unit), zone=zone)
    keep = Button(t(language, "posting.button.yes"), callbacks.DRAFT_TIME(KEEP_READ_TIME))
    return Screen(t(language, "posting.time_question", when=when), ((keep,), *presets))


def _preview(unit: Unit, draft: PostDraft) -> Screen:
    language = unit.language
    window = draft.window
    block = summary(
        language,
        kind=draft.kind.value,
        category=known_category(draft.category),
        text=draft.text or "",
        start=None if window is None else window[0],
        end=None if window is None else window[1],
        now=_local_now(unit),
        zone=unit.settings.tz,
    )
    buttons = keyboard(
        [Button(t(language, "posting.button.place"), callbacks.DRAFT_PLACE())],
        [
            Button(
                t(language, "posting.button.change_category"), callbacks.DRAFT_SOME_CATEGORIES()
            ),
            Button(t(language, "posting.button.change_time"), callbacks.DRAFT_CHANGE_TIME()),
        ],
        [Button(t(language, "posting.button.stop"), callbacks.DRAFT_STOP())],
    )
    if _contact_offered(unit, draft):
        key = "buurtwerk.contact.on" if draft.contact_ok else "buurtwerk.contact.off"
        contact = (Button(t(language, key), callbacks.DRAFT_CONTACT()),)
        buttons = (*buttons[:-1], contact, buttons[-1])
    block = with_for_whom(language, block, draft.proxy_for)
    return Screen(t(language, "posting.preview", summary=block), buttons)


def with_for_whom(language: str, block: Html, proxy_for: str | None) -> Html:
    """A post's summary, with "Voor: Kees (niet op Telegram)" under it for a /namens request
    (the proxy's own views: preview, confirmation, /mijn)."""
    if not proxy_for:
        return block
    return Html(block + "\n" + t(language, "proxy.for", who=proxy_for_text(language, proxy_for)))


def _contact_offered(unit: Unit, draft: PostDraft) -> bool:
    """The choice "een buurtwerker mag contact met me opnemen": for requests, and only where
    the wijk has a buurtwerker who could. Not for a /namens request: the one it is for is not
    on Telegram, so no buurtwerker could contact them through this, and the proxy (often a
    buurtwerker themselves) cannot give that consent for them; the proxy hears what happens to
    the request anyway."""
    resident = unit.resident
    return (
        draft.kind is PostKind.REQUEST
        and not draft.proxy_for
        and resident is not None
        and repo.wijk_has_role(unit.session, wijk_id=resident.wijk_id, kind=RoleKind.BUURTWERKER)
    )


def _category_choices(language: str, draft: PostDraft, *, everything: bool) -> Screen:
    """The categories to pick from: the few that fit the words best, or all of them."""
    ranked = [guess.key for guess in rank_categories(draft.text or "", CHOICES_SHOWN)]
    every = everything or not ranked
    keys = list(CATEGORY_KEYS) if every else ranked

    def choice(key: str) -> Button:
        mark = "✓ " if key == draft.category else ""
        return Button(f"{mark}{category_name(language, key)}", callbacks.DRAFT_CATEGORY(key))

    if every:
        rows = [
            [choice(key) for key in keys[start : start + ALL_CATEGORY_COLUMNS]]
            for start in range(0, len(keys), ALL_CATEGORY_COLUMNS)
        ]
    else:
        rows = [[choice(key)] for key in keys]
        rows.append(
            [
                Button(
                    t(language, "posting.button.all_categories"), callbacks.DRAFT_ALL_CATEGORIES()
                )
            ]
        )
    return Screen(t(language, "posting.category_choose"), keyboard(*rows))


def _preset_button(language: str, preset: TimePreset) -> Button:
    return Button(t(language, PRESET_LABELS[preset]), callbacks.DRAFT_TIME(preset.value))


def _local_now(unit: Unit) -> datetime:
    return unit.now.astimezone(unit.settings.tz)
