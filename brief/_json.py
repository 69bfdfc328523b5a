"""Read the JSON form of a brief, checking brief.schema.json by hand.

The schema is checked here rather than with jsonschema so the bot needs no
extra dependency, and so each problem can say what to change. Problems name
the place in the document the way a programmer would write it:
`facts[2].sources` (indexes from 0).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from brief import _rules
from brief._json_messages import (
    BRIEF_NOT_AN_OBJECT,
    EMPTY,
    EMPTY_JSON,
    FEW_FACTS,
    FEW_NARRATIVES,
    FEW_SOURCES,
    JSON_NOT_UTF8,
    KEY_MISSING,
    NOT_A_NUMBER,
    NOT_A_STRING,
    NOT_A_TAG,
    NOT_A_URL,
    NOT_AN_ARRAY,
    NOT_AN_OBJECT,
    NOT_JSON,
    NOT_PART_OF,
    TOO_DEEP,
    TOO_LONG,
    TOO_MANY_ITEMS,
    WRONG_TAG,
)
from brief._messages import Plural, problem
from brief.model import Brief, Fact, Narrative, Param, Problem, Source

_T = TypeVar("_T")

# A brief nests four levels deep (facts[0].sources[0]); far deeper is not a brief, and
# json.loads would recurse once per level.
MAX_DEPTH = 32
# Strings are skipped whole (an unfinished one runs to the end), so only brackets count.
_DEPTH_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*\\?(?:"|\Z)|[\[{]|[\]}]', re.DOTALL)


class _LongNumber(str):
    """A JSON integer with more digits than any source number has, kept unconverted."""


# Stands for a key the document lacks, already reported as missing.
_MISSING = object()

_FIELDS = {
    "brief": ("title", "summary", "facts", "sources", "narratives"),
    "fact": ("text", "sources"),
    "source": ("number", "name", "url"),
    "narrative": ("label", "outlet", "text"),
}
# Fields a document may leave out, with the value they then have.
_OPTIONAL = {"brief": ("language",)}
# brief.schema.json's pattern for "language": an IETF tag, its language in lower case.
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
# RFC 5646 asks that tags of 35 characters be kept; a longer one is no real language's.
LANGUAGE_MAX = 35


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, path: str, message: str | Plural, **params: Param) -> None:
        self.problems.append(problem(message, None, path, **params))

    def mapping(self, value: object, path: str, kind: str) -> dict[str, object] | None:
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            fields = ", ".join(_FIELDS[kind])
            self.error(path, NOT_AN_OBJECT if path else BRIEF_NOT_AN_OBJECT, fields=fields)
            return None
        for key in value:
            if key not in _FIELDS[kind] and key not in _OPTIONAL.get(kind, ()):
                self.error(_join(path, _rules.quote(key)), NOT_PART_OF[kind])
        for key in _FIELDS[kind]:
            if key not in value:
                self.error(_join(path, key), KEY_MISSING)
        return value

    def string(self, value: object, path: str, max_length: int | None = None) -> str | None:
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.error(path, NOT_A_STRING)
            return None
        if not value.strip():
            self.error(path, EMPTY)
            return None
        if max_length is not None and len(value) > max_length:
            self.error(path, TOO_LONG, count=len(value), limit=max_length)
            return None
        unsendable = _rules.unsendable(value, where=path)
        if unsendable:
            self.problems.append(unsendable)
            return None
        return value

    def language(self, value: object, path: str) -> str | None:
        """Any IETF tag is taken, not only the languages whose words the text form knows.

        A JSON brief carries no structural words, so it can be in any language a newsroom
        writes in; refusing Portuguese would keep a brief from readers who would see it
        exactly as written. Only printing it as text needs words, and the printer falls
        back to English ones for the headings.
        """
        if value is _MISSING:
            return "en"
        if not isinstance(value, str) or len(value) > LANGUAGE_MAX:
            self.error(path, NOT_A_TAG)
            return None
        if _LANGUAGE_TAG.fullmatch(value) is None:
            self.error(path, WRONG_TAG, tag=_rules.quote(value))
            return None
        return value

    def number(self, value: object, path: str) -> int | None:
        if value is _MISSING:
            return None
        if isinstance(value, _LongNumber):
            self.problems.append(_rules.number_too_long(_rules.LONG_NUMBER, value, where=path))
            return None
        # bool is an int to Python but not an integer to JSON Schema.
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.error(path, NOT_A_NUMBER)
            return None
        return value

    def url(self, value: object, path: str) -> str | None:
        if value is None or value is _MISSING:
            return None
        if not isinstance(value, str) or not _rules.is_web_url(value):
            self.error(path, NOT_A_URL)
            return None
        return value

    def array(
        self,
        value: object,
        path: str,
        read: Callable[[object, str], _T | None],
        min_items: int = 0,
        too_few: Plural | None = None,
    ) -> dict[int, _T]:
        """The items read without problems, by their index in the array."""
        if value is _MISSING:
            return {}
        if not isinstance(value, list):
            self.error(path, NOT_AN_ARRAY)
            return {}
        if len(value) > _rules.LINES_MAX:
            self.error(path, TOO_MANY_ITEMS, count=len(value), limit=_rules.LINES_MAX)
            return {}
        if len(value) < min_items and too_few is not None:
            self.error(path, too_few, count=len(value), minimum=min_items)
        items = {index: read(item, f"{path}[{index}]") for index, item in enumerate(value)}
        return {index: item for index, item in items.items() if item is not None}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def read_json(data: str | bytes) -> tuple[Brief | None, list[Problem], list[Problem]]:
    """The brief, the problems that refuse it, and the warnings about it."""
    reader = _Reader()
    document = _load(data, reader)
    if document is None:
        return None, reader.problems, []
    brief = _read_brief(reader, document)
    return brief, reader.problems, reader.warnings


def _load(data: str | bytes, reader: _Reader) -> object | None:
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except UnicodeDecodeError:
        reader.error("", JSON_NOT_UTF8)
        return None
    if not text.strip():
        reader.error("", EMPTY_JSON)
        return None
    too_deep = _too_deep(text)
    if too_deep is not None:
        reader.problems.append(too_deep)
        return None
    try:
        return json.loads(text, parse_int=_integer)  # type: ignore[no-any-return]
    except json.JSONDecodeError as error:
        reader.problems.append(
            problem(NOT_JSON, error.lineno, error=error.msg, column=str(error.colno))
        )
        return None


def _integer(digits: str) -> object:
    # Refused later, on its field: int() of thousands of digits is slow, then raises.
    if len(digits.lstrip("-")) > _rules.NUMBER_DIGITS_MAX:
        return _LongNumber(digits)
    return int(digits)


def _too_deep(text: str) -> Problem | None:
    depth = 0
    for token in _DEPTH_TOKEN.finditer(text):
        bracket = token[0]
        if bracket in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, token.start()) + 1
                return problem(TOO_DEEP, line, count=MAX_DEPTH)
        elif bracket in "]}":
            depth -= 1
    return None


def _read_brief(reader: _Reader, document: object) -> Brief | None:
    data = reader.mapping(document, "", "brief")
    if data is None:
        return None

    def read(key: str) -> object:
        return data.get(key, _MISSING)

    language = reader.language(read("language"), "language")
    title = reader.string(read("title"), "title", _rules.TITLE_MAX)
    summary = reader.string(read("summary"), "summary")
    facts = reader.array(read("facts"), "facts", partial(_fact, reader), 1, FEW_FACTS)
    sources = reader.array(read("sources"), "sources", partial(_source, reader), 1, FEW_SOURCES)
    narratives = reader.array(
        read("narratives"),
        "narratives",
        partial(_narrative, reader),
        _rules.NARRATIVES_MIN,
        FEW_NARRATIVES,
    )
    written = read("sources")
    # Numbers checked against a list with unreadable entries would only add false alarms.
    if isinstance(written, list) and len(sources) == len(written):
        _check_numbering(reader, sources)
        _check_citations(reader, facts, [source.number for source in sources.values()])
    _warn_uncited(reader, facts)
    if title is None or summary is None or language is None or reader.problems:
        return None
    return Brief(
        title,
        summary,
        tuple(Fact(fact.text, tuple(fact.cited.values())) for fact in facts.values()),
        tuple(sources.values()),
        tuple(narratives.values()),
        language,
    )


@dataclass(frozen=True, slots=True)
class _Fact:
    text: str
    cited: dict[int, int]  # source numbers by their index in the fact's "sources"


def _fact(reader: _Reader, value: object, path: str) -> _Fact | None:
    data = reader.mapping(value, path, "fact")
    if data is None:
        return None
    text = reader.string(data.get("text", _MISSING), f"{path}.text")
    cited = reader.array(data.get("sources", _MISSING), f"{path}.sources", reader.number)
    return _Fact(text, cited) if text is not None else None


def _source(reader: _Reader, value: object, path: str) -> Source | None:
    data = reader.mapping(value, path, "source")
    if data is None:
        return None
    number = reader.number(data.get("number", _MISSING), f"{path}.number")
    name = reader.string(data.get("name", _MISSING), f"{path}.name", _rules.SOURCE_NAME_MAX)
    url = reader.url(data.get("url", _MISSING), f"{path}.url")
    return Source(number, name, url) if number is not None and name is not None else None


def _narrative(reader: _Reader, value: object, path: str) -> Narrative | None:
    data = reader.mapping(value, path, "narrative")
    if data is None:
        return None
    label = reader.string(data.get("label", _MISSING), f"{path}.label", _rules.LABEL_MAX)
    outlet = reader.string(data.get("outlet", _MISSING), f"{path}.outlet", _rules.OUTLET_MAX)
    text = reader.string(data.get("text", _MISSING), f"{path}.text")
    if label is None or outlet is None or text is None:
        return None
    return Narrative(label, outlet, text)


def _check_numbering(reader: _Reader, sources: dict[int, Source]) -> None:
    indexes = list(sources)
    numbers = [source.number for source in sources.values()]
    for position, expected in _rules.misnumbered(numbers):
        index = indexes[position]
        source = sources[index]
        where = f"sources[{index}].number"
        reader.problems.append(
            _rules.misnumbered_source(expected, source.number, source.name, where=where)
        )


def _check_citations(reader: _Reader, facts: dict[int, _Fact], listed: list[int]) -> None:
    citations = _rules.Citations(listed)
    for index, fact in facts.items():
        for position, number in fact.cited.items():
            unlisted = citations.unlisted(number, where=f"facts[{index}].sources[{position}]")
            if unlisted:
                reader.problems.append(unlisted)


def _warn_uncited(reader: _Reader, facts: dict[int, _Fact]) -> None:
    for index, fact in facts.items():
        if not fact.cited:
            reader.warnings.append(_rules.uncited_fact_warning(None, f"facts[{index}]"))
