"""Reader text: one jinja2 Environment over templates/, and splitting into Telegram messages."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Hashable, Iterator
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from storage.cache import LRU

# Telegram's limits for one text message, counted after entity parsing.
MAX_MESSAGE_LENGTH = 4096
MAX_ENTITIES = 100

MEMO_SIZE = 512
T = TypeVar("T")
_TOKEN = re.compile(r"<(/?)([a-zA-Z0-9-]+)[^>]*>|&[^;\s]*;|[^<&]+|[<&]", re.DOTALL)


def templates_dir() -> Path:
    """The templates package, in a checkout or after a plain `pip install .`."""
    return Path(str(files("templates")))


def _date(value: datetime) -> str:
    return f"{value.day} {value:%B %Y}"


def _datetime(value: datetime) -> str:
    return f"{value.day} {value:%B %Y, %H:%M} UTC"


class Renderer:
    """Renders templates to Telegram HTML; every interpolated value is escaped."""

    def __init__(self, directory: Path | None = None) -> None:
        self._env = Environment(
            loader=FileSystemLoader(directory or templates_dir()),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["date"] = _date
        self._env.filters["datetime"] = _datetime
        self._labels: dict[str, str] = {}
        self._memo: LRU[Hashable, Any] = LRU(MEMO_SIZE)

    def render(self, name: str, **context: Any) -> str:
        return self._env.get_template(name).render(**context).strip()

    def label(self, part: str) -> str:
        """A button's label; labels never change while the bot runs, so each renders once."""
        if part not in self._labels:
            self._labels[part] = self.render("button.txt", part=part)
        return self._labels[part]

    def memo(self, key: Hashable, render: Callable[[], T]) -> T:
        """The result of `render` for this key, kept for the most recently used keys.

        The key must capture everything the rendering depends on; `render` never
        returns None.
        """
        known: T | None = self._memo.get(key)
        if known is not None:
            return known
        value = render()
        self._memo.put(key, value)
        return value

    def lines(self, name: str, **context: Any) -> list[str]:
        """A plain-text template whose non-blank lines are separate labels (buttons, menus)."""
        return [line.strip() for line in self.render(name, **context).splitlines() if line.strip()]

    def messages(self, name: str, **context: Any) -> list[str]:
        """Render, then split into pieces that each fit one Telegram message."""
        return split_message(self.render(name, **context))


def visible_length(text: str) -> int:
    """Length of the text Telegram shows, in the UTF-16 code units it counts limits in."""
    plain = html.unescape(re.sub(r"<[^>]*>", "", text))
    return len(plain.encode("utf-16-le")) // 2


def entity_count(text: str) -> int:
    return sum(1 for m in _TOKEN.finditer(text) if m.group(2) and not m.group(1))


def split_message(
    text: str, limit: int = MAX_MESSAGE_LENGTH, max_entities: int = MAX_ENTITIES
) -> list[str]:
    """Pack the text into as few messages as fit, cutting only between blocks.

    Blocks are separated by blank lines, then by line breaks, then by spaces, always
    outside any tag, so every piece is valid HTML on its own and no word is broken.
    """

    def fits(piece: str) -> bool:
        return visible_length(piece) <= limit and entity_count(piece) <= max_entities

    if fits(text):
        return [text]
    pieces: list[str] = []
    for separator in ("\n\n", "\n", " "):
        parts = list(_split_outside_tags(text, separator))
        if len(parts) > 1:
            break
    else:
        raise ValueError("a single word or tag is longer than one Telegram message")
    current = ""
    for part in parts:
        candidate = f"{current}{separator}{part}" if current else part
        if fits(candidate):
            current = candidate
            continue
        if current:
            pieces.append(current)
        if fits(part):
            current = part
        else:
            *whole, current = split_message(part, limit, max_entities)
            pieces.extend(whole)
    if current:
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def _split_outside_tags(text: str, separator: str) -> Iterator[str]:
    """Split on the separator wherever no tag is open."""
    depth = 0
    start = 0
    for match in _TOKEN.finditer(text):
        if match.group(2):
            depth += -1 if match.group(1) else 1
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
