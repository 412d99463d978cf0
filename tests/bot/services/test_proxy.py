"""/namens as services: who it can be for, who may skip the consent question (a buurtwerker of
the proxy's own wijk, read from the database), the proxy's posting limits, the invitation's
"vraagt dit voor", and the step-back answers (each kept once, agreed only when both say yes)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.services import browse, follow_up, posting, proxy, request_steps
from bot.services.dialogs import DialogState, PostDraft, ProxyData
from bot.services.unit import Incoming
from matching.area import area_cell
from matching.posting_rules import FLOOD_MAX_POSTS
from storage.models import OutboxMessage, Post, ProxyStepBack, Resident, Role, RoleKind
from storage.privacy import delete_person
from tests.bot.services.conftest import Street
from tests.bot.services.test_follow_up import asked
from tests.storage.neighbourhood import add_post, add_wijk


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["Kees"], "Kees"),
        (["kees", "de", "Vries"], "Kees"),
        (["een", "buurvrouw"], "buurvrouw"),
        (["mijn", "buurman"], "buurman"),
        (["neighbour"], "buurman"),
        (["0612345678"], None),
        (["kees@example.org"], None),
        ([], None),
    ],
)
def test_who_a_request_is_for_is_a_first_name_or_a_neighbour(
    words: list[str], expected: str | None
) -> None:
    assert proxy.described(words) == expected


def _buurtwerker(street: Street, wijk_id: int | None) -> None:
    assert wijk_id is not None
    street.session.add(
        Role(
            telegram_user_id=street.anna.telegram_user_id,
            wijk_id=wijk_id,
            kind=RoleKind.BUURTWERKER,
        )
    )
    street.session.flush()


def test_a_buurtwerker_of_the_own_wijk_goes_straight_to_the_area_and_the_words(
    street: Street,
) -> None:
    _buurtwerker(street, street.wijk.id)
    unit = street.unit(street.anna)
    screen = proxy.start(unit, ["Kees"])
    assert "Waar woont Kees ongeveer?" in screen.text
    answer = proxy.own_area(street.unit(street.anna))
    assert answer.screen is not None
    assert "Wat heeft Kees nodig?" in answer.screen.text
    state = street.unit(street.anna).state("post")
    assert state is not None
    assert isinstance(state.data, PostDraft)
    assert state.data.proxy_for == "Kees"


def test_anyone_else_confirms_the_neighbour_agreed_first(street: Street) -> None:
    west = add_wijk(street.session, "West", street.now)
    _buurtwerker(street, west.id)  # a buurtwerker elsewhere is a resident here
    screen = proxy.start(street.unit(street.anna), ["buurvrouw"])
    assert "Doe dit alleen als je buur dat goed vindt." in screen.text
    state = street.unit(street.anna).state(proxy.FLOW)
    assert state is not None
    assert state.data == ProxyData(proxy_for="buurvrouw")
    answer = proxy.agreed(street.unit(street.anna))
    assert answer.screen is not None
    assert "Waar woont een buurvrouw ongeveer?" in answer.screen.text
    # A second press on the old question does nothing.
    assert proxy.agreed(street.unit(street.anna)).notice is not None
    answer = proxy.own_area(street.unit(street.anna))
    assert answer.screen is not None
    assert "Wat heeft een buurvrouw nodig?" in answer.screen.text
    assert proxy.own_area(street.unit(street.anna)).notice is not None  # asked once


def test_proxy_requests_count_against_the_proxys_posting_limits(street: Street) -> None:
    _buurtwerker(street, street.wijk.id)
    for number in range(FLOOD_MAX_POSTS):
        add_post(street.session, street.anna, f"Vraag {number}", street.now, proxy_for="Kees")
    screen = proxy.start(street.unit(street.anna), ["Kees"])
    assert "Wat heeft Kees nodig?" not in screen.text
    assert street.unit(street.anna).state("post") is None


def test_the_invitation_says_for_whom(street: Street) -> None:
    post = street.request(proxy_for="Kees")
    ben = street.neighbours[0]
    message = request_steps.invitation_message(street.unit(), post, street.anna, ben, 1)
    assert "Anna vraagt dit voor Kees, die niet op Telegram zit." in message.text
    plain = street.request("Wie helpt met de tuin?")
    message = request_steps.invitation_message(street.unit(), plain, street.anna, ben, 2)
    assert "vraagt dit voor" not in message.text


def _step_back_rows(street: Street) -> list[ProxyStepBack]:
    street.session.flush()
    return list(street.session.exec(select(ProxyStepBack)).all())


def test_no_step_back_question_after_an_ordinary_request(street: Street) -> None:
    match = asked(street)
    follow_up.answer(street.unit(street.anna), match.id or 0, follow_up.WORKED)
    assert _step_back_rows(street) == []


def test_the_step_back_needs_both_and_each_answers_once(street: Street) -> None:
    match = asked(street)
    post = street.session.get(Post, match.post_id)
    assert post is not None
    post.proxy_for = "buurman"
    street.session.add(post)
    unit = street.unit(street.anna)
    follow_up.answer(unit, match.id or 0, follow_up.WORKED)
    texts = [m.text for m in (street.session.get(OutboxMessage, i) for i in unit.queued) if m]
    assert any("Wil je buur de volgende keer zelf" in text for text in texts)
    assert any("zelf iets afspreken met een buurman" in text for text in texts)
    [row] = _step_back_rows(street)
    helper = street.session.get(Resident, match.helper_id)
    assert helper is not None
    # A stranger's press changes nothing.
    stranger = (
        street.neighbours[-1] if street.neighbours[-1].id != helper.id else street.neighbours[0]
    )
    assert proxy.answer_step_back(street.unit(stranger), match.id or 0, proxy.YES).stale
    said_no = proxy.answer_step_back(street.unit(helper), match.id or 0, proxy.NO)
    assert said_no.close == "Goed, dan blijft het zoals het was."
    assert proxy.answer_step_back(street.unit(helper), match.id or 0, proxy.YES).stale
    said_yes = proxy.answer_step_back(street.unit(street.anna), match.id or 0, proxy.YES)
    assert said_yes.close == "Dank je, ik heb het genoteerd."
    [row] = _step_back_rows(street)
    assert (row.helper_yes, row.neighbour_yes, row.agreed_at) == (False, True, None)
    # Not agreed: the proxy cannot pass on a contact.
    assert proxy.ask_contact(street.unit(street.anna), match.id or 0).stale


def test_erasing_the_helper_takes_the_step_back_answers_along(street: Street) -> None:
    match = asked(street)
    post = street.session.get(Post, match.post_id)
    assert post is not None
    post.proxy_for = "Kees"
    street.session.add(post)
    follow_up.answer(street.unit(street.anna), match.id or 0, follow_up.WORKED)
    assert len(_step_back_rows(street)) == 1
    helper = street.session.get(Resident, match.helper_id)
    assert helper is not None
    delete_person(street.session, telegram_user_id=helper.telegram_user_id, now=street.now)
    assert _step_back_rows(street) == []


def test_a_proxy_request_in_nearby_says_for_whom(street: Street) -> None:
    post = street.request(proxy_for="Kees")
    ben = street.neighbours[0]
    shown = browse.open_post(street.unit(ben), post.id or 0)
    assert shown is not None
    assert "Anna vraagt dit voor Kees, die niet op Telegram zit." in shown.text


def test_a_spot_on_the_map_is_kept_only_as_a_coarse_cell(street: Street) -> None:
    """The proxy sends a location for the neighbour: the draft keeps the same coarse cell a
    resident's area would be (never the point); text instead of a spot gets a hint."""
    _buurtwerker(street, street.wijk.id)
    proxy.start(street.unit(street.anna), ["Kees"])
    unit = street.unit(street.anna)
    assert unit.state(proxy.FLOW) is not None
    state = DialogState(proxy.FLOW, proxy.STEP_AREA, ProxyData(proxy_for="Kees"))
    hint = proxy.typed(unit, state, Incoming(message_id=1, text="Dorpsstraat 4"))
    assert "Stuur een plek op de kaart" in hint.text
    spot = (52.3600, 4.9400)
    unit = street.unit(street.anna)
    screen = proxy.share_location(unit, state, Incoming(message_id=2, location=spot))
    assert "Wat heeft Kees nodig?" in screen.text
    draft = street.unit(street.anna).state("post")
    assert draft is not None
    assert isinstance(draft.data, PostDraft)
    assert draft.data.area_cell == area_cell(*spot)
    assert draft.data.area_cell != street.anna.area_cell
    assert "52.36" not in str(draft.data.model_dump())


def test_words_without_content_keep_for_whom_and_the_spot(street: Street) -> None:
    """ "asdf" gets one "Wat wil je vragen?"; the draft still knows whom and where it is for
    (it used to start again as an ordinary request of the proxy's own)."""
    _buurtwerker(street, street.wijk.id)
    proxy.start(street.unit(street.anna), ["Kees"])
    spot = (52.3600, 4.9400)
    state = DialogState(proxy.FLOW, proxy.STEP_AREA, ProxyData(proxy_for="Kees"))
    proxy.share_location(street.unit(street.anna), state, Incoming(message_id=2, location=spot))
    unit = street.unit(street.anna)
    draft = unit.state("post")
    assert draft is not None
    assert isinstance(draft.data, PostDraft)
    posting.words_received(unit, DialogState("post", "text", draft.data), "asdf")
    again = street.unit(street.anna).state("post")
    assert again is not None
    assert isinstance(again.data, PostDraft)
    assert again.data.asked_what
    assert (again.data.proxy_for, again.data.area_cell) == ("Kees", area_cell(*spot))
