"""/namens: a request for someone who is not on Telegram, placed by a proxy.

A buurtwerker of the proxy's wijk (the role read from the database now), or a resident whose
neighbour agreed (they press "Ja, mijn buur vindt het goed" first), asks for someone described
only by a first name or "een buurvrouw/buurman". The request then goes through the normal
posting flow (bot/services/posting.py: words, category, time) with `proxy_for` set; its area
is a spot the proxy chooses on the map or their own, and it counts against the proxy's
posting limits (it is the proxy's post).
Matching runs as usual; the invitation says for whom ("Fatima vraagt dit voor Kees"), and the
helper is connected to the proxy, who handles the follow-up.

After the first time it worked (the proxy's "het is gelukt"), both are asked whether the
helper and the neighbour would like to arrange the next time themselves. Both answers are
kept (storage.models.ProxyStepBack). If both say yes, both are told; the neighbour is not on
Telegram, so the proxy gets a button to pass the helper, once, how to reach the neighbour
(the bot forwards what the proxy types; it does not store it).

Dialog flow "proxy" (typed data: dialogs.ProxyData): step "agree" waits for the neighbour's
consent, step "area" for a spot on the map (a location sent with Telegram's 📎 → Locatie, the
pin moved to where the neighbour lives; kept only as the coarse cell a resident's area is) or
"Mijn eigen plek", step "contact" for how the helper can reach the neighbour.
"""

from __future__ import annotations

from typing import Final

from sqlmodel import select

from bot import callbacks
from bot.i18n import Html, t
from bot.post_views import first_name, proxy_for_text
from bot.services import posting
from bot.services.buurtwerk import suspension_notice
from bot.services.dialogs import DialogState, PostDraft, ProxyData
from bot.services.markup import Button, Keyboard, Screen, keyboard
from bot.services.match_support import Pair, Pressed, presser, stale
from bot.services.posting import Answer
from bot.services.unit import Incoming, Unit
from matching.area import area_cell
from storage import matchmaking as store
from storage import repo
from storage.models import Match, Post, PostKind, ProxyStepBack, Resident, RoleKind

FLOW: Final = "proxy"
STEP_AGREE: Final = "agree"
STEP_CONTACT: Final = "contact"
STEP_AREA: Final = "area"
NAME_LENGTH: Final = 32
CONTACT_LENGTH: Final = 300
YES: Final = "y"
NO: Final = "n"

# What people may type for "een buurvrouw/buurman" (nl and en).
NEIGHBOUR_ALIASES: Final = {
    "buurvrouw": "buurvrouw",
    "buurman": "buurman",
    "neighbour": "buurman",
    "neighbor": "buurman",
}


def described(args: list[str]) -> str | None:
    """Who the request is for: "buurvrouw"/"buurman", or one first name (letters only, so no
    phone number or address slips in), or None when that cannot be read from the words."""
    words = [word.strip(",.!?") for word in args]
    words = [word for word in words if word and word.lower() not in ("een", "mijn", "a", "my")]
    if not words:
        return None
    for word in words:
        alias = NEIGHBOUR_ALIASES.get(word.lower())
        if alias is not None:
            return alias
    name = words[0]
    if not name.replace("-", "").replace("'", "").isalpha() or len(name) > NAME_LENGTH:
        return None
    return name[:1].upper() + name[1:]


def _who(language: str, proxy_for: str) -> str:
    return proxy_for_text(language, proxy_for)


def _may_start(unit: Unit) -> Resident | Screen:
    """The caller, if they may place a request now (a wijk, not suspended, within limits)."""
    resident = posting.settled(unit)
    if resident is None:
        return Screen(posting.not_settled_text(unit))
    suspended = suspension_notice(unit, resident)
    if suspended is not None:
        return Screen(suspended)
    hold = posting.hold_for(unit.session, resident, unit.now)
    if hold is not None:
        return Screen(posting.hold_text(unit.language, hold))
    return resident


def is_buurtwerker(unit: Unit, resident: Resident) -> bool:
    """A buurtwerker of the resident's own wijk, read from the database now."""
    return repo.has_role(
        unit.session,
        telegram_user_id=resident.telegram_user_id,
        kind=RoleKind.BUURTWERKER,
        wijk_id=resident.wijk_id,
    )


