"""Telegram HTML parsing: plain text, entities in UTF-16 units, and Telegram's error texts."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from botapi_emulator.html_check import (
    FormattedText,
    HtmlParseError,
    parse_html,
    strip_formatted,
    utf16_len,
)


def test_plain_text_and_entities() -> None:
    parsed = parse_html(
        '<b>Vet</b> en <i>schuin</i> &amp; <a href="https://x.nl/?a=1&b=2">link</a>'
    )
    assert parsed.text == "Vet en schuin & link"
    assert parsed.entities == [
        {"offset": 0, "length": 3, "type": "bold"},
        {"offset": 7, "length": 6, "type": "italic"},
        {"offset": 16, "length": 4, "type": "text_link", "url": "https://x.nl/?a=1&b=2"},
    ]


def test_offsets_count_utf16_units() -> None:
    parsed = parse_html("👋 <b>Hoi</b>")
    assert parsed.entities == [{"offset": 3, "length": 3, "type": "bold"}]
    assert utf16_len("👋") == 2


@pytest.mark.parametrize(
    ("source", "entity_type"),
    [
        ("<strong>x</strong>", "bold"),
        ("<em>x</em>", "italic"),
        ("<ins>x</ins>", "underline"),
        ("<u>x</u>", "underline"),
        ("<del>x</del>", "strikethrough"),
        ("<strike>x</strike>", "strikethrough"),
        ('<span class="tg-spoiler">x</span>', "spoiler"),
        ("<tg-spoiler>x</tg-spoiler>", "spoiler"),
        ("<code>x</code>", "code"),
        ("<pre>x</pre>", "pre"),
        ("<blockquote>x</blockquote>", "blockquote"),
        ("<blockquote expandable>x</blockquote>", "expandable_blockquote"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "custom_emoji"),
    ],
)
def test_every_supported_tag(source: str, entity_type: str) -> None:
    assert [e["type"] for e in parse_html(source).entities] == [entity_type]


def test_pre_with_code_language_is_one_entity() -> None:
    parsed = parse_html('<pre><code class="language-python">print(1)</code></pre>')
    assert parsed.entities == [{"offset": 0, "length": 8, "type": "pre", "language": "python"}]


def test_numeric_and_named_entities_decode() -> None:
    assert parse_html("&lt;b&gt; &quot;x&quot; &#65;&#x42;").text == '<b> "x" AB'


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("é <x>", 'Unsupported start tag "x" at byte offset 3'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("<a href", 'Unclosed start tag "a" at byte offset 0'),
        ('<a href="x"', "Unclosed start tag at byte offset 0"),
        ('<a ="x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ('<tg-emoji emoji-id="-5">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        ("Jan & Piet", 'Unsupported HTML entity or unescaped "&" at byte offset 4'),
        ("&nbsp;", 'Unsupported HTML entity or unescaped "&" at byte offset 0'),
        ("&#0;", 'Unsupported HTML entity or unescaped "&" at byte offset 0'),
    ],
)
def test_malformed_html_is_rejected_like_telegram(source: str, message: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert str(caught.value) == message


def test_empty_end_tag_closes_the_innermost_tag() -> None:
    assert parse_html("<b>x</>").entities == [{"offset": 0, "length": 1, "type": "bold"}]


def test_strip_shifts_and_clips_entities() -> None:
    stripped = strip_formatted(parse_html("  <b> vet </b> \n"))
    assert stripped == FormattedText("vet", [{"offset": 0, "length": 3, "type": "bold"}])


@given(st.text(max_size=60))
def test_escaped_text_always_round_trips(text: str) -> None:
    """Whatever a user types, html.escape makes it safe: the parser gives it back unchanged."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return  # lone surrogates cannot be sent over HTTP at all
    assert parse_html(html.escape(text)).text == text
