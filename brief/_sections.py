"""Third pass: read what is inside each section (facts and sources; narratives in
`_narratives`).

Readers here return raw values still tied to their lines; whether citations
and numbering agree across sections is checked afterwards, in `_rules`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from brief import _rules
from brief._languages import Words
from brief._lines import CLOSING, Line
from brief._messages import N_, Nn_, problem
from brief.model import Problem, Source


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
    lines: list[Line], starts_item: Callable[[str], str | None]
) -> tuple[list[Item], list[Line]]:
    """Group bullet lines with their wrapped continuations; the other lines are strays.

    A line that is not a bullet continues the bullet right above it (a pasted
    paragraph wrapped by the admin's editor); after a blank line it does not.
    """
    # Wrapped lines are collected and joined once per item: joining as they come would
    # copy the item's text again for every line of it.
    items: list[tuple[int, int, list[str]]] = []
    strays: list[Line] = []
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
            strays.append(line)
    return [Item(first, last, " ".join(parts)) for first, last, parts in items], strays


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


# Translators: %(facts)s is the brief's own word for its Facts heading ("Hechos"), kept as
# the brief writes it
STRAY_FACT_LINE = N_(
    'this line in the %(facts)s section is not a fact; start each fact with "- " '
    '(or "•", "*", "\u2013"), or remove the line'
)


def stray_fact_line(line: Line, words: Words) -> Problem:
    return problem(STRAY_FACT_LINE, line.number, facts=words.facts)


# ---------------------------------------------------------------- sources

_BLOCK_SOURCE = re.compile(
    r"(?P<number>\d+)(?:[.)]\s*|\s+)(?P<name>\S.*?)"
    r"(?:\s+(?:[-\u2013\u2014]\s+)?(?P<url>[A-Za-z][\w+.-]*://\S+))?"
)
# Translators: "Name" stands for a source's name, https://link for its web address
NOT_A_SOURCE = N_(
    'this line is not a source; write each source as "1. Name — https://link" '
    "(the link is optional)"
)
# Translators: %(count)s is the length of a source's name, %(limit)s the most it may have
LONG_SOURCE_NAME = Nn_(
    "the source name is %(count)s character long; shorten it to %(limit)s or fewer",
    "the source name is %(count)s characters long; shorten it to %(limit)s or fewer",
)
# Translators: %(link)s is the link as written, shortened
NOT_A_WEB_ADDRESS = N_(
    'the link "%(link)s" is not a web address; use one that starts with http:// or https://'
)


def read_block_source(line: Line) -> tuple[RawSource | None, Problem | None]:
    """The source on a line of a Sources section, and what is wrong with the line."""
    match = _BLOCK_SOURCE.fullmatch(line.text)
    if match is None:
        return None, problem(NOT_A_SOURCE, line.number)
    number = _rules.read_number(match["number"])
    if number is None:
        return None, _rules.number_too_long(_rules.LONG_SOURCE_NUMBER, match["number"], line.number)
    source = RawSource(line.number, number, match["name"], match["url"])
    # Kept even when wrong, so the numbering and citations around it are still checked.
    return source, _source_problem(source)


def source_problems(sources: list[RawSource]) -> list[Problem]:
    return [problem for source in sources if (problem := _source_problem(source))]


def _source_problem(source: RawSource) -> Problem | None:
    too_long = _rules.too_long(LONG_SOURCE_NAME, source.name, _rules.SOURCE_NAME_MAX, source.line)
    if too_long:
        return too_long
    if source.url is None or _rules.is_web_url(source.url):
        return None
    return problem(NOT_A_WEB_ADDRESS, source.line, link=_rules.quote(source.url))


def apply_links(sources: list[Source], links: Sequence[tuple[str, str]]) -> list[Source]:
    """Give each source without a url the url of a link whose anchor is its name.

    The anchor may include the source's number ("2POLITICO") or the comma
    after the name, since admins often select the whole entry. A url written
    in the text wins.
    """
    urls: dict[str, str] = {}
    for anchor, url in links:
        if _rules.is_web_url(url):
            text = " ".join(anchor.split())
            urls.setdefault(text, url)
            urls.setdefault(text.rstrip(",;"), url)
    linked = []
    for source in sources:
        numbered = (f"{source.number}{source.name}", f"{source.number}. {source.name}")
        found = next((urls[a] for a in (source.name, *numbered) if a in urls), None)
        linked.append(replace(source, url=found) if source.url is None and found else source)
    return linked