def start(unit: Unit, args: list[str]) -> Screen:
    """/namens <voornaam | buurvrouw | buurman>."""
    found = _may_start(unit)
    if isinstance(found, Screen):
        return found
    unit.clear_dialog()  # a command replaces whatever dialog was going on
    language = unit.language
    proxy_for = described(args)
    if proxy_for is None:
        return Screen(t(language, "proxy.how"))
    if is_buurtwerker(unit, found):
        return _ask_area(unit, proxy_for)
    unit.set_dialog(FLOW, STEP_AGREE, ProxyData(proxy_for=proxy_for))
    buttons = keyboard(
        [Button(t(language, "proxy.button.agreed"), callbacks.PROXY_AGREED())],
        [Button(t(language, "proxy.button.cancel"), callbacks.PROXY_CANCEL())],
    )
    return Screen(t(language, "proxy.ask_agreed", who=_who(language, proxy_for)), buttons)


def _begin(unit: Unit, proxy_for: str, cell: str | None = None) -> Screen:
    """The normal posting flow, for someone else: first their request in a few words. When
    this neighbour agreed earlier with helpers to arrange things themselves, the proxy hears
    that those helpers are not asked again through them (request_steps leaves them out)."""
    unit.set_dialog(
        posting.FLOW,
        posting.STEP_TEXT,
        PostDraft(kind=PostKind.REQUEST, proxy_for=proxy_for, area_cell=cell),
    )
    language = unit.language
    text = t(language, "proxy.prompt", who=_who(language, proxy_for))
    names = _stepped_back_names(unit, proxy_for)
    if names:
        note = t(
            language, "proxy.themselves", names=", ".join(names), who=_who(language, proxy_for)
        )
        text = f"{note}\n\n{text}"
    return Screen(text)


def _stepped_back_names(unit: Unit, proxy_for: str) -> list[str]:
    """First names of the helpers who arrange things with this neighbour themselves."""
    resident = unit.resident
    if resident is None or resident.id is None:
        return []
    names = []
    for helper_id in store.stepped_back_helpers(
        unit.session, proxy_id=resident.id, proxy_for=proxy_for
    ):
        helper = unit.session.get(Resident, helper_id)
        if helper is not None and not helper.stopped:
            names.append(first_name(unit.language, helper.first_name))
    return names


def agreed(unit: Unit) -> Answer:
    """ "Ja, mijn buur vindt het goed": on to the request's words."""
    state = unit.state(FLOW)
    if (
        state is None
        or state.step != STEP_AGREE
        or not isinstance(state.data, ProxyData)
        or state.data.proxy_for is None
    ):
        return Answer(notice=posting.stale_text(unit))
    found = _may_start(unit)
    if isinstance(found, Screen):
        unit.clear_dialog()
        return Answer(screen=found)
    return Answer(screen=_ask_area(unit, state.data.proxy_for))


def _ask_area(unit: Unit, proxy_for: str) -> Screen:
    """Where the neighbour lives, roughly: a spot sent from the map, or the proxy's own."""
    unit.set_dialog(FLOW, STEP_AREA, ProxyData(proxy_for=proxy_for))
    language = unit.language
    own = keyboard([Button(t(language, "proxy.area.button.own"), callbacks.PROXY_OWN_AREA())])
    return Screen(t(language, "proxy.area.ask", who=_who(language, proxy_for)), own)


def _area_state(unit: Unit) -> str | None:
    """Who the request is for, while the dialog waits for the area."""
    state = unit.state(FLOW)
    if (
        state is None
        or state.step != STEP_AREA
        or not isinstance(state.data, ProxyData)
        or state.data.proxy_for is None
    ):
        return None
    return state.data.proxy_for


def own_area(unit: Unit) -> Answer:
    """ "Mijn eigen plek": the request gets the proxy's own area, as before."""
    proxy_for = _area_state(unit)
    if proxy_for is None:
        return Answer(notice=posting.stale_text(unit))
    found = _may_start(unit)
    if isinstance(found, Screen):
        unit.clear_dialog()
        return Answer(screen=found)
    return Answer(screen=_begin(unit, proxy_for))


