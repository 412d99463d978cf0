"""/mijn: one's own open requests and offers, to change the words, close or withdraw them,
and what is under way: a neighbour's yes waiting for one's choice, and each conversation
through the bot, each with what can be done next (the buttons of the choice and the relay).

One message, changed in place: the list with a button per post; a post with "Tekst
aanpassen", "Geregeld" and "Intrekken". Dialog flow "edit" (typed data: dialogs.PostRef)
waits for the new words. Ownership and open status are re-checked on every press.
"""

from __future__ import annotations

from typing import Final

from bot import callbacks
from bot.callbacks import Press
from bot.i18n import Html, t
from bot.post_views import (
    category_name,
    first_name,
    kind_name,
    post_summary,
    proxy_for_text,
    shortened,
)
from bot.services.buttons import ask_or_offer
from bot.services.dialogs import DialogState, PostRef
from bot.services.markup import Button, Screen, keyboard
from bot.services.posting import (
    Answer,
    not_settled_text,
    settled,
    stale_text,
    usable_words,
    with_for_whom,
)
from bot.services.request_steps import lock_request
from bot.services.unit import Unit
from storage import matchmaking, posts
from storage.models import Match, MatchStatus, Post, PostKind, PostStatus, Resident

FLOW_EDIT: Final = "edit"
STEP_EDIT_TEXT: Final = "text"

CLOSED = {
    callbacks.MINE_DONE: (PostStatus.DONE, "mine.closed_done"),
    callbacks.MINE_WITHDRAW: (PostStatus.WITHDRAWN, "mine.closed_withdrawn"),
}


def show_own_posts(unit: Unit) -> Screen:
    """The person's open requests and offers."""
    if settled(unit) is None:
        return Screen(not_settled_text(unit))
    unit.clear_dialog()  # a command replaces whatever dialog was going on
    return _list_screen(unit)


def press(unit: Unit, pressed: Press) -> Answer:
    """A button on one's own posts: the post must still be theirs and open."""
    if unit.resident is None:
        return Answer(notice=stale_text(unit))
    action = pressed.action
    if action is callbacks.MINE_LIST:
        return Answer(screen=_list_screen(unit))
    post = _own_post(unit, pressed.id())
    if post is None:
        return Answer(notice=t(unit.language, "mine.gone"))
    if action is callbacks.MINE_SHOW:
        return Answer(screen=_post_screen(unit, post))
    if action is callbacks.MINE_EDIT:
        return _ask_new_words(unit, post)
    status, closed = CLOSED[action]
    return _close(unit, post, status, closed)


def new_words(unit: Unit, state: DialogState[PostRef], text: str | None) -> Screen:
    """Replace a post's words, if it is still the person's own and open."""
    words = usable_words(unit, text)
    if isinstance(words, Screen):
        return words
    language = unit.language
    unit.clear_dialog()
    post = _own_post(unit, state.data.post_id)
    if post is None:
        return Screen(t(language, "mine.gone"))
    posts.set_post_text(unit.session, post=post, text=words, now=unit.now)
    zone = unit.settings.tz
    block = post_summary(language, post, now=unit.now.astimezone(zone), zone=zone)
    block = with_for_whom(language, block, post.proxy_for)
    return Screen(t(language, "mine.edited", summary=block), keyboard([_back_button(language)]))


def _own_post(unit: Unit, post_id: int) -> Post | None:
    assert unit.resident is not None
    assert unit.resident.id is not None
    # Locked first, in the order every answer to a request uses (flow, then post): a
    # neighbour's yes at the same moment either wins before this reads "open", or waits.
    lock_request(unit.session, post_id)
    return posts.own_open_post(unit.session, resident_id=unit.resident.id, post_id=post_id)


