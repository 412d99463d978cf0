"""/help, /taal and the language buttons."""

from __future__ import annotations

from bot.services.unit import Unit
from bot.settings import LANGUAGES
from storage import repo


def choose_language(unit: Unit, wanted: str) -> str:
    """Store the language someone pressed (first contact creates them); the codec only lets
    known languages through."""
    assert unit.caller is not None
    assert wanted in LANGUAGES
    resident = unit.resident or repo.ensure_resident(
        unit.session,
        telegram_user_id=unit.caller.user_id,
        first_name=unit.caller.first_name,
        language=wanted,
        now=unit.now,
    )
    repo.set_language(unit.session, resident=resident, language=wanted, now=unit.now)
    return wanted
