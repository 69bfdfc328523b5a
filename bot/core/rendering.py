"""Reader text: one jinja2 Environment over templates/ (and an operator's TEMPLATES_DIR before
it), speaking each reader's language, and splitting into Telegram messages."""

from __future__ import annotations

import html
import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from gettext import NullTranslations
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from bot.core.catalogues import Catalogues, load_catalogues
from bot.core.dates import format_date, format_datetime
from bot.core.languages import SOURCE_LANGUAGE, ReaderLocale, current_locale
from storage.snippets import MARK_END, MARK_START

# Telegram's limits for one text message, counted after entity parsing.
MAX_MESSAGE_LENGTH = 4096
MAX_ENTITIES = 100

MEMO_SIZE = 512
_T = TypeVar("_T")
_TOKEN = re.compile(r"<(/?)([a-zA-Z0-9-]+)[^>]*>|&[^;\s]*;|[^<&]+|[<&]", re.DOTALL)


def templates_dir() -> Path:
    """The templates package, in a checkout or after a plain `pip install .`."""
    return Path(str(files("templates")))


def _highlight(snippet: str) -> Markup:
    """A search snippet escaped, its marked words in bold."""
    escaped = html.escape(snippet, quote=False)
    return Markup(escaped.replace(MARK_START, "<b>").replace(MARK_END, "</b>"))


class Renderer:
    """Renders templates to Telegram HTML in the current reader's language (bot/core/languages.py);
    every interpolated value is escaped."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        overrides: Path | None = None,
        catalogues: Catalogues | None = None,
        default_language: str = SOURCE_LANGUAGE,
    ) -> None:
        shipped = directory or templates_dir()
        folders = [overrides, shipped] if overrides else [shipped]
        self.catalogues = catalogues or load_catalogues(*reversed(folders))
        self.default = ReaderLocale(default_language)
        self._env = Environment(
            loader=ChoiceLoader([FileSystemLoader(folder) for folder in folders]),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        self._env.install_gettext_callables(  # type: ignore[attr-defined]
            gettext=lambda message: self._translations().gettext(message),
            ngettext=lambda one, many, n: self._translations().ngettext(one, many, n),
            pgettext=lambda context, message: self._translations().pgettext(context, message),
            npgettext=lambda context, one, many, n: self._translations().npgettext(
                context, one, many, n
            ),
            newstyle=True,
        )
        self._env.filters["date"] = lambda value: format_date(value, self.locale())
        self._env.filters["datetime"] = lambda value: format_datetime(value, self.locale())
        self._env.filters["highlight"] = _highlight
        self._labels: dict[tuple[str, str], str] = {}
        # Renders kept in this process only, rebuilt on demand after a restart: a rendering
        # depends on nothing but its key and the locale, so several replicas may each keep
        # their own.
        self._memo: OrderedDict[Hashable, Any] = OrderedDict()

    def locale(self) -> ReaderLocale:
        """Who the text being rendered is for: the current reader's, else the bot's default."""
        return current_locale() or self.default

    def language(self) -> str:
        return self.locale().language

    def _translations(self) -> NullTranslations:
        return self.catalogues.get(self.language())

    def render(self, name: str, **context: Any) -> str:
        return self._env.get_template(name).render(**context).strip()

    def label(self, part: str) -> str:
        """A button's label; labels never change while the bot runs, so each renders once."""
        key = (self.language(), part)
        if key not in self._labels:
            self._labels[key] = self.render("button.txt", part=part)
        return self._labels[key]

    def memo(self, key: Hashable, render: Callable[[], _T]) -> _T:
        """The result of `render` for this key, kept for the most recently used keys.

        The key must capture everything the rendering depends on; `render` never
        returns None. The locale is part of the key: each language renders its own.
        """
        key = (self.locale(), key)
        if key in self._memo:
            self._memo.move_to_end(key)
            known: _T = self._memo[key]
            return known
        value = self._memo[key] = render()
        if len(self._memo) > MEMO_SIZE:
            self._memo.popitem(last=False)
        return value

    def lines(self, name: str, **context: Any) -> list[str]:
        """A plain-text template whose non-blank lines are separate labels (buttons, menus)."""
        return [line.strip() for line in self.render(name, **context).splitlines() if line.strip()]

    def messages(self, name: str, **context: Any) -> list[str]:
        """Render, then split into pieces that each fit one Telegram message."""
        return split_message(self.render(name, **context))


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
