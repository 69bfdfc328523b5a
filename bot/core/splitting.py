"""Splitting rendered HTML into pieces that each fit one Telegram message."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

# Telegram's limits for one text message, counted after entity parsing.
MAX_MESSAGE_LENGTH = 4096
MAX_ENTITIES = 100

_TOKEN = re.compile(r"<(/?)([a-zA-Z0-9-]+)[^>]*>|&[^;\s]*;|[^<&]+|[<&]", re.DOTALL)


def visible_length(text: str) -> int:
    """Length of the text Telegram shows, in the UTF-16 code units it counts limits in."""
    return len(_visible(text).encode("utf-16-le")) // 2


def entity_count(text: str) -> int:
    return sum(1 for m in _TOKEN.finditer(text) if m.group(2) and not m.group(1))


def split_message(
    text: str, limit: int = MAX_MESSAGE_LENGTH, max_entities: int = MAX_ENTITIES
) -> list[str]:
    """Pack the text into as few messages as fit, cutting between blocks where it can.

    Blocks are separated by blank lines, then by line breaks, then by spaces, always
    outside any tag, so every piece is valid HTML on its own. A word (or a tag's text)
    longer than a message is cut inside, never inside a tag or an entity: the tags
    open at the cut are closed there and opened again in the next piece. Each part is
    measured once, so the time grows with the text, and nothing makes it raise.
    """
    if visible_length(text) <= limit and entity_count(text) <= max_entities:
        return [text]
    return _stripped(_pack(text, _SEPARATORS, limit, max_entities))


_SEPARATORS = ("\n\n", "\n", " ")


def _stripped(pieces: list[str]) -> list[str]:
    """The pieces without surrounding space, leaving out those Telegram would find empty."""
    return [piece.strip() for piece in pieces if _visible(piece).strip()]


def _visible(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def _pack(text: str, separators: tuple[str, ...], limit: int, max_entities: int) -> list[str]:
    for depth, separator in enumerate(separators):
        parts = list(_split_outside_tags(text, separator))
        if len(parts) > 1:
            return _join_parts(parts, separator, separators[depth + 1 :], limit, max_entities)
    return _cut(text, limit, max_entities)


def _join_parts(
    parts: list[str], separator: str, finer: tuple[str, ...], limit: int, max_entities: int
) -> list[str]:
    """Join parts greedily into pieces that fit; a part too big alone is split finer."""
    pieces: list[str] = []
    current: list[str] = []
    length = entities = chars = 0  # of the current piece: visible, entities, characters
    for part in parts:
        size, count = _measure(part)
        if chars and length + len(separator) + size <= limit and entities + count <= max_entities:
            current.append(part)
            length, entities = length + len(separator) + size, entities + count
            chars += len(separator) + len(part)
            continue
        if chars:
            pieces.append(separator.join(current))
        if size > limit or count > max_entities:
            *whole, part = _stripped(_pack(part, finer, limit, max_entities)) or [""]
            pieces.extend(whole)
            size, count = _measure(part)
        current, length, entities, chars = [part], size, count, len(part)
    if chars:
        pieces.append(separator.join(current))
    return pieces


def _measure(part: str) -> tuple[int, int]:
    """Visible length and entities; most parts are a plain word, measured at once."""
    if "<" not in part and "&" not in part:
        return _utf16_length(part), 0
    return visible_length(part), entity_count(part)


def _cut(text: str, limit: int, max_entities: int) -> list[str]:
    """Cut a text with no separator outside its tags into pieces that fit, word or not."""
    cutter = _Cutter(limit, max_entities)
    for match in _TOKEN.finditer(text):
        token = match[0]
        if match[2]:
            cutter.tag(token, match[2].lower(), closing=bool(match[1]))
        elif token.startswith("&") and len(token) > 1:
            cutter.atom(token, visible_length(token))
        else:
            cutter.text(token)
    return cutter.done()


class _Cutter:
    """Fills pieces token by token, closing the open tags at each cut and reopening them."""

    def __init__(self, limit: int, max_entities: int) -> None:
        self.limit, self.max_entities = limit, max_entities
        self.pieces: list[str] = []
        self.out: list[str] = []
        self.open: list[tuple[str, str]] = []  # (name, opening tag) of the tags open now
        self.length = 0
        self.entities = 0

    def tag(self, token: str, name: str, *, closing: bool) -> None:
        if closing:
            if self.open and self.open[-1][0] == name:
                self.open.pop()
        else:
            if self.entities >= self.max_entities and self.length:
                self.flush()
            self.open.append((name, token))
            self.entities += 1
        self.out.append(token)

    def atom(self, token: str, units: int) -> None:
        if self.length + units > self.limit and self.length:
            self.flush()
        self.out.append(token)
        self.length += units

    def text(self, run: str) -> None:
        while run:
            room = self.limit - self.length
            fitting = _prefix_within(run, room)
            if fitting == len(run):
                self.out.append(run)
                self.length += _utf16_length(run)
                return
            # Rather at the last space that fits, so fewer words are broken.
            space = run.rfind(" ", 0, fitting)
            cut = space if space > 0 else fitting
            if cut == 0 and not self.length:
                cut = 1  # one character wider than a whole message: it goes alone
            self.out.append(run[:cut])
            self.length += _utf16_length(run[:cut])
            self.flush()
            run = run[cut + 1 :] if cut == space else run[cut:]

    def flush(self) -> None:
        closing = "".join(f"</{name}>" for name, _ in reversed(self.open))
        self.pieces.append("".join(self.out) + closing)
        self.out = [opening for _, opening in self.open]
        self.length, self.entities = 0, len(self.open)

    def done(self) -> list[str]:
        if self.length:
            self.pieces.append("".join(self.out))
        return self.pieces


def _utf16_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _prefix_within(text: str, units: int) -> int:
    """How many characters from the start of the text fit in this many UTF-16 units."""
    if _utf16_length(text) <= units:
        return len(text)
    if len(text.encode("utf-16-le")) == 2 * len(text):
        return max(units, 0)
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return index
    return len(text)


def _split_outside_tags(text: str, separator: str) -> Iterator[str]:
    """Split on the separator wherever no tag is open."""
    depth = 0
    start = 0
    for match in _TOKEN.finditer(text):
        if match.group(2):
            depth = max(depth - 1, 0) if match.group(1) else depth + 1
            continue
        if depth or separator not in match.group(0) or match.group(0).startswith("&"):
            continue
        chunk_start = match.start()
        for index in _find_all(match.group(0), separator):
            yield text[start : chunk_start + index]
            start = chunk_start + index + len(separator)
    yield text[start:]


def _find_all(haystack: str, needle: str) -> Iterator[int]:
    index = haystack.find(needle)
    while index != -1:
        yield index
        index = haystack.find(needle, index + len(needle))
