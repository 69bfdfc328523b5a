"""Read a one-line list of sources: "Sources: 1Al Jazeera, 2POLITICO and 3TASS."

Entry k starts with the number k glued to its name, and names may hold ", " or
" and " themselves, so where one entry ends is a choice: the one that gives the
most entries. It is made in one pass from the right, so a long line costs no more
than its length (a search over the choices costs far more, and recursed once per
entry).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from brief import _rules
from brief._languages import CONJUNCTION_LANGUAGES
from brief._sections import RawSource
from brief.model import Problem

_DIGITS = re.compile(r"\d+")
# Every language's conjunctions, longest first: which one joined the last source is checked
# against the brief's language afterwards, so a list in mixed words is refused, not misread.
_CONJUNCTIONS = "|".join(
    re.escape(word) for word in sorted(CONJUNCTION_LANGUAGES, key=lambda w: (-len(w), w))
)
_SEPARATOR = rf"(?:,\s*(?:{_CONJUNCTIONS})\s+|,\s*|\s+(?:{_CONJUNCTIONS})\s+)"
# A number glued to a capitalised name after a separator, inside what was read as
# one name: "Harbor Ledger and 3Island Weekly" when 2 was expected.
_MISNUMBERED_ENTRY = re.compile(rf"{_SEPARATOR}(?P<number>\d+)(?=[^\W\d_])")


class InlineSources(NamedTuple):
    sources: list[RawSource]
    problems: list[Problem]
    # Each conjunction that joined two entries ("and", "y"), with the number after it.
    conjunctions: list[tuple[str, int]]


def read_inline_sources(entries: str, line: int) -> InlineSources:
    """Read "1Al Jazeera, 2POLITICO and 3TASS." into numbered names.

    Entry k starts with the number k glued to its name, so a separator counts
    only where the next expected number follows it; that lets names hold
    ", " or " and " ("Smith and Sons") and start with digits ("31440 Daily").
    """
    text = entries.removesuffix(".")
    leading = _DIGITS.match(text)
    if leading is None:
        return InlineSources([], [], [])
    first = 1 if text.startswith("1") else _rules.read_number(leading[0])
    if first is None:
        problem = _rules.number_too_long(_rules.LONG_SOURCE_NUMBER, leading[0], line)
        return InlineSources([], [problem], [])
    sources = []
    entries_read, conjunctions = _split_entries(text, first)
    for number, name in entries_read:
        for part_number, part_name in _split_misnumbered(number, name):
            sources.append(RawSource(line, part_number, part_name, None))
    return InlineSources(sources, [], conjunctions)


# A separator and the digits after it: where the next entry may start.
_BOUNDARY = re.compile(
    rf"(?:,\s*(?P<after_comma>{_CONJUNCTIONS})\s+|,\s*|\s+(?P<alone>{_CONJUNCTIONS})\s+)"
    r"(?P<digits>\d+)"
)


def _split_entries(text: str, first: int) -> tuple[list[tuple[int, str]], list[tuple[str, int]]]:
    """The split of `text` into entries first, first+1, ... with the most entries.

    On a tie the later boundary wins, so an earlier name keeps ", 2nd edition"
    rather than the later one starting with "nd edition". Read from the right:
    for every boundary and every number its digits can spell, the most entries
    from there on; the best so far per number is kept, so each boundary is
    looked at once. Also the conjunctions at the boundaries taken, with the number after.
    """
    found = list(_BOUNDARY.finditer(text))
    boundaries = [(m.start(), m.start("digits")) for m in found]
    # (boundary, number) -> the boundary the best entries after that entry start at, or -1.
    follow: dict[tuple[int, int], int] = {}
    best: dict[int, tuple[int, int]] = {}  # number -> (entries, boundary), right of the next
    pending: dict[int, tuple[int, int]] = {}  # the same, from the next boundary only
    for index in range(len(boundaries) - 1, -1, -1):
        counts: dict[int, tuple[int, int]] = {}
        for number in _numbers_at(text, boundaries[index][1], found[index]["digits"]):
            chosen = _after(boundaries, best, pending, index, number)
            follow[index, number] = chosen[1] if chosen else -1
            counts[number] = (1 + (chosen[0] if chosen else 0), index)
        for number, entry in pending.items():
            if number not in best or entry[0] > best[number][0]:
                best[number] = entry
        pending = counts
    chosen = _after(boundaries, best, pending, -1, first)
    entries, taken = _entries(text, boundaries, follow, first, chosen[1] if chosen else -1)
    conjunctions = []
    for index, number in taken:
        word = found[index]["after_comma"] or found[index]["alone"]
        if word:
            conjunctions.append((word, number))
    return entries, conjunctions


def _after(
    boundaries: list[tuple[int, int]],
    best: dict[int, tuple[int, int]],
    pending: dict[int, tuple[int, int]],
    index: int,
    number: int,
) -> tuple[int, int] | None:
    """The best entries after entry `number`, written after boundary `index` (-1: the start)."""
    name_start = (boundaries[index][1] if index >= 0 else 0) + len(str(number))
    found = best.get(number + 1)
    nearest = pending.get(number + 1)
    # Only the next boundary can come before the name has a character.
    if nearest and boundaries[index + 1][0] > name_start and (not found or nearest[0] > found[0]):
        return nearest
    return found


def _numbers_at(text: str, position: int, digits: str) -> list[int]:
    """The numbers an entry starting with these digits can have: "12Daily" is 12 or 1."""
    numbers: list[int] = []
    if digits[0] == "0":
        return numbers
    for length in range(1, min(len(digits), _rules.NUMBER_DIGITS_MAX) + 1):
        written = digits[:length]
        end = position + length
        # ASCII digits, glued to what follows: "2 and" is not entry 2.
        if not written.isascii() or end == len(text) or text[end].isspace():
            break
        numbers.append(int(written))
    return numbers


def _entries(
    text: str,
    boundaries: list[tuple[int, int]],
    follow: dict[tuple[int, int], int],
    first: int,
    chosen: int,
) -> tuple[list[tuple[int, str]], list[tuple[int, int]]]:
    """The entries, and the boundaries taken with the number of the entry after each."""
    entries, taken = [], []
    number, name_start = first, len(str(first))
    while chosen >= 0:
        start, digits = boundaries[chosen]
        entries.append((number, text[name_start:start]))
        number += 1
        taken.append((chosen, number))
        name_start = digits + len(str(number))
        chosen = follow[chosen, number]
    entries.append((number, text[name_start:]))
    return entries, taken


def _split_misnumbered(number: int, name: str) -> list[tuple[int, str]]:
    """Cut a name read as one where a capitalised name is glued to a number after a separator."""
    parts = []
    start = 0
    for match in _MISNUMBERED_ENTRY.finditer(name):
        digits = match["number"]
        found = _rules.read_number(digits)
        if found is None or not name[match.end("number")].isupper():
            continue
        parts.append((number, name[start : match.start()]))
        number, start = found, match.end("number")
    parts.append((number, name[start:]))
    return parts
