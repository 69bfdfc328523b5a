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
from brief.model import Brief, Fact, Narrative, Problem, Source

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

    def error(self, path: str, message: str) -> None:
        self.problems.append(Problem(f"{path}: {message}" if path else message))

    def mapping(self, value: object, path: str, kind: str) -> dict[str, object] | None:
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            fields = ", ".join(_FIELDS[kind])
            subject = "must be an" if path else "the brief must be a JSON"
            self.error(path, f"{subject} object with {fields}")
            return None
        for key in value:
            if key not in _FIELDS[kind] and key not in _OPTIONAL.get(kind, ()):
                self.error(_join(path, _rules.quote(key)), f"is not part of a {kind}; remove it")
        for key in _FIELDS[kind]:
            if key not in value:
                self.error(_join(path, key), "is missing; add it")
        return value

    def string(self, value: object, path: str, max_length: int | None = None) -> str | None:
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.error(path, "must be a string")
            return None
        if not value.strip():
            self.error(path, "is empty; write it")
            return None
        if max_length is not None and len(value) > max_length:
            self.error(path, f"is {len(value)} characters long; shorten it to {max_length}")
            return None
        unsendable = _rules.unsendable(value)
        if unsendable:
            self.error(path, unsendable)
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
            self.error(path, 'must be a language tag such as "en", "es" or "pt-BR"')
            return None
        if _LANGUAGE_TAG.fullmatch(value) is None:
            self.error(
                path,
                f'"{_rules.quote(value)}" is not a language tag; write one such as "en", '
                '"es" or "pt-BR" (the language in lower case)',
            )
            return None
        return value

    def number(self, value: object, path: str) -> int | None:
        if value is _MISSING:
            return None
        if isinstance(value, _LongNumber):
            self.error(path, _rules.number_too_long(value, "number"))
            return None
        # bool is an int to Python but not an integer to JSON Schema.
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.error(path, "must be a whole number from 1 up")
            return None
        return value

    def url(self, value: object, path: str) -> str | None:
        if value is None or value is _MISSING:
            return None
        if not isinstance(value, str) or not _rules.is_web_url(value):
            self.error(path, "must be null or a web address starting with http:// or https://")
            return None
        return value

    def array(
        self,
        value: object,
        path: str,
        read: Callable[[object, str], _T | None],
        min_items: int = 0,
        what: str = "item",
    ) -> dict[int, _T]:
        """The items read without problems, by their index in the array."""
        if value is _MISSING:
            return {}
        if not isinstance(value, list):
            self.error(path, "must be an array")
            return {}
        if len(value) > _rules.LINES_MAX:
            self.error(path, f"has {len(value)} items; a brief has at most {_rules.LINES_MAX:,}")
            return {}
        if len(value) < min_items:
            self.error(path, f"has {_count(len(value), what)}; a brief needs at least {min_items}")
        items = {index: read(item, f"{path}[{index}]") for index, item in enumerate(value)}
        return {index: item for index, item in items.items() if item is not None}


def _count(count: int, what: str) -> str:
    return f"{count} {what}" if count == 1 else f"{count} {what}s"


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
        reader.error("", "the upload is not UTF-8 text; save the JSON file as UTF-8")
        return None
    if not text.strip():
        reader.error("", "the upload is empty; send a JSON object with the brief")
        return None
    too_deep = _too_deep(text)
    if too_deep is not None:
        reader.problems.append(too_deep)
        return None
    try:
        return json.loads(text, parse_int=_integer)  # type: ignore[no-any-return]
    except json.JSONDecodeError as error:
        message = f"the upload is not valid JSON: {error.msg} (column {error.colno})"
        reader.problems.append(Problem(message, error.lineno))
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
                message = (
                    f"the JSON nests more than {MAX_DEPTH} levels deep here; "
                    "a brief nests four (facts[0].sources[0])"
                )
                return Problem(message, line)
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
    facts = reader.array(read("facts"), "facts", partial(_fact, reader), 1, "fact")
    sources = reader.array(read("sources"), "sources", partial(_source, reader), 1, "source")
    narratives = reader.array(
        read("narratives"),
        "narratives",
        partial(_narrative, reader),
        _rules.NARRATIVES_MIN,
        "narrative",
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
        message = _rules.numbering_message(expected, source.number, source.name)
        reader.error(f"sources[{index}].number", message)


def _check_citations(reader: _Reader, facts: dict[int, _Fact], listed: list[int]) -> None:
    citations = _rules.Citations(listed)
    for index, fact in facts.items():
        for position, number in fact.cited.items():
            message = citations.unlisted(number)
            if message:
                reader.error(f"facts[{index}].sources[{position}]", message)


def _warn_uncited(reader: _Reader, facts: dict[int, _Fact]) -> None:
    for index, fact in facts.items():
        if not fact.cited:
            reader.warnings.append(_rules.uncited_fact_warning(None, f"facts[{index}]: "))
