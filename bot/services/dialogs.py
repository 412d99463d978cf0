"""Multi-step dialogs' state, typed: one pydantic model per dialog instead of a loose dict.

A chat has at most one dialog (a ChatState row: flow, step, data). The data is validated
against its flow's model when it is read; data that does not fit (an older version of the bot
wrote it, or it was changed by hand) counts as a stale dialog, which the caller restarts
kindly instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError, model_validator
from sqlmodel import Session

from storage import repo
from storage.models import ChatState, PostKind


class DialogData(BaseModel):
    """Base of every dialog's data: unknown keys are refused, so a mix-up shows at once."""

    model_config = ConfigDict(extra="forbid")


class OnboardingData(DialogData):
    # The message whose buttons drive the current step; presses on others are stale.
    message_id: int | None = None
    # The wijk someone from a wijk group's link is about to switch to (asked to confirm).
    wijk_id: int | None = None
    # What the person wanted to do when they were asked for their wijk first ("request" or
    # "offer": /vraag or /aanbod before they had a wijk); it starts once the wijk is chosen.
    then: str | None = None


class PostDraft(DialogData):
    kind: PostKind
    text: str | None = None
    category: str | None = None
    # What the words said about time, and the window finally chosen (None: any time).
    read_time: tuple[AwareDatetime, AwareDatetime] | None = None
    window: tuple[AwareDatetime, AwareDatetime] | None = None
    # Whether the time was settled (a window of None then means "any time").
    window_chosen: bool = False
    message_id: int | None = None
    # "Een buurtwerker mag contact met me opnemen" (requests only; default off).
    contact_ok: bool = False
    # Words with no recognisable content ("asdf") were met with "Wat wil je vragen?" once.
    asked_what: bool = False
    # /namens: the request is for someone not on Telegram (a first name, "buurvrouw" or
    # "buurman"); the author is the proxy, who handles the follow-up.
    proxy_for: str | None = None
    # /namens: the spot the proxy chose on the map for the neighbour, kept only as the coarse
    # cell residents get (matching.area); None: the proxy's own area.
    area_cell: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _settled_by_older_drafts(cls, data: Any) -> Any:
        """Drafts stored before window_chosen existed said so by having a "window" key."""
        if isinstance(data, dict) and "window" in data and "window_chosen" not in data:
            return {**data, "window_chosen": True}
        return data


class PostRef(DialogData):
    """A dialog about one post: the typed reason for a report, new words for one's own post."""

    post_id: int


class ReportRef(PostRef):
    """The typed reason for a report, and whether the reporter agreed to be named."""

    named: bool = False


class ProxyData(DialogData):
    """/namens by a resident: waiting for "my neighbour agreed" (for whom), or, after the
    step-back was agreed, for how the helper can reach the neighbour (match_id)."""

    proxy_for: str | None = None
    match_id: int | None = None


class ModerationData(DialogData):
    """A buurtwerker's chosen action on a report, waiting for the short reason."""

    report_id: int
    action: str


class ActivityDraft(DialogData):
    """An organiser's new activity, one answer at a time (bot/services/organise.py)."""

    wijk_id: int
    title: str | None = None
    description: str | None = None
    # The first date's start and end (local), as read from the words and confirmed.
    starts: AwareDatetime | None = None
    ends: AwareDatetime | None = None
    repeat: str = "none"
    until: str | None = None  # the last local day ("2027-01-28"), None: until they stop
    place: str | None = None
    place_private: bool = False
    roles: list[tuple[str, int | None]] = []
    also_wijken: list[int] = []  # neighbouring wijken it is announced in too
    message_id: int | None = None


class OrganiserStep(DialogData):
    """An organiser typing a new time or place for one date, or a message to its people."""

    date_id: int
    what: str


class ActivityReply(DialogData):
    """Someone typing an answer to an organiser's message, about their own sign-up."""

    signup_id: int


class SettingsData(DialogData):
    message_id: int | None = None


class PendingRelay(DialogData):
    """A message to pass on, kept while its sender chooses which conversation it is for."""

    message_id: int
    text: str | None = None
    photo_file_id: str | None = None
    caption: str | None = None
    location: tuple[float, float] | None = None


class RelayChoice(DialogData):
    """Someone in two conversations at once: their messages wait here until they choose."""

    pending: list[PendingRelay] = []


Data = TypeVar("Data", bound=DialogData)

# flow name -> the model of its data
FLOWS: Final[dict[str, type[DialogData]]] = {
    "onboarding": OnboardingData,
    "post": PostDraft,
    "report": ReportRef,
    "edit": PostRef,
    "settings": SettingsData,
    "moderate": ModerationData,
    "activity": ActivityDraft,
    "organise": OrganiserStep,
    "actreply": ActivityReply,
    "relay": RelayChoice,
    "proxy": ProxyData,
}


@dataclass
class DialogState(Generic[Data]):
    flow: str
    step: str
    data: Data


@dataclass(frozen=True)
class StaleDialog:
    """A stored dialog whose data no longer fits its model (or whose flow is unknown)."""

    flow: str


def read(row: ChatState | None) -> DialogState[DialogData] | StaleDialog | None:
    if row is None:
        return None
    model = FLOWS.get(row.flow)
    if model is None:
        return StaleDialog(row.flow)
    try:
        data = model.model_validate(row.data)
    except ValidationError:
        return StaleDialog(row.flow)
    return DialogState(row.flow, row.step, data)


def load(session: Session, chat_id: int) -> DialogState[DialogData] | StaleDialog | None:
    return read(repo.get_chat_state(session, chat_id=chat_id))


def save(session: Session, chat_id: int, state: DialogState[Data], now: datetime) -> None:
    if FLOWS.get(state.flow) is not type(state.data):
        raise TypeError(f"dialog {state.flow!r} does not keep {type(state.data).__name__}")
    repo.save_chat_state(
        session,
        chat_id=chat_id,
        flow=state.flow,
        step=state.step,
        data=state.data.model_dump(mode="json", exclude_none=True),
        now=now,
    )


def remember_message(session: Session, chat_id: int, flow: str, message_id: int) -> None:
    """Note the message whose buttons drive a dialog, once the handler has sent it (only if
    that dialog is still the chat's: a command may have replaced it meanwhile)."""
    row = session.get(ChatState, chat_id)
    state = read(row)
    if row is None or not isinstance(state, DialogState) or state.flow != flow:
        return
    if "message_id" not in type(state.data).model_fields:
        return
    state.data = state.data.model_copy(update={"message_id": message_id})
    save(session, chat_id, state, row.updated_at)
