"""Telegram's ``parse_mode=HTML`` parser, strict enough to reject what Telegram rejects.

The parser follows the tag/attribute grammar of Telegram's own parser (tdlib's parse_html):
tags are recognised by name up to the first whitespace or ``>``, only the documented tags are
allowed, end tags must match, and error messages carry UTF-8 byte offsets like Telegram's.

One deliberate extra strictness: a bare ``&`` in text that does not start a supported entity
(``&lt;``, ``&gt;``, ``&amp;``, ``&quot;``, numeric) is an error here, although Telegram keeps it
literally. The Bot API documentation requires escaping it, and rejecting it makes a missing
``html.escape`` show up in tests with innocent input like "Jan & Piet", not only with ``<``.
Attribute values stay lenient (Telegram-like) because URLs with raw ``&`` are common and valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from botapi_emulator.jsontypes import JSONDict

_SPACES = " \t\r\n\f\v"
_SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlParseError(ValueError):
    """Malformed Telegram HTML; the message is the part after "can't parse entities: "."""


@dataclass(frozen=True)
class FormattedText:
    """Plain text plus Telegram MessageEntity dicts (offsets and lengths in UTF-16 units)."""

    text: str
    entities: list[JSONDict] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length as Telegram counts entity offsets: characters outside the BMP count twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_index: int
    begin: int


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JSONDict] = []

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8", "surrogatepass"))

    def unclosed(self, begin: int) -> HtmlParseError:
        return HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")

    def at(self, index: int) -> str:
        return self.src[index] if index < len(self.src) else ""

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len += len(text)
        self.utf16 += utf16_len(text)

    def run(self) -> FormattedText:
        while self.pos < len(self.src):
            ch = self.src[self.pos]
            if ch == "&":
                decoded, end = _decode_entity(self.src, self.pos)
                if decoded is None:
                    raise HtmlParseError(
                        f'Unsupported HTML entity or unescaped "&" at byte offset '
                        f"{self.byte_offset(self.pos)}"
                    )
                self.emit(decoded)
                self.pos = end
            elif ch == "<":
                if self.at(self.pos + 1) == "/":
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                self.emit(ch)
                self.pos += 1
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        text = "".join(self.out)
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return FormattedText(text, self.entities)

    def start_tag(self) -> None:
        begin = self.pos
        i = begin + 1
        while i < len(self.src) and self.src[i] not in _SPACES and self.src[i] != ">":
            i += 1
        if i >= len(self.src):
            raise self.unclosed(begin)
        name = self.src[begin + 1 : i].lower()
        if name not in _SUPPORTED_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        attributes, i = self.attributes(name, begin, i)
        self.pos = i + 1  # past ">"
        argument = ""
        if name == "a":
            argument = attributes.get("href", "")
        elif name == "code":
            css = attributes.get("class", "")
            argument = css.removeprefix("language-") if css.startswith("language-") else ""
        elif name == "span":
            if attributes.get("class") != "tg-spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
        elif name == "tg-emoji":
            argument = attributes.get("emoji-id", "")
            if not argument.isdigit() or not 0 < int(argument) < 2**63:
                raise HtmlParseError("Invalid custom emoji identifier specified")
        elif name == "blockquote" and "expandable" in attributes:
            argument = "expandable"
        self.stack.append(_OpenTag(name, argument, self.utf16, self.out_len, begin))

    def attributes(self, tag: str, begin: int, i: int) -> tuple[dict[str, str], int]:
        """Parse attributes from index ``i``; returns them and the index of the closing ``>``."""
        found: dict[str, str] = {}
        src = self.src
        while True:
            while i < len(src) and src[i] in _SPACES:
                i += 1
            if i >= len(src):
                raise self.unclosed(begin)
            if src[i] == ">":
                return found, i
            name_start = i
            while i < len(src) and src[i] not in _SPACES and src[i] not in "=>":
                i += 1
            attribute = src[name_start:i].lower()
            if not attribute:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            while i < len(src) and src[i] in _SPACES:
                i += 1
            if self.at(i) != "=":
                if tag == "blockquote" and attribute == "expandable" and i < len(src):
                    found[attribute] = ""
                    continue
                if i >= len(src):
                    raise HtmlParseError(
                        f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
                    )
                raise HtmlParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {self.byte_offset(begin)}'
                )
            i += 1
            while i < len(src) and src[i] in _SPACES:
                i += 1
            if i >= len(src):
                raise HtmlParseError(
                    f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            value, i = self.attribute_value(i)
            if i >= len(src):
                raise self.unclosed(begin)
            found[attribute] = value

    def attribute_value(self, i: int) -> tuple[str, int]:
        src = self.src
        quote = src[i]
        if quote not in "'\"":
            token_start = i
            while i < len(src) and ((src[i].isascii() and src[i].isalnum()) or src[i] in ".-"):
                i += 1
            if i < len(src) and src[i] not in _SPACES and src[i] != ">":
                raise HtmlParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(token_start)}"
                )
            return src[token_start:i].lower(), i
        i += 1
        value: list[str] = []
        while i < len(src) and src[i] != quote:
            if src[i] == "&":
                decoded, end = _decode_entity(src, i)
                if decoded is not None:
                    value.append(decoded)
                    i = end
                    continue
            value.append(src[i])
            i += 1
        return "".join(value), i + 1

    def end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while i < len(self.src) and self.src[i] not in _SPACES and self.src[i] != ">":
            i += 1
        name = self.src[begin + 2 : i].lower()
        while i < len(self.src) and self.src[i] in _SPACES:
            i += 1
        if self.at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        self.pos = i + 1
        opened = self.stack.pop()
        if name and name != opened.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{opened.name}>", found "</{name}>"'
            )
        self.close_entity(opened)

    def close_entity(self, opened: _OpenTag) -> None:
        length = self.utf16 - opened.utf16_offset
        if length <= 0:
            return
        entity: JSONDict = {"offset": opened.utf16_offset, "length": length}
        if opened.name == "a":
            url = opened.argument.strip() or "".join(self.out)[opened.text_index :]
            entity.update(type="text_link", url=url)
        elif opened.name == "blockquote":
            expandable = opened.argument == "expandable"
            entity["type"] = "expandable_blockquote" if expandable else "blockquote"
        elif opened.name == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=opened.argument)
        elif opened.name == "pre" and self._merge_pre_code(entity):
            return
        else:
            entity["type"] = _ENTITY_TYPES[opened.name]
            if opened.name == "code" and opened.argument:
                entity["_language"] = opened.argument
        self.entities.append(entity)
        self._drop_stray_languages()

    def _merge_pre_code(self, pre: JSONDict) -> bool:
        """``<pre><code class="language-x">`` becomes one pre entity with a language."""
        if not self.entities:
            return False
        last = self.entities[-1]
        same_span = last["offset"] == pre["offset"] and last["length"] == pre["length"]
        if last["type"] == "code" and same_span and "_language" in last:
            last.update(type="pre", language=last.pop("_language"))
            return True
        return False

    def _drop_stray_languages(self) -> None:
        # Only the innermost just-closed code entity may still be merged into an enclosing
        # pre; any older code entity keeps no language (Telegram ignores it outside <pre>).
        for entity in self.entities[:-1]:
            entity.pop("_language", None)


def _decode_entity(src: str, pos: int) -> tuple[str | None, int]:
    """Decode the character reference at ``src[pos] == "&"`` the way Telegram does."""
    end = pos + 1
    if src[end : end + 1] == "#":
        end += 1
        hexadecimal = src[end : end + 1] == "x"
        if hexadecimal:
            end += 1
        digits_start = end
        allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while end < len(src) and src[end] in allowed:
            end += 1
        digits = src[digits_start:end]
        if not digits or end - pos >= 10:
            return None, pos
        code = int(digits, 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF:
            return None, pos
        decoded = chr(code)
    else:
        while end < len(src) and src[end].isascii() and src[end].isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(src[pos + 1 : end])
        if named is None:
            return None, pos
        decoded = named
    if src[end : end + 1] == ";":
        end += 1
    return decoded, end


def parse_html(source: str) -> FormattedText:
    """Parse Telegram HTML into plain text and entities, or raise HtmlParseError."""
    result = _Parser(source).run()
    for entity in result.entities:
        entity.pop("_language", None)
    return result


def strip_formatted(formatted: FormattedText) -> FormattedText:
    """Trim surrounding whitespace like Telegram does, shifting and clipping entities."""
    text = formatted.text
    stripped = text.strip()
    if stripped == text:
        return formatted
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    end = utf16_len(stripped)
    entities: list[JSONDict] = []
    for entity in formatted.entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            entities.append({**entity, "offset": start, "length": stop - start})
    return FormattedText(stripped, entities)
