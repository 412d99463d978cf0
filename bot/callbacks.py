"""Callback data: every button's action and its fields, declared once, encoded and decoded here.

Data is "<action>:<field>:<field>..." (e.g. "inv:y:42"), checked against Telegram's 64-byte limit
when encoded. Decoding accepts only a declared action with exactly its fields, each of the
declared kind (an id is a positive 32-bit number, a choice one of its values, a token a short
plain word); anything else decodes to None and is answered as a stale button. Decoded data is
still never trusted: handlers re-check every id against the database.

This module imports nothing of Telegram, so services can build keyboards with it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

MAX_BYTES: Final = 64  # Telegram's limit for callback_data
SEPARATOR: Final = ":"
# Database ids are 32-bit integer columns: PostgreSQL refuses to compare with anything larger.
MAX_ID: Final = 2**31 - 1
_TOKEN = re.compile(r"[A-Za-z0-9_.-]{1,32}")

Value = int | str


class Field:
    """One field of an action: how it reads and writes itself."""

    def parse(self, text: str) -> Value | None:
        raise NotImplementedError

    def render(self, value: Value) -> str:
        parsed = self.parse(str(value))
        if parsed is None or str(parsed) != str(value):
            raise ValueError(f"{value!r} does not fit {self!r}")
        return str(value)


class _Id(Field):
    def parse(self, text: str) -> Value | None:
        if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
            return None
        number = int(text)
        return number if 0 < number <= MAX_ID and str(number) == text else None

    def __repr__(self) -> str:
        return "ID"


class _Number(Field):
    """A small non-negative number (a page)."""

    def parse(self, text: str) -> Value | None:
        if not text.isascii() or not text.isdigit() or len(text) > 6:
            return None
        return int(text) if str(int(text)) == text else None

    def __repr__(self) -> str:
        return "NUMBER"


class _Token(Field):
    """A short plain word (a category key, a step name): checked by the handler's own rules."""

    def parse(self, text: str) -> Value | None:
        return text if _TOKEN.fullmatch(text) else None

    def __repr__(self) -> str:
        return "TOKEN"


@dataclass(frozen=True)
class Choice(Field):
    values: frozenset[str]

    def parse(self, text: str) -> Value | None:
        return text if text in self.values else None


def choice(*values: str) -> Choice:
    return Choice(frozenset(values))


ID: Final = _Id()
NUMBER: Final = _Number()
TOKEN: Final = _Token()


@dataclass(frozen=True)
class Action:
    """A kind of button: its name (what the data starts with) and its fields."""

    name: str
    fields: tuple[Field, ...] = ()

    def __call__(self, *values: Value) -> str:
        """The callback data for this action with these values."""
        if len(values) != len(self.fields):
            raise ValueError(f"{self.name} takes {len(self.fields)} values, got {len(values)}")
        rendered = (field.render(v) for field, v in zip(self.fields, values, strict=True))
        parts = [self.name, *rendered]
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data


@dataclass(frozen=True)
class Press:
    """Decoded callback data: which action, with which values."""

    action: Action
    values: tuple[Value, ...]

    def id(self, index: int = 0) -> int:
        value = self.values[index]
        assert isinstance(value, int)
        return value

    def text(self, index: int = 0) -> str:
        return str(self.values[index])


_ACTIONS: dict[str, Action] = {}


def action(name: str, *fields: Field) -> Action:
    """Declare an action (once: a second declaration of a name is a programming error)."""
    if name in _ACTIONS:
        raise ValueError(f"action {name!r} declared twice")
    declared = Action(name, fields)
    _ACTIONS[name] = declared
    return declared


def declared() -> Iterable[Action]:
    return _ACTIONS.values()


def decode(data: str | None) -> Press | None:
    """The press behind callback data, or None for anything not declared here."""
    if data is None or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(SEPARATOR)
    # Action names may contain the separator ("inv:y"): the longest declared name wins.
    for length in range(min(len(parts), 3), 0, -1):
        found = _ACTIONS.get(SEPARATOR.join(parts[:length]))
        if found is None:
            continue
        raw = parts[length:]
        if len(raw) != len(found.fields):
            return None
        values = [field.parse(text) for field, text in zip(found.fields, raw, strict=True)]
        if any(value is None for value in values):
            return None
        return Press(found, tuple(v for v in values if v is not None))
    return None


# --- every action the bot's buttons carry ---------------------------------------------------

LANGUAGES_CHOICE = choice("nl", "en")

# /taal and the language step of onboarding and /instellingen
LANGUAGE = action("lang", LANGUAGES_CHOICE)
# main menu (after onboarding, empty lists): one action per item, so each conversation
# registers its own
MENU_ASK = action("menu:vraag")
MENU_OFFER = action("menu:aanbod")
MENU_LOOK = action("menu:buurt")
MENU_MINE = action("menu:mijn")

# onboarding and /instellingen: <step>:<value> (the steps and values are checked by the dialog)
ONBOARDING = action("ob", TOKEN, TOKEN)
SETTINGS = action("set", TOKEN, TOKEN)

# posting a request or offer (the draft's own buttons, re-checked against the stored draft)
DRAFT_CATEGORY = action("pst:cat", TOKEN)
DRAFT_SOME_CATEGORIES = action("pst:cats")
DRAFT_ALL_CATEGORIES = action("pst:all")
DRAFT_TIME = action("pst:time", TOKEN)
DRAFT_CHANGE_TIME = action("pst:times")
DRAFT_PLACE = action("pst:ok")
DRAFT_STOP = action("pst:stop")
DRAFT_CONTACT = action("pst:contact")

# /buurt
BROWSE_SHOW = action("nb:show", ID, NUMBER)
BROWSE_PAGE = action("nb:page", NUMBER)
BROWSE_HELP = action("nb:help", ID)

