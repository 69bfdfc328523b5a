"""Third pass: read what is inside each section (facts, sources, narratives).

Readers here return raw values still tied to their lines; whether citations
and numbering agree across sections is checked afterwards, in `_rules`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from brief._lines import CLOSING, Line, bullet_text
from brief.model import Problem

NARRATIVE_SHAPE = '"- <label> narrative, as provided by <outlet>. <text>"'


@dataclass(frozen=True, slots=True)
class Item:
    """One bullet with the wrapped lines that continue it, joined by spaces."""

    line: int
    last_line: int
    text: str


@dataclass(frozen=True, slots=True)
class RawFact:
    line: int
    citation_line: int  # the line the citation digits are on (the fact's last line)
    text: str  # the whole text as written, citations included
    body: str  # the text without the citation digits
    numbers: tuple[int, ...]  # the digits glued after the closing punctuation
    # After a number such as "rose 4.5" the digits may be part of the text, so
    # they count as citations only when all of them name listed sources.
    maybe_decimal: bool


@dataclass(frozen=True, slots=True)
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
    items: list[Item] = []
    problems: list[Problem] = []
    open_item = False
    for line in lines:
        if not line.text:
            open_item = False
            continue
        text = starts_item(line.text)
        if text is not None:
            items.append(Item(line.number, line.number, text))
            open_item = True
        elif open_item:
            last = items[-1]
            items[-1] = Item(last.line, line.number, f"{last.text} {line.text}")
        else:
            problems.append(stray(line))
    return items, problems


# ---------------------------------------------------------------- facts

_CITATIONS = re.compile(rf"(?P<body>.*?[{re.escape(CLOSING)}])(?P<numbers>\d+(?:\s*,\s*\d+)*)")


def read_fact(item: Item) -> RawFact:
    match = _CITATIONS.fullmatch(item.text)
    if match is None:
        return RawFact(item.line, item.last_line, item.text, item.text, (), False)
    body = match["body"]
    numbers = tuple(int(number) for number in re.split(r"\s*,\s*", match["numbers"]))
    maybe_decimal = body.endswith(".") and body[-2:-1].isdigit()
    return RawFact(item.line, item.last_line, item.text, body, numbers, maybe_decimal)


def stray_fact_line(line: Line) -> Problem:
    return Problem(
        'this line in the Facts section is not a fact; start each fact with "- " '
        '(or "•", "*", "\u2013"), or remove the line',
        line.number,
    )


# ---------------------------------------------------------------- sources

_SEPARATOR = r"(?:,\s*and\s+|,\s*|\s+and\s+)"
# A number glued to a capitalised name after a separator, inside what was read as
# one name: "Harbor Ledger and 3Island Weekly" when 2 was expected.
_MISNUMBERED_ENTRY = re.compile(rf"{_SEPARATOR}(?P<number>\d+)(?=[^\W\d_])")
_BLOCK_SOURCE = re.compile(
    r"(?P<number>\d+)(?:[.)]\s*|\s+)(?P<name>\S.*?)"
    r"(?:\s+(?:[-\u2013\u2014]\s+)?(?P<url>[A-Za-z][\w+.-]*://\S+))?"
)
BLOCK_SHAPE = '"1. Name — https://link" (the link is optional)'


def read_inline_sources(entries: str, line: int) -> list[RawSource]:
    """Read "1Al Jazeera, 2POLITICO and 3TASS." into numbered names.

    Entry k starts with the number k glued to its name, so a separator counts
    only where the next expected number follows it; that lets names hold
    ", " or " and " ("Smith and Sons") and start with digits ("31440 Daily").
    """
    text = entries.removesuffix(".")
    leading = re.match(r"\d+", text)
    if leading is None:
        return []
    first = 1 if text.startswith("1") else int(leading[0])
    split = _split_entries(text, first)
    sources = []
    for number, name in split:
        for part_number, part_name in _split_misnumbered(number, name):
            sources.append(RawSource(line, part_number, part_name, None))
    return sources


def _split_entries(text: str, first: int) -> list[tuple[int, str]]:
    """The split of `text` into entries first, first+1, ... with the most entries."""

    @cache
    def best(start: int, number: int) -> tuple[tuple[int, str], ...]:
        name_start = start + len(str(number))
        nxt = str(number + 1)
        boundaries = [
            match
            for match in re.finditer(rf"{_SEPARATOR}(?={re.escape(nxt)}\S)", text)
            if match.start() > name_start
        ]
        chosen: tuple[tuple[int, str], ...] = ((number, text[name_start:]),)
        # Latest first, so on a tie the earlier name keeps ", 2nd edition" rather than
        # the later one starting with "nd edition".
        for boundary in reversed(boundaries):
            rest = best(boundary.end(), number + 1)
            if len(rest) + 1 > len(chosen):
                chosen = ((number, text[name_start : boundary.start()]), *rest)
        return chosen

    return list(best(0, first))


def _split_misnumbered(number: int, name: str) -> list[tuple[int, str]]:
    match = next(
        (m for m in _MISNUMBERED_ENTRY.finditer(name) if name[m.end("number")].isupper()),
        None,
    )
    if match is None:
        return [(number, name)]
    found = int(match["number"])
    rest = name[match.end("number") :]
    return [(number, name[: match.start()]), *_split_misnumbered(found, rest)]


def read_block_source(line: Line) -> tuple[RawSource | None, Problem | None]:
    """The source on a line of a Sources section, and what is wrong with the line."""
    match = _BLOCK_SOURCE.fullmatch(line.text)
    if match is None:
        message = f"this line is not a source; write each source as {BLOCK_SHAPE}"
        return None, Problem(message, line.number)
    source = RawSource(line.number, int(match["number"]), match["name"], match["url"])
    if source.url is None or is_web_url(source.url):
        return source, None
    # Kept, so the numbering and citations around it are still checked.
    return source, Problem(
        f'the link "{source.url}" is not a web address; use one that starts with '
        "http:// or https://",
        line.number,
    )


def is_web_url(url: str) -> bool:
    return re.match(r"https?://\S", url, re.IGNORECASE) is not None


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


@dataclass(frozen=True, slots=True)
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
    return RawNarrative(item.line, match["label"], outlet, text)


def split_outlet(rest: str) -> tuple[str, str] | None:
    """Split "U.S. News. Text..." at the period that ends the outlet's name.

    That is the first period followed by a space and a capital letter (or an
    opening quote or digit) where the word before it is neither a single capital
    letter ("U.S.") nor a common abbreviation ("St.", "Wash.").
    """
    for match in re.finditer(r"\.\s+(?=\S)", rest):
        before = re.search(r"[^\W\d_]+$", rest[: match.start()])
        word = before[0] if before else ""
        if (len(word) == 1 and word.isupper()) or word.lower() in _ABBREVIATIONS:
            continue
        following = rest[match.end()]
        starts_text = following.isupper() or following.isdigit() or following in _OPENING
        if starts_text and match.start() > 0:
            return rest[: match.start()], rest[match.end() :]
    return None


def stray_narrative_line(line: Line) -> Problem:
    return Problem(
        f"this line in the Narratives section is not a narrative; write it as {NARRATIVE_SHAPE}",
        line.number,
    )
