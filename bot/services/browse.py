"""/buurt: open requests and offers nearby, and "Ik kan helpen" / "Interesse".

One message, changed in place: a page of a few posts (nearest first, then newest), each a
button that opens it with its actions; "Meer"/"Vorige" turn the page. Neighbours are shown by
first name and rough distance only. Own posts, posts of people who left or paused (while the
pause lasts), and posts of anyone the two blocked (either way) are never shown. Everything a
button names is checked again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot import callbacks
from bot.callbacks import Press
from bot.i18n import Html, t
from bot.post_views import (
    category_name,
    distance_text,
    first_name,
    kind_name,
    post_summary,
    proxy_note,
    shortened,
)
from bot.services import buttons, invitations
from bot.services.delivery import reachable
from bot.services.markup import Button, Keyboard, Screen, keyboard
from bot.services.match_support import Pressed
from bot.services.posting import Answer, not_settled_text, settled, stale_text
from bot.services.unit import Unit
from matching.browse import Listing, Page, Placed, nearest_then_newest, page_of
from matching.distance import rough_distance
from storage import matchmaking, posts
from storage.models import Post, PostKind, Resident

# Pages beyond this are not a real list (the button data is forged).
MAX_PAGE: Final = 1000

HELP_LABELS = {
    PostKind.REQUEST: "browse.button.help",
    PostKind.OFFER: "browse.button.interest",
}


@dataclass(frozen=True)
class Card:
    """A post and the only thing a viewer learns of its author: a first name."""

    post: Post
    author_name: str


@dataclass(frozen=True)
class Browsing(Answer):
    """A press in /buurt. `yes` is set for "Ik kan helpen" on a request the asker can hear of
    now: that yes went the way of a yes to an invitation (first one wins, the asker chooses),
    in this same unit of work."""

    yes: Pressed | None = None


def look_around(unit: Unit) -> Screen:
    """The first page of open requests and offers nearby."""
    viewer = settled(unit)
    if viewer is None:
        return Screen(not_settled_text(unit))
    unit.clear_dialog()  # a command replaces whatever dialog was going on
    return _list_screen(unit, viewer, 1)


def press(unit: Unit, pressed: Press) -> Browsing:
    """A page, a post or "Ik kan helpen"."""
    viewer = settled(unit)
    if viewer is None:
        return Browsing(notice=stale_text(unit))
    action = pressed.action
    if action is callbacks.BROWSE_HELP:
        return _volunteer(unit, viewer, pressed.id(0))
    page = pressed.id(0) if action is callbacks.BROWSE_PAGE else pressed.id(1)
    if not 0 < page <= MAX_PAGE:
        return Browsing(notice=stale_text(unit))
    if action is callbacks.BROWSE_PAGE:
        return Browsing(screen=_list_screen(unit, viewer, page))
    return _show_post(unit, viewer, pressed.id(0), page)


def open_post(unit: Unit, post_id: int) -> Screen | None:
    """A post opened from the wijk group's digest (deep link post_<id>): shown as from /buurt,
    with the same checks; None for someone who has not joined a wijk yet (they get /start's
    welcome instead)."""
    viewer = settled(unit)
    if viewer is None:
        return None
    unit.clear_dialog()
    shown = _show_post(unit, viewer, post_id, 1)
    return shown.screen or Screen(shown.notice or stale_text(unit))


def _cards(unit: Unit, viewer: Resident) -> list[Placed[Card]]:
    rows = posts.visible_posts(unit.session, viewer=viewer, now=unit.now)
    listings = [
        Listing(
            Card(post, first_name(viewer.language, author.first_name)),
            post.area_cell,
            post.created_at,
        )
        for post, author in rows
    ]
    return nearest_then_newest(viewer.area_cell, listings)


def _list_screen(unit: Unit, viewer: Resident, number: int) -> Screen:
    language = unit.language
    page = page_of(_cards(unit, viewer), number)
    if not page.entries:
        return Screen(t(language, "browse.empty"), buttons.ask_or_offer(language))
    lines = [
        t(
            language,
            "browse.header",
            first=page.first_position,
            last=page.first_position + len(page.entries) - 1,
            total=page.total,
        )
    ]
    rows: list[list[Button]] = []
    for position, entry in enumerate(page.entries, start=page.first_position):
        post = entry.item.post
        assert post.id is not None
        category = category_name(language, post.category)
        lines.append(
            t(
                language,
                "browse.line",
                number=position,
                kind=kind_name(language, post.kind),
                category=category,
                text=shortened(post.text),
                who=Html(_who(language, entry)),
            )
        )
        label = t(language, "browse.button.open", number=position, category=category)
        rows.append([Button(label, callbacks.BROWSE_SHOW(post.id, page.number))])
    return Screen("\n\n".join(lines), keyboard(*rows, _page_buttons(language, page)))


def _who(language: str, entry: Placed[Card]) -> str:
    """ "Anna · in je buurt", or just "Anna" when the distance is unknown."""
    distance = distance_text(language, entry.distance)
    if distance is None:
        return t(language, "browse.who", name=entry.item.author_name)
    return t(language, "browse.who_where", name=entry.item.author_name, distance=distance)


def _page_buttons(language: str, page: Page[Card]) -> list[Button]:
    row = []
    if page.has_previous:
        row.append(
            Button(t(language, "browse.button.previous"), callbacks.BROWSE_PAGE(page.number - 1))
        )
    if page.has_next:
        row.append(
            Button(t(language, "browse.button.more"), callbacks.BROWSE_PAGE(page.number + 1))
        )
    return row


def _show_post(unit: Unit, viewer: Resident, post_id: int, page: int) -> Browsing:
    """One post in full, with "Ik kan helpen" (or "Interesse"), report and block."""
    language = unit.language
    found = posts.visible_post(unit.session, viewer=viewer, post_id=post_id, now=unit.now)
    if found is None:
        return Browsing(notice=t(language, "browse.gone"))
    post, author = found
    assert post.id is not None
    zone = unit.settings.tz
    entry = Placed(
        Card(post, first_name(language, author.first_name)),
        rough_distance(viewer.area_cell, post.area_cell),
    )
    text = t(
        language,
        "browse.detail",
        summary=post_summary(language, post, now=unit.now.astimezone(zone), zone=zone),
        who=Html(_who(language, entry)),
    )
    text += proxy_note(language, first_name(language, author.first_name), post.proxy_for)
    actions: Keyboard = keyboard(
        [Button(t(language, HELP_LABELS[PostKind(post.kind)]), callbacks.BROWSE_HELP(post.id))],
        [buttons.report_post(language, post.id), buttons.block_post_author(language, post.id)],
        [Button(t(language, "browse.button.back"), callbacks.BROWSE_PAGE(page))],
    )
    return Browsing(screen=Screen(text, actions))


def _volunteer(unit: Unit, viewer: Resident, post_id: int) -> Browsing:
    """A yes to a request (handed on, see Browsing), or interest in an offer recorded once
    and told to its author."""
    language = unit.language
    assert viewer.id is not None
    # With paused authors: a post opened before its author paused gets an honest "away".
    found = posts.visible_post(
        unit.session, viewer=viewer, post_id=post_id, now=unit.now, include_paused=True
    )
    if found is None:
        # A request someone (maybe this viewer) said yes to is out of the list already.
        before = matchmaking.said_yes_before(unit.session, post_id=post_id, resident_id=viewer.id)
        return Browsing(notice=t(language, "browse.already" if before else "browse.gone"))
    post, author = found
    if not reachable(author, unit.now):
        # A yes or interest now would wait unseen until they are back: say so instead.
        name = first_name(language, author.first_name)
        return Browsing(notice=t(language, "browse.author_away", name=name), alert=True)
    if post.kind == PostKind.REQUEST.value:
        return Browsing(yes=invitations.volunteer(unit, viewer.id, post_id))
    invitation, news = posts.volunteer(
        unit.session, post=post, resident_id=viewer.id, now=unit.now
    )
    if not news or not invitations.interest_in_offer(unit, viewer, post, author, invitation.id):
        return Browsing(notice=t(language, "browse.already"))
    thanks = t(language, "browse.thanks_offer", name=first_name(language, author.first_name))
    return Browsing(message=Screen(thanks))