def share_location(unit: Unit, state: DialogState[ProxyData], incoming: Incoming) -> Screen:
    """A spot sent while the area is asked: only its coarse cell is kept (the same rounding
    as a resident's area), never the point; then on to the request's words."""
    language = unit.language
    proxy_for = _area_state(unit)
    if proxy_for is None or incoming.location is None:
        return typed(unit, state, incoming)
    found = _may_start(unit)
    if isinstance(found, Screen):
        unit.clear_dialog()
        return found
    begun = _begin(unit, proxy_for, area_cell(*incoming.location))
    return Screen(t(language, "proxy.area.saved") + "\n\n" + begun.text)


def cancel(unit: Unit) -> Answer:
    if unit.dialog is not None and unit.dialog.flow == FLOW:
        unit.clear_dialog()
    return Answer(screen=Screen(t(unit.language, "proxy.cancelled")))


def typed(unit: Unit, state: DialogState[ProxyData], incoming: Incoming) -> Screen:
    """Text in the "proxy" dialog: the consent is a button; the contact is forwarded."""
    if state.step == STEP_CONTACT and state.data.match_id is not None:
        return _forward_contact(unit, state.data.match_id, incoming.text or "")
    if state.step == STEP_AREA:
        return Screen(t(unit.language, "proxy.area.use_map"))
    return Screen(t(unit.language, "proxy.press_agreed"))


# --- after it worked: would they arrange the next time themselves? ---------------------------


def _step_back_of(unit: Unit, match_id: int) -> ProxyStepBack | None:
    return unit.session.exec(
        select(ProxyStepBack).where(ProxyStepBack.match_id == match_id)
    ).first()


def _step_back_keyboard(language: str, match_id: int, *, asker: bool) -> Keyboard:
    yes = "proxy.step_back.button.yes_neighbour" if asker else "proxy.step_back.button.yes"
    return keyboard(
        [Button(t(language, yes), callbacks.STEP_BACK(match_id, YES))],
        [Button(t(language, "proxy.step_back.button.no"), callbacks.STEP_BACK(match_id, NO))],
    )


def after_worked(unit: Unit, match: Match) -> None:
    """The proxy said it worked: the first time for this match, ask both about stepping back."""
    post = unit.session.get(Post, match.post_id)
    if post is None or not post.proxy_for or match.id is None:
        return
    if _step_back_of(unit, match.id) is not None:
        return
    if match.helper_id in store.stepped_back_helpers(
        unit.session, proxy_id=match.asker_id, proxy_for=post.proxy_for
    ):
        return  # these two agreed on that already (the helper came through /buurt this time)
    unit.session.add(ProxyStepBack(match_id=match.id, created_at=unit.now))
    unit.session.flush()
    pair = Pair.of(unit.session, match)
    for person, is_asker in ((pair.asker, True), (pair.helper, False)):
        language = person.language
        other = first_name(language, pair.other(person.id).first_name)
        key = "proxy.step_back.ask_proxy" if is_asker else "proxy.step_back.ask_helper"
        proxy = first_name(language, pair.asker.first_name)
        unit.enqueue(
            to=person,
            text=t(language, key, name=other, proxy=proxy, who=_who(language, post.proxy_for)),
            keyboard=_step_back_keyboard(language, match.id, asker=is_asker),
            about=f"followup:{match.id}",
            counterpart_id=pair.other(person.id).id,
        )


