"""Telegram's HTML parse mode, parsed the way Telegram's server does.

The wording of the errors follows the Bot API server (tdlib's ``parse_html``). One deliberate
difference: Telegram passes an ``&`` that starts no known entity through as text, while the Bot
API documentation says every ``&`` must be escaped; the fake refuses it so that unescaped text
is caught in tests rather than in production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakebot.errors import ApiError, bad_request

ALLOWED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
        "tg-spoiler", "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip
SIMPLE_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_SPECIAL = re.compile(r"[&<]")
_UNQUOTED_VALUE_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-"
)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    argument: str | None
    utf16_start: int
    text_start: int


@dataclass
class _HtmlParser:
    source: str
    pos: int = 0
    out: list[str] = field(default_factory=list)
    utf16: int = 0
    chars: int = 0
    stack: list[_OpenTag] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, reason: str) -> ApiError:
        return bad_request(f"can't parse entities: {reason}")

    def byte_offset(self, pos: int) -> int:
        return len(self.source[:pos].encode("utf-8"))

    def at(self, pos: int) -> str:
        return self.source[pos] if pos < len(self.source) else ""

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.chars += len(chars)
        self.utf16 += utf16_len(chars)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        while self.pos < len(self.source):
            char = self.source[self.pos]
            if char == "&":
                self.emit(self.read_entity(self.pos))
            elif char == "<" and self.at(self.pos + 1) == "/":
                self.read_end_tag()
            elif char == "<":
                self.read_start_tag()
            else:
                # A whole run of plain text at once: per-character work made the fake,
                # not the bot, the bottleneck of load tests.
                end = _SPECIAL.search(self.source, self.pos)
                stop = end.start() if end else len(self.source)
                self.emit(self.source[self.pos : stop])
                self.pos = stop
        if self.stack:
            raise self.fail(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        return "".join(self.out), self.entities

    def read_entity(self, start: int) -> str:
        """Decodes ``&...;`` at ``start`` and moves past it."""
        match = _ENTITY_RE.match(self.source, start)
        decoded = _decode_entity(match) if match else None
        if match is None or decoded is None:
            raise self.fail(f'unescaped "&" at byte offset {self.byte_offset(start)}; use "&amp;"')
        self.pos = match.end()
        return decoded

    def skip_spaces(self) -> None:
        while self.pos < len(self.source) and self.source[self.pos].isspace():
            self.pos += 1

    def read_start_tag(self) -> None:
        tag_pos = self.pos
        self.pos += 1
        while self.pos < len(self.source) and not (
            self.source[self.pos].isspace() or self.source[self.pos] == ">"
        ):
            self.pos += 1
        if self.pos >= len(self.source):
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(tag_pos)}")
        name = self.source[tag_pos + 1 : self.pos].lower()
        if name not in ALLOWED_TAGS:
            raise self.fail(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(tag_pos)}'
            )
        argument = self.read_attributes(name, tag_pos)
        self.pos += 1  # the closing '>'
        if name == "span" and argument != "spoiler":
            raise self.fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{self.byte_offset(tag_pos)}"
            )
        self.stack.append(_OpenTag(name, argument, self.utf16, self.chars))

    def read_attributes(self, tag: str, tag_pos: int) -> str | None:
        argument: str | None = None
        while True:
            self.skip_spaces()
            if self.at(self.pos) == ">":
                return argument
            attr_start = self.pos
            while self.pos < len(self.source) and not (
                self.source[self.pos].isspace() or self.source[self.pos] in "=>/\"'"
            ):
                self.pos += 1
            attr = self.source[attr_start : self.pos].lower()
            if not attr:
                raise self.fail(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(tag_pos)}"
                )
            self.skip_spaces()
            if self.at(self.pos) != "=":
                if self.pos >= len(self.source):
                    raise self.unclosed(tag, tag_pos)
                if tag == "blockquote" and attr == "expandable":
                    argument = "expandable"
                continue
            self.pos += 1
            self.skip_spaces()
            value = self.read_attribute_value(tag, tag_pos)
            argument = _tag_argument(tag, attr, value, argument)

    def read_attribute_value(self, tag: str, tag_pos: int) -> str:
        quote = self.at(self.pos)
        if not quote:
            raise self.unclosed(tag, tag_pos)
        if quote not in "\"'":
            start = self.pos
            while self.at(self.pos) and self.source[self.pos] in _UNQUOTED_VALUE_CHARS:
                self.pos += 1
            following = self.at(self.pos)
            if not following:
                raise self.unclosed(tag, tag_pos)
            if not (following.isspace() or following == ">"):
                raise self.fail(
                    f"Unexpected end of name token at byte offset {self.byte_offset(start)}"
                )
            return self.source[start : self.pos].lower()
        self.pos += 1
        value: list[str] = []
        while self.pos < len(self.source) and self.source[self.pos] != quote:
            if self.source[self.pos] == "&":
                value.append(self.read_entity(self.pos))
            else:
                value.append(self.source[self.pos])
                self.pos += 1
        if self.pos >= len(self.source):
            raise self.unclosed(tag, tag_pos)
        self.pos += 1
        return "".join(value)

    def unclosed(self, tag: str, tag_pos: int) -> ApiError:
        return self.fail(f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(tag_pos)}')

    def read_end_tag(self) -> None:
        tag_pos = self.pos
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {self.byte_offset(tag_pos)}")
        self.pos += 2
        name_start = self.pos
        while self.pos < len(self.source) and not (
            self.source[self.pos].isspace() or self.source[self.pos] == ">"
        ):
            self.pos += 1
        name = self.source[name_start : self.pos].lower()
        self.skip_spaces()
        if self.at(self.pos) != ">":
            raise self.fail(f"Unclosed end tag at byte offset {self.byte_offset(tag_pos)}")
        self.pos += 1
        open_tag = self.stack[-1]
        if name and name != open_tag.name:
            raise self.fail(
                f"Unmatched end tag at byte offset {self.byte_offset(tag_pos)}, "
                f'expected "</{open_tag.name}>", found "</{name}>"'
            )
        self.stack.pop()
        if self.utf16 > open_tag.utf16_start:
            self.close_entity(open_tag, open_tag.utf16_start, self.utf16 - open_tag.utf16_start)

    def close_entity(self, tag: _OpenTag, offset: int, length: int) -> None:
        span: dict[str, Any] = {"offset": offset, "length": length}
        previous = self.entities[-1] if self.entities else None
        same_range = previous is not None and (
            previous["offset"] == offset and previous["length"] == length
        )
        if tag.name in SIMPLE_TAG_TYPES:
            self.entities.append({"type": SIMPLE_TAG_TYPES[tag.name], **span})
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.argument else "blockquote"
            self.entities.append({"type": kind, **span})
        elif tag.name == "tg-emoji":
            if tag.argument is None or not tag.argument.isdigit():
                raise self.fail("Invalid custom emoji identifier specified")
            self.entities.append({"type": "custom_emoji", **span, "custom_emoji_id": tag.argument})
        elif tag.name == "a":
            self.close_link(tag, span)
        elif (
            tag.name == "pre"
            and previous is not None
            and same_range
            and (previous["type"] == "code")
        ):
            previous["type"] = "pre"  # <pre><code class="language-x"> is one pre entity
        elif tag.name == "pre":
            self.entities.append({"type": "pre", **span})
        else:  # code
            entity: dict[str, Any] = {"type": "code", **span}
            if tag.argument:
                entity["language"] = tag.argument
            self.entities.append(entity)

    def close_link(self, tag: _OpenTag, span: dict[str, Any]) -> None:
        url = tag.argument
        if url is None:
            url = "".join(self.out)[tag.text_start :]
        normalized = normalize_url(url)
        # Telegram silently drops links it cannot use rather than refusing the message.
        if normalized is not None:
            self.entities.append({"type": "text_link", **span, "url": normalized})


def _decode_entity(match: re.Match[str]) -> str | None:
    named, decimal, hexadecimal = match.groups()
    if named:
        return NAMED_ENTITIES[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _tag_argument(tag: str, attr: str, value: str, current: str | None) -> str | None:
    if tag == "a" and attr == "href":
        return value
    if tag == "code" and attr == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attr == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attr == "emoji-id":
        return value
    if tag == "blockquote" and attr == "expandable":
        return "expandable"
    return current


_URL_RE = re.compile(r"^(?:(https?|tg|ton)://)?([^\s/?#]+)([^\s]*)$", re.IGNORECASE)


def normalize_url(url: str) -> str | None:
    """The URL Telegram stores for a link, or None when it would drop the link."""
    match = _URL_RE.match(url.strip())
    if match is None:
        return None
    scheme, host, rest = match.groups()
    scheme = (scheme or "http").lower()
    if scheme in ("tg", "ton"):
        return f"{scheme}://{host}{rest}"
    if "." not in host and host.lower() != "localhost":
        return None
    if not rest.startswith("/"):
        rest = "/" + rest
    return f"{scheme}://{host}{rest}"


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Returns the plain text and its entities (UTF-16 offsets), before stripping."""
    return _HtmlParser(source).run()