# /mijn
MINE_SHOW = action("mine:show", ID)
MINE_LIST = action("mine:list")
MINE_EDIT = action("mine:edit", ID)
MINE_DONE = action("mine:done", ID)
MINE_WITHDRAW = action("mine:wd", ID)

# pausing, blocking, reporting
PAUSE = action("pause", choice("open", "week", "month"))
RESUME = action("pause:resume")
BLOCK_POST_AUTHOR = action("blk:p", ID)
BLOCK_RESPONDER = action("blk:i", ID)
BLOCK_CONFIRM = action("blk:ok", choice("p", "i"), ID)
BLOCK_CANCEL = action("blk:no")
REPORT_POST = action("rep:p", ID)
REPORT_REASON = action("rep:why", ID, TOKEN)
REPORT_WITHOUT_REASON = action("rep:none", ID)
REPORT_CANCEL = action("rep:no")
# the reporter's choice "Mijn naam mag erbij" / "Anoniem" (default anonymous), and the reason
# buttons once they chose to be named
REPORT_NAMED = action("rep:nm", ID, choice("y", "n"))
REPORT_REASON_NAMED = action("rep:whyn", ID, TOKEN)
REPORT_WITHOUT_REASON_NAMED = action("rep:nonen", ID)
# /meld as a reply to a relayed line: the line's message id in the reporter's chat (looked up
# again in the outbox on every press), the reason code ("none": without one), named or not
REPORT_LINE = action("rep:l", ID, TOKEN, choice("y", "n"))
REPORT_LINE_NAMED = action("rep:lnm", ID, choice("y", "n"))

# /verwijder
DELETE_ASK = action("del:ask")
DELETE_YES = action("del:yes")
DELETE_NO = action("del:no")

# invitations, the asker's choice, the relay, widening
INVITE_YES = action("inv:y", ID)
INVITE_NOT_NOW = action("inv:n", ID)
MATCH_ACCEPT = action("mt:a", ID)
MATCH_DECLINE = action("mt:d", ID)
MATCH_SHARE = action("mt:s", ID)
MATCH_END = action("mt:e", ID)
# in two conversations at once: this message (the sender's own message id) is for that match
RELAY_TO = action("mt:to", ID, ID)
WIDEN_YES = action("wid:y", ID)
WIDEN_NO = action("wid:n", ID)

# is het gelukt?
FOLLOW_UP_THANKS = action("fu:t", ID)
FOLLOW_UP_WORKED = action("fu:y", ID)
FOLLOW_UP_FAILED = action("fu:n", ID)
FOLLOW_UP_AGAIN = action("fu:r", ID)

# /namens: "my neighbour agreed", never mind; after it worked, the step-back question (match
# id, yes/no) and the proxy's "send how to reach my neighbour"
PROXY_AGREED = action("px:ok")
PROXY_CANCEL = action("px:no")
PROXY_OWN_AREA = action("px:own")  # /namens: "Mijn eigen plek" instead of a spot on the map
STEP_BACK = action("px:sb", ID, choice("y", "n"))
STEP_BACK_CONTACT = action("px:ct", ID)

# buurtwerkers: an action on a report (its reason is typed next), undoing an audit entry
MODERATION_ACTIONS = ("hide", "warn", "sw", "sm", "so", "dismiss", "del", "done")
MODERATE = action("mod:a", ID, choice(*MODERATION_ACTIONS))
MODERATE_CANCEL = action("mod:x")
UNDO = action("mod:u", ID)
SIGNAL_CLAIM = action("sig:c", ID)
SIGNAL_DONE = action("sig:d", ID)
# /signalen: a category with many unanswered requests this month (picked up, handled), and
# "ik pak het op" on a report ("afgehandeld" on a report is MODERATE(id, "done"))
SPIKE_CLAIM = action("sig:sc", ID)
SPIKE_DONE = action("sig:sd", ID)
REPORT_PICKUP = action("sig:rc", ID)
# the daily signal message's "Bekijk de signalen" (wijk id): the /signalen list
SIGNALS_OPEN = action("sig:o", ID)
# nudges: the reciprocity message's "offer something" (starts /aanbod) and "activities in your
# wijk" (the wijk's id, checked against the presser's own wijk)
NUDGE_OFFER = action("ng:offer")
NUDGE_ACTIVITIES = action("ng:acts", ID)

# activities: the organiser's draft (<step>:<value>, checked against the stored draft), the
# card's buttons (a date and a role; a sign-up), and /mijnactiviteiten
ACTIVITY_DRAFT = action("act:d", TOKEN, TOKEN)
ACTIVITY_SHOW = action("act:show", ID)
ACTIVITY_ROLE = action("act:r", ID, ID)
ACTIVITY_JOIN = action("act:j", ID, ID, choice("once", "every"))
ACTIVITY_WITHDRAW = action("act:out", ID)
ACTIVITY_ACCEPT = action("act:yes", ID)
ACTIVITY_DECLINE = action("act:no", ID)
ACTIVITY_UNSUBSCRIBE = action("act:stop", ID)
ACTIVITY_CALENDAR = action("act:ics", ID)
ACTIVITY_LIFT = action("act:lift", ID)
ACTIVITY_REPLY = action("act:re", ID)
ORGANISE_LIST = action("org:list")
ORGANISE_SHOW = action("org:show", ID)
ORGANISE_DATE = action("org:date", ID)
ORGANISE_CHANGE = action("org:ch", ID, choice("time", "place", "message"))
ORGANISE_CANCEL = action("org:x", ID)
ORGANISE_CANCEL_YES = action("org:xy", ID)
ORGANISE_END = action("org:end", ID)
ORGANISE_END_YES = action("org:endy", ID)
