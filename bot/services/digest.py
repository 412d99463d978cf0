"""A calm digest of a wijk's new requests and offers in its linked group, at the wijk's setting
(off, twice a day, or daily at an hour; default daily at 10:00), never per post. One message
per group per slot, so far inside Telegram's 20 messages a minute per group. Each item has a
button that opens the post in private chat (deep link post_<id>), where the normal flow
applies. Posts of residents who paused, left or are suspended are never shown; texts are
shortened and escaped, first names only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlmodel import col, or_, select

from bot.i18n import t
from bot.post_views import first_name, kind_name, proxy_for_text, shortened
from bot.services.buurtwerk import may_manage
from bot.services.delivery import reachable
from bot.services.markup import Button, keyboard
from bot.services.reply import Reply
from bot.services.unit import Unit
from storage import buurtwerk, repo
from storage.buurtwerk import ChatKind
from storage.models import Post, PostStatus, Resident, Wijk

MODES: Final = ("off", "twice", "daily")
MAX_ITEMS: Final = 10
TEXT_LENGTH: Final = 80
FIRST_LOOK_BACK: Final = timedelta(days=1)
POST_LINK: Final = "post_"
MODE_WORDS: Final = {
    "uit": "off",
    "off": "off",
    "tweemaal": "twice",
    "twice": "twice",
    "dagelijks": "daily",
    "daily": "daily",
}
MODE_NAMES = {
    "off": "digest.mode.off",
    "twice": "digest.mode.twice",
    "daily": "digest.mode.daily",
}


def slot_hours(mode: str, hour: int) -> list[int]:
    if mode == "daily":
        return [hour]
    if mode == "twice":
        return sorted({hour, (hour + 12) % 24})
    return []


def latest_slot(mode: str, hour: int, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The most recent digest moment at or before `now` (None when the digest is off)."""
    hours = slot_hours(mode, hour)
    if not hours:
        return None
    local = now.astimezone(zone)
    candidates = []
    for days_back in (0, 1):
        day = (local - timedelta(days=days_back)).date()
        for slot in hours:
            moment = datetime(day.year, day.month, day.day, slot, tzinfo=zone)
            if moment <= local:
                candidates.append(moment)
    return max(candidates)


def post_link(unit: Unit, post_id: int) -> str:
    username = repo.get_fact(unit.session, key="bot_username") or "buurtbot"
    return f"https://t.me/{username}?start={POST_LINK}{post_id}"


def _items(unit: Unit, wijk: Wijk, since: datetime) -> list[tuple[Post, Resident]]:
    rows = unit.session.exec(
        select(Post, Resident)
        .join(Resident, col(Resident.id) == col(Post.resident_id))
        .where(
            Post.wijk_id == wijk.id,
            Post.status == PostStatus.OPEN.value,
            col(Post.created_at) > since,
            col(Post.created_at) <= unit.now,
            or_(col(Post.window_end).is_(None), col(Post.window_end) > unit.now),
        )
        .order_by(col(Post.created_at), col(Post.id))
    ).all()
    suspended = buurtwerk.suspended_resident_ids(unit.session, now=unit.now)
    return [
        (post, author)
        for post, author in rows
        if reachable(author, unit.now) and author.id not in suspended
    ]


def send_due(unit: Unit) -> int:
    """The periodic job: each linked group whose digest moment passed gets its digest (only
    when there is something new). Returns how many digests were queued."""
    zone = unit.settings.tz
    language = unit.settings.default_language
    queued = 0
    wijken = unit.session.exec(
        select(Wijk).where(col(Wijk.group_chat_id).is_not(None), Wijk.digest_mode != "off")
    ).all()
    for wijk in wijken:
        slot = latest_slot(wijk.digest_mode, wijk.digest_hour, unit.now, zone)
        if slot is None or wijk.group_chat_id is None:
            continue
        if wijk.digest_sent_at is not None and wijk.digest_sent_at >= slot:
            continue
        since = wijk.digest_sent_at or (slot - FIRST_LOOK_BACK)
        found = _items(unit, wijk, since)
        # A calm digest shows the first few and says how many more there are: a later digest
        # shows only what is newer, so without the count the rest would pass unmentioned.
        items, more = found[:MAX_ITEMS], len(found) - MAX_ITEMS
        wijk.digest_sent_at = unit.now
        unit.session.add(wijk)
        if not items:
            continue
        lines = [t(language, "digest.title", wijk=wijk.name)]
        buttons = []
        for number, (post, author) in enumerate(items, start=1):
            assert post.id is not None
            lines.append(
                t(
                    language,
                    "digest.item_for" if post.proxy_for else "digest.item",
                    n=number,
                    kind=kind_name(language, post.kind),
                    name=first_name(language, author.first_name),
                    who=proxy_for_text(language, post.proxy_for or ""),
                    text=shortened(post.text, TEXT_LENGTH),
                )
            )
            label = t(language, "digest.button", n=number)
            buttons.append(Button(label, "", url=post_link(unit, post.id)))
        if more > 0:
            lines.append(t(language, "digest.more", count=more))
        lines.append(t(language, "digest.footer"))
        rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
        unit.enqueue_chat(
            chat_id=wijk.group_chat_id,
            text="\n".join(lines),
            keyboard=keyboard(*rows),
            key=f"digest:{wijk.id}:{slot.isoformat()}",
        )
        queued += 1
    return queued


def setting(unit: Unit, args: list[str], chat_admin: bool) -> Reply:
    """/overzicht [uit|tweemaal|dagelijks] [uur], in the linked group, by a group admin who
    is a buurtwerker there (or an owner)."""
    assert unit.caller is not None
    language = unit.language
    linked = buurtwerk.wijk_of_chat(unit.session, chat_id=unit.caller.chat_id)
    if linked is None or linked[1] is not ChatKind.GROUP:
        return Reply(t(language, "digest.not_linked"))
    wijk = linked[0]
    if args:
        if not chat_admin or not may_manage(unit, unit.caller.user_id, wijk.id):
            return Reply(t(language, "buurtwerk.link.not_allowed"))
        mode = MODE_WORDS.get(args[0].lower())
        hour_word = args[1] if len(args) > 1 else None
        valid_hour = hour_word is None or (hour_word.isdigit() and 0 <= int(hour_word) <= 23)
        if mode is None or not valid_hour:
            return Reply(t(language, "digest.how"))
        wijk.digest_mode = mode
        if hour_word is not None:
            wijk.digest_hour = int(hour_word)
        unit.session.add(wijk)
        assert wijk.id is not None
        buurtwerk.log_action(
            unit.session,
            wijk_id=wijk.id,
            actor=unit.caller.user_id,
            action="digest_setting",
            now=unit.now,
            data={"mode": wijk.digest_mode, "hour": wijk.digest_hour},
        )
    return Reply(_describe(language, wijk))


def _describe(language: str, wijk: Wijk) -> str:
    hours = slot_hours(wijk.digest_mode, wijk.digest_hour)
    times = " / ".join(f"{hour:02d}:00" for hour in hours)
    return t(language, MODE_NAMES.get(wijk.digest_mode, "digest.mode.off"), times=times)


def open_post_id(args: list[str] | None) -> int | None:
    """The post a /start post_<id> deep link names."""
    payload = args[0] if args else ""
    raw = payload.removeprefix(POST_LINK)
    if not payload.startswith(POST_LINK) or not raw.isascii() or not raw.isdigit():
        return None
    number = int(raw)
    return number if 0 < number < 2**31 else None