def _list_screen(unit: Unit) -> Screen:
    language = unit.language
    assert unit.resident is not None
    assert unit.resident.id is not None
    own = posts.open_posts_of(unit.session, resident_id=unit.resident.id)
    under_way = matchmaking.current_matches_of(unit.session, resident_id=unit.resident.id)
    if not own and not under_way:
        return Screen(t(language, "mine.empty"), ask_or_offer(language))
    lines: list[str] = []
    rows: list[list[Button]] = []
    if under_way:
        lines.append(t(language, "mine.header_under_way"))
        for number, (match, post) in enumerate(under_way, start=1):
            line, buttons = _under_way(unit, number, match, post)
            lines.append(line)
            rows.extend(buttons)
    if own:
        lines.append(t(language, "mine.header"))
    for number, post in enumerate(own, start=len(under_way) + 1):
        assert post.id is not None
        category = category_name(language, post.category)
        lines.append(
            t(
                language,
                "mine.line",
                number=number,
                kind=kind_name(language, post.kind),
                category=category,
                text=_text(language, post),
            )
        )
        label = t(language, "mine.button.open", number=number, category=category)
        rows.append([Button(label, callbacks.MINE_SHOW(post.id))])
    return Screen("\n\n".join(lines), keyboard(*rows))


def _under_way(
    unit: Unit, number: int, match: Match, post: Post
) -> tuple[str, list[list[Button]]]:
    """One thing under way, in words, with what can be done next."""
    language = unit.language
    assert unit.resident is not None
    assert match.id is not None
    other_id = match.helper_id if match.asker_id == unit.resident.id else match.asker_id
    other = unit.session.get(Resident, other_id)
    name = first_name(language, "" if other is None else other.first_name)
    category = category_name(language, post.category)
    text = _text(language, post)
    if match.status == MatchStatus.PROPOSED.value:
        # A yes to one's request, or interest in one's offer: either way, theirs to choose.
        key = "mine.line_interest" if post.kind == PostKind.OFFER.value else "mine.line_choice"
        line = t(language, key, number=number, category=category, text=text, name=name)
        buttons = [
            [
                Button(
                    t(language, "mine.button.accept", number=number, name=name),
                    callbacks.MATCH_ACCEPT(match.id),
                ),
                Button(
                    t(language, "mine.button.decline", number=number),
                    callbacks.MATCH_DECLINE(match.id),
                ),
            ]
        ]
        return line, buttons
    line = t(language, "mine.line_relay", number=number, category=category, text=text, name=name)
    buttons = [
        [
            Button(
                t(language, "mine.button.share", number=number), callbacks.MATCH_SHARE(match.id)
            ),
            Button(
                t(language, "mine.button.end", number=number, name=name),
                callbacks.MATCH_END(match.id),
            ),
        ]
    ]
    return line, buttons


def _text(language: str, post: Post) -> str:
    """A post's words, shortened; "(voor Kees)" after them for a /namens request."""
    text = shortened(post.text)
    if not post.proxy_for:
        return text
    return Html(t(language, "proxy.mine", text=text, who=proxy_for_text(language, post.proxy_for)))


def _back_button(language: str) -> Button:
    return Button(t(language, "mine.button.back"), callbacks.MINE_LIST())


def _post_screen(unit: Unit, post: Post) -> Screen:
    language, zone = unit.language, unit.settings.tz
    assert post.id is not None
    buttons = keyboard(
        [
            Button(t(language, "mine.button.edit"), callbacks.MINE_EDIT(post.id)),
            Button(t(language, "mine.button.done"), callbacks.MINE_DONE(post.id)),
        ],
        [Button(t(language, "mine.button.withdraw"), callbacks.MINE_WITHDRAW(post.id))],
        [_back_button(language)],
    )
    block = post_summary(language, post, now=unit.now.astimezone(zone), zone=zone)
    return Screen(with_for_whom(language, block, post.proxy_for), buttons)


def _close(unit: Unit, post: Post, status: PostStatus, closed: str) -> Answer:
    """Geregeld (done) or withdrawn: either way it leaves the neighbourhood's list at once."""
    assert post.id is not None
    posts.close_post(unit.session, post=post, status=status, now=unit.now)
    # A request's search stops at the next run of the matching job (its unanswered
    # invitations are closed there).
    matchmaking.look_again(unit.session, post_id=post.id, now=unit.now)
    language = unit.language
    text = t(language, closed, text=shortened(post.text))
    return Answer(screen=Screen(text, keyboard([_back_button(language)])))


def _ask_new_words(unit: Unit, post: Post) -> Answer:
    assert post.id is not None
    unit.set_dialog(FLOW_EDIT, STEP_EDIT_TEXT, PostRef(post_id=post.id))
    return Answer(message=Screen(t(unit.language, "mine.edit_prompt", text=post.text)))
