"""Queries the bot and the CLI need, as keyword-only functions taking a session."""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import BotFact, ChatState, ProcessedUpdate, Resident, Role, RoleKind, Wijk

WIJK_CODE_MAX = 24


class NotFoundError(LookupError):
    """The thing asked for does not exist; the message says what was looked for."""


class DuplicateError(ValueError):
    """The thing to create exists already; the message says which."""


# --- processed updates -----------------------------------------------------------------------


def claim_update(session: Session, *, update_id: int, now: datetime) -> bool:
    """Record an update id; False when it was recorded before (a redelivery)."""
    dialect = session.get_bind().dialect.name
    values = {"update_id": update_id, "processed_at": now}
    table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING rather than rowcount: psycopg reports no reliable rowcount for a skipped row.
    statement = insert(table).values(values).on_conflict_do_nothing().returning(table.c.update_id)
    return session.execute(statement).first() is not None


def prune_processed_updates(session: Session, *, older_than: datetime) -> int:
    """Forget update ids old enough that Telegram will never redeliver them (it keeps 24 h)."""
    result = session.execute(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < older_than)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


PROCESSED_UPDATE_RETENTION = timedelta(days=2)


# --- residents -------------------------------------------------------------------------------


def find_resident(session: Session, *, telegram_user_id: int) -> Resident | None:
    return session.exec(
        select(Resident).where(Resident.telegram_user_id == telegram_user_id)
    ).first()


def ensure_resident(
    session: Session, *, telegram_user_id: int, first_name: str, language: str, now: datetime
) -> Resident:
    """Return the resident for a Telegram user, creating them on first contact."""
    resident = find_resident(session, telegram_user_id=telegram_user_id)
    if resident is None:
        resident = Resident(
            telegram_user_id=telegram_user_id,
            first_name=first_name[:64],
            language=language,
            created_at=now,
            updated_at=now,
        )
        session.add(resident)
        session.flush()
    return resident


def set_language(session: Session, *, resident: Resident, language: str, now: datetime) -> None:
    resident.language = language
    resident.updated_at = now
    session.add(resident)


# --- wijken ----------------------------------------------------------------------------------


def slugify(name: str) -> str:
    """A short ASCII code for a wijk name, safe inside a Telegram deep link (A-Z a-z 0-9 _ -)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:WIJK_CODE_MAX].strip("-") or secrets.token_hex(4)


def wijk_key(name: str) -> str:
    """A wijk name as compared for sameness: without case, accents or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def add_wijk(
    session: Session,
    *,
    name: str,
    center_cell: str | None,
    reach_m: int,
    now: datetime,
) -> Wijk:
    name = " ".join(name.split())
    if not name:
        raise ValueError("A wijk needs a name.")
    for existing in list_wijken(session):
        if wijk_key(existing.name) == wijk_key(name):
            raise DuplicateError(
                f"There is already a wijk called {existing.name!r} (code {existing.code}); "
                "use that one, or pick a name that differs in more than case or accents."
            )
    code = slugify(name)
    while session.exec(select(Wijk).where(Wijk.code == code)).first() is not None:
        code = f"{code[: WIJK_CODE_MAX - 5]}-{secrets.token_hex(2)}"
    wijk = Wijk(name=name, code=code, center_cell=center_cell, reach_m=reach_m, created_at=now)
    session.add(wijk)
    session.flush()
    return wijk


def list_wijken(session: Session) -> list[Wijk]:
    return list(session.exec(select(Wijk).order_by(col(Wijk.name))).all())


def find_wijk(session: Session, *, code_or_name: str) -> Wijk:
    """Find a wijk by its code or exact name (case-insensitive), or raise NotFoundError."""
    wanted = wijk_key(code_or_name)
    for wijk in list_wijken(session):
        if wanted in (wijk.code.lower(), wijk_key(wijk.name)):
            return wijk
    raise NotFoundError(f"No wijk with code or name {code_or_name!r} (see `buurtbot wijk list`).")


# --- roles -----------------------------------------------------------------------------------


def grant_role(
    session: Session, *, telegram_user_id: int, kind: RoleKind, wijk: Wijk, now: datetime
) -> bool:
    """Grant a role; False when the person already had it."""
    if has_role(session, telegram_user_id=telegram_user_id, kind=kind, wijk_id=wijk.id):
        return False
    assert wijk.id is not None
    session.add(
        Role(telegram_user_id=telegram_user_id, wijk_id=wijk.id, kind=kind.value, granted_at=now)
    )
    return True


def revoke_role(session: Session, *, telegram_user_id: int, kind: RoleKind, wijk: Wijk) -> bool:
    """Revoke a role; False when the person did not have it."""
    result = session.execute(
        delete(Role).where(
            col(Role.telegram_user_id) == telegram_user_id,
            col(Role.kind) == kind.value,
            col(Role.wijk_id) == wijk.id,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def has_role(
    session: Session, *, telegram_user_id: int, kind: RoleKind, wijk_id: int | None
) -> bool:
    return (
        session.exec(
            select(Role).where(
                Role.telegram_user_id == telegram_user_id,
                Role.kind == kind.value,
                Role.wijk_id == wijk_id,
            )
        ).first()
        is not None
    )


def wijk_has_role(session: Session, *, wijk_id: int | None, kind: RoleKind) -> bool:
    """Whether anyone holds this role in the wijk: texts that promise a buurtwerker's attention
    may only be shown where one exists."""
    found = session.exec(
        select(Role.id).where(Role.wijk_id == wijk_id, Role.kind == kind.value).limit(1)
    ).first()
    return found is not None


def roles_in(session: Session, *, wijk: Wijk) -> list[Role]:
    return list(
        session.exec(select(Role).where(Role.wijk_id == wijk.id).order_by(col(Role.id))).all()
    )


# --- bot facts -------------------------------------------------------------------------------


def set_fact(session: Session, *, key: str, value: str) -> None:
    fact = session.get(BotFact, key)
    if fact is None:
        session.add(BotFact(key=key, value=value))
    elif fact.value != value:
        fact.value = value
        session.add(fact)


def get_fact(session: Session, *, key: str) -> str | None:
    fact = session.get(BotFact, key)
    return None if fact is None else fact.value


# --- conversation state ----------------------------------------------------------------------


def get_chat_state(session: Session, *, chat_id: int) -> ChatState | None:
    return session.get(ChatState, chat_id)


def save_chat_state(
    session: Session, *, chat_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
) -> None:
    state = session.get(ChatState, chat_id)
    if state is None:
        state = ChatState(chat_id=chat_id, flow=flow, step=step)
    state.flow, state.step, state.updated_at = flow, step, now
    # A new dict, so SQLAlchemy sees the JSON column changed.
    state.data = dict(data)
    session.add(state)


def clear_chat_state(session: Session, *, chat_id: int) -> None:
    state = session.get(ChatState, chat_id)
    if state is not None:
        session.delete(state)
