"""From what the bot sends (text, parse_mode, entities) to what a reader sees."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.fakebot.errors import bad_request
from tests.fakebot.html import normalize_url, parse_html, utf16_len

MAX_ENTITIES = 100
ENTITY_TYPES = frozenset(
    {
        "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number",
        "bold", "italic", "underline", "strikethrough", "spoiler", "blockquote",
        "expandable_blockquote", "code", "pre", "text_link", "text_mention", "custom_emoji",
        "date_time",
    }
)  # fmt: skip
_AUTO_PATTERNS = (
    ("bot_command", re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?(?!\w)")),
    ("url", re.compile(r"(?<![\w@/])https?://[^\s<>\"]+[^\s<>\".,;:!?')\]]")),
    ("mention", re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{3,31}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#/&])#\w*[^\W\d]\w*")),
)
_NO_AUTO_INSIDE = frozenset({"code", "pre", "text_link", "url"})


@dataclass(frozen=True)
class TextRules:
    """Limits and wording for one kind of text (a message text or a media caption)."""

    max_length: int
    too_long: str
    empty: str | None  # None when the text may be empty (captions)


MESSAGE_TEXT = TextRules(4096, "message is too long", "message text is empty")
CAPTION = TextRules(1024, "message caption is too long", None)


def format_text(
    text: str, parse_mode: str | None, entities: list[Any] | None, rules: TextRules
) -> tuple[str, list[dict[str, Any]]]:
    """Returns the plain text and entities as Telegram stores them, or raises ApiError."""
    if entities is not None:
        plain, found = text, [_checked_entity(entity, text) for entity in entities]
    elif parse_mode is None or parse_mode == "":
        plain, found = text, []
    elif parse_mode == "HTML":
        plain, found = parse_html(text)
    elif parse_mode in ("MarkdownV2", "Markdown"):
        raise bad_request(f"parse_mode {parse_mode} is not supported by the fake Bot API server")
    else:
        raise bad_request("unsupported parse_mode")
    plain, found = _strip(plain, found)
    if rules.empty is not None and not plain:
        raise bad_request(rules.empty)
    if utf16_len(plain) > rules.max_length:
        raise bad_request(rules.too_long)
    if len(found) > MAX_ENTITIES:
        raise bad_request(f"too many entities: {len(found)} (at most {MAX_ENTITIES})")
    found = found + auto_entities(plain, found)
    found.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return plain, found


def _checked_entity(entity: Any, text: str) -> dict[str, Any]:
    if not isinstance(entity, dict):
        raise bad_request("can't parse MessageEntity: object expected")
    kind, offset, length = entity.get("type"), entity.get("offset"), entity.get("length")
    if kind not in ENTITY_TYPES:
        raise bad_request(f"can't parse MessageEntity: unsupported type {kind!r}")
    if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length < 1:
        raise bad_request("can't parse MessageEntity: offset and length must be integers")
    if offset + length > utf16_len(text):
        raise bad_request("entity beginning or end is out of the text")
    result = dict(entity)
    if kind == "text_link":
        url = normalize_url(str(entity.get("url", "")))
        if url is None:
            raise bad_request("can't parse MessageEntity: wrong HTTP URL specified")
        result["url"] = url
    return result


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims surrounding whitespace and shortens the entities to match."""
    stripped_left = text.lstrip()
    shift = utf16_len(text) - utf16_len(stripped_left)
    plain = stripped_left.rstrip()
    end = utf16_len(plain)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return plain, kept


def auto_entities(text: str, explicit: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entities Telegram finds by itself: commands, links, mentions, hashtags."""
    taken = [
        (entity["offset"], entity["offset"] + entity["length"])
        for entity in explicit
        if entity["type"] in _NO_AUTO_INSIDE
    ]
    found: list[dict[str, Any]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start = utf16_len(text[: match.start()])
            stop = start + utf16_len(match.group())
            if any(start < end and begin < stop for begin, end in taken):
                continue
            taken.append((start, stop))
            found.append({"type": kind, "offset": start, "length": stop - start})
    return found
