"""First pass over an upload: normalised lines with their numbers, and the shapes lines take.

Everything later works on `Line`s, so every problem can name the line of the
original text it comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # 1-based, in the text as uploaded
    text: str  # whitespace normalised; "" for a blank line


class Heading(Enum):
    FACTS = "Facts"
    SOURCES = "Sources"
    NARRATIVES = "Narratives"


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Pasted text carries zero-width characters that are invisible to the admin.
_INVISIBLE = re.compile("[\u200b\ufeff\u2060]")
_WHITESPACE = re.compile(r"\s+")

# A media player's time display pasted along with the article: "0:00", "/1861", "12:34 / 31:01".
_TIME = r"\d{1,2}(?::\d{2}){1,2}"
_RESIDUE = re.compile(rf"{_TIME}|/\s*(?:{_TIME}|\d+)|{_TIME}\s*/\s*(?:{_TIME}|\d+)")

_HEADING = re.compile(r"(?P<name>facts|sources|narratives)\s*:?", re.IGNORECASE)
_INLINE_SOURCES = re.compile(r"sources\s*:\s*(?P<entries>\d.*)", re.IGNORECASE)
_BULLET = re.compile(r"(?:[-*\u2013]\s+|\u2022\s*)(?P<text>\S.*)")

# Characters that can close a sentence, after which citation digits are glued.
CLOSING = ".!?)]'\"\u2019\u201d\u00bb\u2026"


def read_lines(text: str) -> list[Line]:
    """Split an upload into numbered, normalised lines, dropping player residue.

    Tabs, no-break spaces and runs of spaces become one space, and each line is
    stripped, so texts compare as a reader sees them. Blank lines are kept (as
    "") because a blank line ends a wrapped bullet.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = []
    for number, raw in enumerate(_LINE_BREAK.split(text), start=1):
        clean = _WHITESPACE.sub(" ", _INVISIBLE.sub("", raw)).strip()
        if not is_residue(clean):
            lines.append(Line(number, clean))
    return lines


def is_residue(text: str) -> bool:
    return _RESIDUE.fullmatch(text) is not None


def heading_of(text: str) -> Heading | None:
    """The known heading a line is, if it is one alone on its line."""
    match = _HEADING.fullmatch(text)
    return Heading(match["name"].capitalize()) if match else None


def inline_sources_of(text: str) -> str | None:
    """The entries of a one-line "Sources: 1Name, 2Name and 3Name." list."""
    match = _INLINE_SOURCES.fullmatch(text)
    return match["entries"] if match else None


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
    return (
        0 < len(name) <= 40
        and len(name.split()) <= 5
        and name[0].isupper()
        and name[-1].isalpha()
        and bullet_text(text) is None
        and not any(mark in name for mark in ".!?;")
    )
