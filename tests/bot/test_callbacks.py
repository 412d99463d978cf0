"""The one callback codec: what it encodes decodes to the same press; nothing else decodes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import callbacks
from bot.callbacks import MAX_BYTES, MAX_ID, Press, decode

# What the bot writes in a token field (category keys, step names); generated directly rather
# than from a regex, which is slow enough to trip Hypothesis's health check on a busy machine.
TOKEN_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"


def test_an_invitation_yes_round_trips() -> None:
    data = callbacks.INVITE_YES(42)
    assert data == "inv:y:42"
    assert decode(data) == Press(callbacks.INVITE_YES, (42,))


def test_the_longest_declared_name_wins() -> None:
    assert decode("pause:resume") == Press(callbacks.RESUME, ())
    assert decode("pause:week") == Press(callbacks.PAUSE, ("week",))


@pytest.mark.parametrize(
    "data",
    [
        "💥",
        "x" * 64,
        "inv",
        "inv:y",
        "inv:y:0",
        "inv:y:-1",
        "inv:y:007",
        f"inv:y:{MAX_ID + 1}",
        "inv:y:1:2",
        "inv:q:1",
        "pause:forever",
        "lang:fr",
        "pst:cat:a b",
        "",
        None,
    ],
)
def test_anything_not_declared_does_not_decode(data: str | None) -> None:
    assert decode(data) is None


def test_values_that_do_not_fit_their_field_are_refused_when_encoding() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        callbacks.INVITE_YES(0)
    with pytest.raises(ValueError, match="takes 1 values"):
        callbacks.INVITE_YES()


def test_every_declared_action_fits_telegrams_limit_with_its_largest_values() -> None:
    for action in callbacks.declared():
        largest: list[int | str] = []
        for field in action.fields:
            if isinstance(field, callbacks.Choice):
                largest.append(max(field.values, key=len))
            elif field is callbacks.TOKEN:
                largest.append("t" * 12)  # the longest token the bot itself writes is shorter
            elif field is callbacks.NUMBER:
                largest.append(999_999)
            else:
                largest.append(MAX_ID)
        assert len(action(*largest).encode()) <= MAX_BYTES, action.name


def test_an_action_cannot_be_declared_twice() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        callbacks.action("inv:y", callbacks.ID)


@given(st.sampled_from(list(callbacks.declared())), st.data())
def test_encoding_then_decoding_gives_the_same_press(
    action: callbacks.Action, data: st.DataObject
) -> None:
    values: list[int | str] = []
    for field in action.fields:
        if isinstance(field, callbacks.Choice):
            values.append(data.draw(st.sampled_from(sorted(field.values))))
        elif field is callbacks.TOKEN:
            values.append(data.draw(st.text(TOKEN_LETTERS, min_size=1, max_size=12)))
        elif field is callbacks.NUMBER:
            values.append(data.draw(st.integers(0, 999)))
        else:
            values.append(data.draw(st.integers(1, MAX_ID)))
    assert decode(action(*values)) == Press(action, tuple(values))


@given(st.text(max_size=80))
def test_decoding_never_raises(data: str) -> None:
    press = decode(data)
    assert press is None or press.action in set(callbacks.declared())
