"""Which language a brief is written in, read off its structural words, and the lines that
use another language's words.

Each heading, each narrative line and the conjunction before the last inline source is a
marker of the languages whose words it uses. The brief's language is the one most markers
use (on a tie, the one used first), so a refusal names the few lines that differ rather
than the many that agree.
"""

from __future__ import annotations

from collections import Counter
from enum import Enum
from typing import NamedTuple

from brief._languages import BY_CODE, ENGLISH, Heading, Words
from brief.model import Problem


class Kind(Enum):
    HEADING = "heading"
    NARRATIVE = "narrative"
    CONJUNCTION = "conjunction"


class Marker(NamedTuple):
    line: int
    languages: frozenset[str]
    kind: Kind
    written: str = ""  # the heading or conjunction as written ("Fuentes", "y")
    heading: Heading | None = None  # for a heading: which one
    source: int = 0  # for a conjunction: the number of the source it comes before


def most_used_language(markers: list[Marker]) -> Words:
    """The language most markers use; English when there are none."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for index, marker in enumerate(sorted(markers, key=lambda m: m.line)):
        for code in marker.languages:
            counts[code] += 1
            first.setdefault(code, index)
    if not counts:
        return ENGLISH
    code = max(counts, key=lambda c: (counts[c], -first[c]))
    return BY_CODE[code]


def mixed(markers: list[Marker], words: Words) -> list[Problem]:
    """A problem for each marker in another language than the brief's, naming a line in it."""
    agreeing = [marker for marker in markers if words.code in marker.languages]
    if not agreeing:
        return []
    reference = min(agreeing, key=lambda m: m.line)
    seen = f"{_described(reference)} on line {reference.line} is {words.name}"
    return [
        Problem(
            f"{_own(marker)} is {_names(marker)}, but {seen}; {_advice(marker, words)}", marker.line
        )
        for marker in markers
        if words.code not in marker.languages
    ]


def _names(marker: Marker) -> str:
    return " or ".join(BY_CODE[code].name for code in sorted(marker.languages))


def _described(marker: Marker) -> str:
    if marker.kind is Kind.NARRATIVE:
        return "the narrative"
    if marker.kind is Kind.CONJUNCTION:
        return f'"{marker.written}" before source {marker.source}'
    return f'"{marker.written}"'


def _own(marker: Marker) -> str:
    if marker.kind is Kind.NARRATIVE:
        shapes = ", ".join(BY_CODE[code].narrative_shape for code in sorted(marker.languages))
        return f"this narrative ({shapes})"
    return _described(marker)


def _advice(marker: Marker, words: Words) -> str:
    if marker.kind is Kind.CONJUNCTION:
        before = f'"{words.conjunctions[0]}" before the last source'
        return f"write the list of sources in the same language (in {words.name}: {before})"
    if marker.kind is Kind.NARRATIVE:
        expected = words.narrative_shape
    else:
        expected = f'"{words.heading(marker.heading or Heading.FACTS)}"'
    return f"write every heading and narrative in one language (in {words.name}: {expected})"
