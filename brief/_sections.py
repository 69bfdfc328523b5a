"""Third pass: read what is inside each section (facts, sources, narratives).

Readers here return raw values still tied to their lines; whether citations
and numbering agree across sections is checked afterwards, in `_rules`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from brief import _rules
from brief._lines import CLOSING, Line, bullet_text
from brief.model import Problem

NARRATIVE_SHAPE = '"- <label> narrative, as provided by <outlet>. <text>"'


@dataclass(slots=True)
class Item:
    """One bullet with the wrapped lines that continue it, joined by spaces."""

    line: int
    last_line: int
    text: str


@dataclass(slots=True)
class RawFact:
    line: int
    citation_line: int  # the line the citation digits are on (the fact's last line)
    text: str  # the whole text as written, citations included
    body: str  # the text without the citation digits
    numbers: tuple[int, ...]  # the digits glued after the closing punctuation
    # After a number such as "rose 4.5" the digits may be part of the text, so
    # they count as citations only when all of them name listed sources.
    maybe_decimal: bool
    oversized: str | None = None  # cited digits too long to be any source's number


@dataclass(slots=True)
class RawSource:
    line: int
    number: int
    name: str
    url: str | None


def group_items(
    lines: list[Line],
    starts_item: Callable[[str], str | None],
    stray: Callable[[Line], Problem],
) -> tuple[list[Item], list[Problem]]:
    """Group bullet lines with their wrapped continuations; other lines are problems.

    A line that is not a bullet continues the bullet right above it (a pasted
    paragraph wrapped by the admin's editor); after a blank line it does not.
    """
    # Wrapped lines are collected and joined once per item: joining as they come would
    # copy the item's text again for every line of it.
    items: list[tuple[int, int, list[str]]] = []
    problems: list[Problem] = []
    open_item = False
    for line in lines:
        if not line.text:
            open_item = False
            continue
        text = starts_item(line.text)
        if text is not None:
            items.append((line.number, line.number, [text]))
            open_item = True
        elif open_item:
            first, _, parts = items[-1]
            parts.append(line.text)
            items[-1] = (first, line.number, parts)
        else:
            problems.append(stray(line))
    return [Item(first, last, " ".join(parts)) for first, last, parts in items], problems


# ---------------------------------------------------------------- facts

# The digits glued after a fact's last closing punctuation: "…in May.1" or "…said.”2, 3".
# They hold no closing punctuation, so only the last one can be followed by them, and
# each run of digits is read from the mark before it only: linear, however many marks.
_CITED_END = re.compile(rf"[{re.escape(CLOSING)}](?P<numbers>\d+(?:\s*,\s*\d+)*)\Z")
_DIGITS = re.compile(r"\d+")


def read_fact(item: Item) -> RawFact:
    text = item.text
    cited = _CITED_END.search(text)
    if cited is None:
        return RawFact(item.line, item.last_line, text, text, (), False)
    body = text[: cited.start("numbers")]
    maybe_decimal = body[-1] == "." and body[-2:-1].isdigit()
    digits = _DIGITS.findall(cited["numbers"])
    if max(map(len, digits)) <= _rules.NUMBER_DIGITS_MAX:
        numbers = tuple(map(int, digits))
        return RawFact(item.line, item.last_line, text, body, numbers, maybe_decimal)
    if maybe_decimal:  # "pi is 3.14159265358979": digits of the text, not a citation
        return RawFact(item.line, item.last_line, text, text, (), False)
    oversized = next(run for run in digits if len(run) > _rules.NUMBER_DIGITS_MAX)
    return RawFact(item.line, item.last_line, text, body, (), False, oversized)


def stray_fact_line(line: Line) -> Problem:
    return Problem(
        'this line in the Facts section is not a fact; start each fact with "- " '
        '(or "•", "*", "\u2013"), or remove the line',
        line.number,
    )


# ---------------------------------------------------------------- sources

_BLOCK_SOURCE = re.compile(
    r"(?P<number>\d+)(?:[.)]\s*|\s+)(?P<name>\S.*?)"
    r"(?:\s+(?:[-\u2013\u2014]\s+)?(?P<url>[A-Za-z][\w+.-]*://\S+))?"
)
BLOCK_SHAPE = '"1. Name — https://link" (the link is optional)'


def read_block_source(line: Line) -> tuple[RawSource | None, Problem | None]:
    """The source on a line of a Sources section, and what is wrong with the line."""
    match = _BLOCK_SOURCE.fullmatch(line.text)
    if match is None:
        message = f"this line is not a source; write each source as {BLOCK_SHAPE}"
        return None, Problem(message, line.number)
    number = _rules.read_number(match["number"])
    if number is None:
        return None, Problem(_rules.number_too_long(match["number"], "source number"), line.number)
    source = RawSource(line.number, number, match["name"], match["url"])
    # Kept even when wrong, so the numbering and citations around it are still checked.
    return source, _source_problem(source)


def source_problems(sources: list[RawSource]) -> list[Problem]:
    return [problem for source in sources if (problem := _source_problem(source))]


def _source_problem(source: RawSource) -> Problem | None:
    too_long = _rules.too_long("source name", source.name, _rules.SOURCE_NAME_MAX)
    if too_long:
        return Problem(too_long, source.line)
    if source.url is None or _rules.is_web_url(source.url):
        return None
    return Problem(
        f'the link "{_rules.quote(source.url)}" is not a web address; use one that starts with '
        "http:// or https://",
        source.line,
    )


# ---------------------------------------------------------------- narratives

_NARRATIVE = re.compile(
    r"(?P<label>\S.*?)\s+narrative\s*,?\s+as\s+provided\s+by\s+(?P<rest>\S.*)",
    re.IGNORECASE,
)
# Words that end with a period inside an outlet's name without ending it.
_ABBREVIATION_WORDS = """
    st ste mr mrs ms dr inc co corp cos jr sr ltd llc plc pres gov sen rep reps wash
    mt ft no vs gen col lt sgt capt prof rev hon bros dept univ assn intl natl ave blvd
    jan feb mar apr aug sep sept oct nov dec
"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_OPENING = "\"'\u2018\u201c\u00ab("


@dataclass(slots=True)
class RawNarrative:
    line: int
    label: str
    outlet: str
    text: str


def narrative_start(text: str) -> str | None:
    """A narrative begins at a bullet, or at a line already in the narrative shape."""
    bulleted = bullet_text(text)
    if bulleted is not None:
        return bulleted
    return text if _NARRATIVE.fullmatch(text) else None


def read_narrative(item: Item) -> RawNarrative | Problem:
    match = _NARRATIVE.fullmatch(item.text)
    if match is None:
        return Problem(f"this narrative does not read {NARRATIVE_SHAPE}", item.line)
    split = split_outlet(match["rest"])
    if split is None:
        return Problem(
            "this narrative has no text after the outlet's name; end the outlet with a "
            f"period and a space, then write the text: {NARRATIVE_SHAPE}",
            item.line,
        )
    outlet, text = split
    too_long = _rules.too_long("narrative's label", match["label"], _rules.LABEL_MAX)
    too_long = too_long or _rules.too_long("outlet's name", outlet, _rules.OUTLET_MAX)
    if too_long:
        return Problem(too_long, item.line)
    return RawNarrative(item.line, match["label"], outlet, text)


_OUTLET_END = re.compile(r"\.\s+(?=\S)")


def split_outlet(rest: str) -> tuple[str, str] | None:
    """Split "U.S. News. Text..." at the period that ends the outlet's name.

    That is the first period followed by a space and a capital letter (or an
    opening quote or digit) where the word before it is neither a single capital
    letter ("U.S.") nor a common abbreviation ("St.", "Wash.").
    """
    for match in _OUTLET_END.finditer(rest):
        following = rest[match.end()]
        if not (following.isupper() or following.isdigit() or following in _OPENING):
            continue
        word = _word_before(rest, match.start())
        if (len(word) == 1 and word.isupper()) or word.lower() in _ABBREVIATIONS:
            continue
        if match.start() > 0:
            return rest[: match.start()], rest[match.end() :]
    return None


# Longer than any abbreviation: a longer word is neither one nor a single letter, so only
# this much before a period is read, however long the word.
_WORD_WINDOW = 1 + max(len(word) for word in _ABBREVIATIONS)
_LAST_WORD = re.compile(r"[^\W\d_]+\Z")


def _word_before(text: str, end: int) -> str:
    """The letters right before `end`, or "" when there are none or more than any abbreviation."""
    word = _LAST_WORD.search(text, max(end - _WORD_WINDOW, 0), end)
    return word[0] if word and len(word[0]) < _WORD_WINDOW else ""


def stray_narrative_line(line: Line) -> Problem:
    return Problem(
        f"this line in the Narratives section is not a narrative; write it as {NARRATIVE_SHAPE}",
        line.number,
    )
