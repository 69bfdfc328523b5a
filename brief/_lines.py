"""First pass over an upload: normalised lines with their numbers, and the shapes lines take.

Everything later works on `Line`s, so every problem can name the line of the
original text it comes from.
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import NamedTuple, cast

from brief._languages import LANGUAGES, Heading


class Line(NamedTuple):
    # A tuple rather than a dataclass: an upload of a million short lines makes a
    # million of these, and a tuple is made several times faster.
    number: int  # 1-based, in the text as uploaded
    text: str  # whitespace normalised; "" for a blank line


# Pasted text carries zero-width characters that are invisible to the admin.
_INVISIBLE = re.compile("[\u200b\ufeff\u2060]")
# Whitespace other than line breaks (tabs, no-break spaces, form feeds...), in runs.
_SPACES = re.compile(r"[^\S\r\n]+")

# A media player's time display pasted along with the article: "0:00", "/1861", "12:34 / 31:01".
_TIME = r"\d{1,2}(?::\d{2}){1,2}"
_RESIDUE = rf"{_TIME}|/ ?(?:{_TIME}|\d+)|{_TIME} ?/ ?(?:{_TIME}|\d+)"
_RESIDUE_LINE = re.compile(rf"^(?:{_RESIDUE})$", re.MULTILINE)


class Marked(NamedTuple):
    """A heading word and the languages it belongs to."""

    heading: Heading
    languages: frozenset[str]


def _heading_words() -> dict[str, Marked]:
    found: dict[str, Marked] = {}
    for words in LANGUAGES:
        for heading in Heading:
            word = words.heading(heading).casefold()
            known = found.get(word, Marked(heading, frozenset()))
            found[word] = Marked(heading, known.languages | {words.code})
    return found


# One named group per word, so which word matched is known without folding the text
# again (case folding and re's IGNORECASE differ on a few characters).
_WORDS = list(_heading_words().items())
_GROUPS = {f"w{index}": marked for index, (_, marked) in enumerate(_WORDS)}
_ALTERNATIVES = "|".join(
    f"(?P<w{index}>{re.escape(word)})" for index, (word, _) in enumerate(_WORDS)
)
_HEADING = re.compile(rf"(?:{_ALTERNATIVES})\s*:?", re.IGNORECASE)
_SOURCE_WORDS = "|".join(
    re.escape(word) for word, marked in _WORDS if marked.heading is Heading.SOURCES
)
_INLINE_SOURCES = re.compile(rf"(?P<word>{_SOURCE_WORDS})\s*:\s*(?P<entries>\d.*)", re.IGNORECASE)
_BULLET = re.compile(r"(?:[-*\u2013]\s+|\u2022\s*)(?P<text>\S.*)")
_SENTENCE_MARK = re.compile("[.!?;]")
# The first letters of the lines that can start a section, in both cases; a letter
# IGNORECASE takes for one of them (the long s for "s") is taken for it by its case too.
_SECTION_INITIALS = frozenset(
    case(word[0]) for word, _ in _WORDS for case in (str.lower, str.upper)
)

# Characters that can close a sentence, after which citation digits are glued.
CLOSING = ".!?)]'\"\u2019\u201d\u00bb\u2026"


def read_lines(text: str) -> list[Line]:
    """Split an upload into numbered, normalised lines, dropping player residue.

    Tabs, no-break spaces and runs of spaces become one space, and each line is
    stripped, so texts compare as a reader sees them. A blank line is kept (as
    "") because it ends a wrapped bullet; a run of them is kept as one, which
    reads the same. The text is normalised whole rather than line by line, so a
    million short lines cost little more than one long one.
    """
    text = text.removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", _INVISIBLE.sub("", text))
    text = text.replace("\n ", "\n").replace(" \n", "\n").strip(" ")
    raw = text.split("\n")
    residue = _residue_lines(text)
    # Blank lines only after a filled line: the rest of a run of them reads the same.
    if residue:
        kept = [
            (number, line)
            for number, line in enumerate(raw, start=1)
            if (line and number not in residue) or (not line and raw[number - 2])
        ]
    else:
        kept = [
            (number, line) for number, line in enumerate(raw, start=1) if line or raw[number - 2]
        ]
    # Made without calling Line(): a million calls of a Python __new__ cost more than the
    # rest of reading the lines.
    return cast(list[Line], list(map(tuple.__new__, repeat(Line), kept)))


def _residue_lines(text: str) -> set[int]:
    numbers = set()
    line, counted = 1, 0
    for match in _RESIDUE_LINE.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        numbers.add(line)
    return numbers


def may_start_section(text: str) -> bool:
    """False for most lines at the cost of one look: only these can be headings."""
    first = text[:1]
    return first in _SECTION_INITIALS or first.isupper() or first.upper() in _SECTION_INITIALS


def marked_heading(text: str) -> Marked | None:
    """The known heading a line is, alone on its line, with the languages of its word."""
    match = _HEADING.fullmatch(text)
    return _GROUPS[match.lastgroup] if match and match.lastgroup else None


def heading_of(text: str) -> Heading | None:
    """The known heading a line is, if it is one alone on its line."""
    marked = marked_heading(text)
    return marked.heading if marked else None


def inline_sources_of(text: str) -> str | None:
    """The entries of a one-line "Sources: 1Name, 2Name and 3Name." list (in any language)."""
    match = _INLINE_SOURCES.fullmatch(text)
    return match["entries"] if match else None


def inline_sources_word(text: str) -> str | None:
    """The "Sources" word of a one-line list, as written ("Fuentes")."""
    match = _INLINE_SOURCES.fullmatch(text)
    return match["word"] if match else None


def starts_section(text: str) -> bool:
    return heading_of(text) is not None or inline_sources_of(text) is not None


def bullet_text(text: str) -> str | None:
    """The text after a bullet (hyphen, "•", "*" or en dash), or None when the line has none."""
    match = _BULLET.fullmatch(text)
    return match["text"] if match else None


def looks_finished(text: str) -> bool:
    """Whether a line ends like a finished sentence or fact (so the next line is not its wrap)."""
    return text == "" or text[-1] in CLOSING or text[-1].isdigit() or text.endswith(":")


def looks_like_heading(text: str) -> bool:
    """A short title-like line: capitalised, few words, no sentence punctuation at the end.

    Deliberately narrow: it only decides whether a line in the body could be
    the heading of a section the format does not know ("Predictions").
    """
    name = text.removesuffix(":").rstrip()
    # Cheapest tests first: this runs for every capitalised line of the body.
    return (
        0 < len(name) <= 40
        and name[0].isupper()
        and name[-1].isalpha()
        and len(name.split()) <= 5
        and _SENTENCE_MARK.search(name) is None
        and bullet_text(text) is None
    )