def answer_step_back(unit: Unit, match_id: int, choice: str) -> Pressed:
    """One answer each (the proxy answers for the neighbour); both yes: both are told."""
    resident = presser(unit)
    if resident is None or resident.id is None or choice not in (YES, NO):
        return stale(unit)
    session = unit.session
    match = store.match_of(session, match_id=match_id, resident_id=resident.id)
    row = _step_back_of(unit, match_id)
    post = None if match is None else session.get(Post, match.post_id)
    if match is None or row is None or post is None or not post.proxy_for:
        return stale(unit)
    is_asker = match.asker_id == resident.id
    if (row.neighbour_yes if is_asker else row.helper_yes) is not None:
        return stale(unit)  # answered already
    if is_asker:
        row.neighbour_yes = choice == YES
    else:
        row.helper_yes = choice == YES
    session.add(row)
    language = resident.language
    if not (row.neighbour_yes and row.helper_yes):
        key = "proxy.step_back.noted" if choice == YES else "proxy.step_back.stays"
        return Pressed(language, close=t(language, key))
    row.agreed_at = unit.now
    pair = Pair.of(session, match)
    proxy, helper = pair.asker, pair.helper
    proxy_text, proxy_keyboard = _agreed_for_proxy(proxy, helper, post.proxy_for, match_id)
    helper_text = _agreed_for_helper(proxy, helper, post.proxy_for)
    if is_asker:
        unit.enqueue(
            to=helper, text=helper_text, about=f"followup:{match_id}", counterpart_id=proxy.id
        )
        return Pressed(language, close=proxy_text, keyboard=proxy_keyboard)
    unit.enqueue(
        to=proxy,
        text=proxy_text,
        keyboard=proxy_keyboard,
        about=f"followup:{match_id}",
        counterpart_id=helper.id,
    )
    return Pressed(language, close=helper_text)


def _agreed_for_proxy(
    proxy: Resident, helper: Resident, proxy_for: str, match_id: int
) -> tuple[str, Keyboard]:
    language = proxy.language
    name = first_name(language, helper.first_name)
    who = _who(language, proxy_for)
    text = t(language, "proxy.step_back.agreed_proxy", name=name, who=who)
    label = t(language, "proxy.step_back.button.contact", name=Html(name))
    return text, keyboard([Button(label, callbacks.STEP_BACK_CONTACT(match_id))])


def _agreed_for_helper(proxy: Resident, helper: Resident, proxy_for: str) -> str:
    language = helper.language
    return t(
        language,
        "proxy.step_back.agreed_helper",
        proxy=first_name(language, proxy.first_name),
        who=_who(language, proxy_for),
    )


def _agreed_match(unit: Unit, match_id: int) -> tuple[Match, Post, Pair] | None:
    """The match whose step-back both agreed to, when the caller is its proxy."""
    resident = presser(unit)
    if resident is None or resident.id is None:
        return None
    match = store.match_of(unit.session, match_id=match_id, resident_id=resident.id)
    row = _step_back_of(unit, match_id)
    if match is None or match.asker_id != resident.id or row is None or row.agreed_at is None:
        return None
    post = unit.session.get(Post, match.post_id)
    if post is None or not post.proxy_for:
        return None
    return match, post, Pair.of(unit.session, match)


def ask_contact(unit: Unit, match_id: int) -> Pressed:
    """The proxy's "Stuur ... hoe ... te bereiken is": type it, it is forwarded once."""
    found = _agreed_match(unit, match_id)
    if found is None:
        return stale(unit)
    _, post, pair = found
    assert post.proxy_for is not None
    unit.set_dialog(FLOW, STEP_CONTACT, ProxyData(match_id=match_id))
    language = unit.language
    name = first_name(language, pair.helper.first_name)
    text = t(language, "proxy.contact.ask", name=name, who=_who(language, post.proxy_for))
    return Pressed(language, close=text)


def _forward_contact(unit: Unit, match_id: int, text: str) -> Screen:
    language = unit.language
    words = " ".join(text.split())[:CONTACT_LENGTH]
    found = _agreed_match(unit, match_id)
    unit.clear_dialog()
    if found is None:
        return Screen(posting.stale_text(unit))
    if not words:
        return Screen(t(language, "proxy.contact.empty"))
    _, post, pair = found
    assert post.proxy_for is not None
    helper = pair.helper
    unit.enqueue(
        to=helper,
        text=t(
            helper.language,
            "proxy.contact.forwarded",
            proxy=first_name(helper.language, pair.asker.first_name),
            who=_who(helper.language, post.proxy_for),
            text=words,
        ),
        about=f"followup:{match_id}",
        counterpart_id=pair.asker.id,
    )
    name = first_name(language, helper.first_name)
    return Screen(t(language, "proxy.contact.sent", name=name, who=_who(language, post.proxy_for)))
