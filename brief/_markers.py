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
from brief._messages import N_, problem
from brief.model import Param, Problem


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


# One whole sentence for each kind of marker found in another language (the heading
# "Narratives", the "y" before a source, a narrative's line) and each kind of marker it is
# told apart from. %(languages)s names the other language(s), %(language)s the brief's;
# %(word)s and %(reference)s are structural words as written, kept as they are.
_MIXED = {
    # Translators: %(word)s is a heading as written; %(reference)s another, on line
    # %(reference_line)s; %(languages)s and %(language)s are languages' names; %(expected)s is
    # the heading in the brief's language
    (Kind.HEADING, Kind.HEADING): N_(
        '"%(word)s" is %(languages)s, but "%(reference)s" on line %(reference_line)s is '
        "%(language)s; write every heading and narrative in one language "
        '(in %(language)s: "%(expected)s")'
    ),
    # Translators: as the one above; "%(reference)s" is the word before source
    # %(reference_source)s in a one-line list of sources ("and", "y")
    (Kind.HEADING, Kind.CONJUNCTION): N_(
        '"%(word)s" is %(languages)s, but "%(reference)s" before source %(reference_source)s '
        "on line %(reference_line)s is %(language)s; write every heading and narrative in one "
        'language (in %(language)s: "%(expected)s")'
    ),
    # Translators: as the ones above
    (Kind.HEADING, Kind.NARRATIVE): N_(
        '"%(word)s" is %(languages)s, but the narrative on line %(reference_line)s is '
        "%(language)s; write every heading and narrative in one language "
        '(in %(language)s: "%(expected)s")'
    ),
    # Translators: "%(word)s" is the word before source %(source)s in a one-line list of
    # sources ("and", "y"); %(expected)s is that word in the brief's language
    (Kind.CONJUNCTION, Kind.HEADING): N_(
        '"%(word)s" before source %(source)s is %(languages)s, but "%(reference)s" on line '
        "%(reference_line)s is %(language)s; write the list of sources in the same language "
        '(in %(language)s: "%(expected)s" before the last source)'
    ),
    # Translators: as the one above
    (Kind.CONJUNCTION, Kind.CONJUNCTION): N_(
        '"%(word)s" before source %(source)s is %(languages)s, but "%(reference)s" before '
        "source %(reference_source)s on line %(reference_line)s is %(language)s; write the "
        'list of sources in the same language (in %(language)s: "%(expected)s" before the '
        "last source)"
    ),
    # Translators: as the one above
    (Kind.CONJUNCTION, Kind.NARRATIVE): N_(
        '"%(word)s" before source %(source)s is %(languages)s, but the narrative on line '
        "%(reference_line)s is %(language)s; write the list of sources in the same language "
        '(in %(language)s: "%(expected)s" before the last source)'
    ),
    # Translators: %(shapes)s is the shape of a narrative's line in another language
    # ("- Narrativa <label>, según <outlet>. <text>"), %(expected)s in the brief's
    (Kind.NARRATIVE, Kind.HEADING): N_(
        'this narrative (%(shapes)s) is %(languages)s, but "%(reference)s" on line '
        "%(reference_line)s is %(language)s; write every heading and narrative in one "
        "language (in %(language)s: %(expected)s)"
    ),
    # Translators: as the one above
    (Kind.NARRATIVE, Kind.CONJUNCTION): N_(
        'this narrative (%(shapes)s) is %(languages)s, but "%(reference)s" before source '
        "%(reference_source)s on line %(reference_line)s is %(language)s; write every heading "
        "and narrative in one language (in %(language)s: %(expected)s)"
    ),
    # Translators: as the one above
    (Kind.NARRATIVE, Kind.NARRATIVE): N_(
        "this narrative (%(shapes)s) is %(languages)s, but the narrative on line "
        "%(reference_line)s is %(language)s; write every heading and narrative in one "
        "language (in %(language)s: %(expected)s)"
    ),
}


def mixed(markers: list[Marker], words: Words) -> list[Problem]:
    """A problem for each marker in another language than the brief's, naming a line in it."""
    agreeing = [marker for marker in markers if words.code in marker.languages]
    if not agreeing:
        return []
    reference = min(agreeing, key=lambda m: m.line)
    seen = {
        "reference": reference.written,
        "reference_source": str(reference.source),
        "reference_line": str(reference.line),
        "language": words.code,
    }
    return [
        problem(
            _MIXED[marker.kind, reference.kind],
            marker.line,
            **seen,
            **_own(marker, words),
        )
        for marker in markers
        if words.code not in marker.languages
    ]


def _own(marker: Marker, words: Words) -> dict[str, Param]:
    """The params naming the marker in another language, and what the brief's words are."""
    own: dict[str, Param] = {
        "languages": " ".join(sorted(marker.languages)),
        "word": marker.written,
        "source": str(marker.source),
    }
    if marker.kind is Kind.CONJUNCTION:
        own["expected"] = words.conjunctions[0]
    elif marker.kind is Kind.NARRATIVE:
        own["expected"] = words.narrative_shape
        own["shapes"] = ", ".join(
            BY_CODE[code].narrative_shape for code in sorted(marker.languages)
        )
    else:
        own["expected"] = words.heading(marker.heading or Heading.FACTS)
    return own
