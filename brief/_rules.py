"""Rules both forms (text and JSON) must satisfy, worded as what to change."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from brief.model import Problem

TITLE_MAX = 300
NARRATIVES_MIN = 2


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def title_too_long(title: str) -> str | None:
    if len(title) <= TITLE_MAX:
        return None
    return f"the title is {len(title)} characters long; shorten it to {TITLE_MAX} or fewer"


def misnumbered(numbers: Sequence[int]) -> Iterator[tuple[int, int]]:
    """(index, expected number) for each source not numbered one more than the one before."""
    expected = 1
    for index, number in enumerate(numbers):
        if number != expected:
            yield index, expected
        expected = number + 1


def numbering_message(expected: int, number: int, name: str) -> str:
    entry = f'"{number}{name}"'
    if expected == 1:
        return f"the first source ({entry}) is numbered {number}; number the sources from 1"
    if number > expected:
        return (
            f"the sources skip from {expected - 1} to {number} ({entry}); number them "
            f"1, 2, 3, … in order (this one would be {expected}) or add the missing source"
        )
    return (
        f"source {number} ({entry}) comes after source {expected - 1}; number the sources "
        f"1, 2, 3, … in order (this one would be {expected})"
    )


def unlisted_citation(number: int, listed: Sequence[int]) -> str | None:
    """Why citing `number` is wrong given the listed source numbers, or None when it is fine."""
    if number in listed:
        return None
    if not listed:
        return f"fact cites source {number}, but no sources are listed; add the Sources"
    count = len(listed)
    if list(listed) == list(range(1, count + 1)):
        are = "is" if count == 1 else "are"
        choice = "source 1" if count == 1 else f"a source from 1 to {count}"
        return (
            f"fact cites source {number}, but only {_plural(count, 'source')} {are} listed; "
            f"cite {choice} or add the missing source"
        )
    shown = ", ".join(str(n) for n in listed)
    return (
        f"fact cites source {number}, which is not listed; cite one of {shown} "
        "or add the missing source"
    )


def uncited_fact_warning(line: int | None, where: str = "") -> Problem:
    return Problem(
        f"{where}this fact cites no source; it is kept, but readers cannot check it "
        '(add the source number after its final punctuation, e.g. "…in May.1")',
        line,
    )


def too_few_narratives(count: int) -> str:
    return (
        f"a brief needs at least two narratives; this one has {count}; "
        "add opposing narratives, one per line"
    )


def sort_problems(problems: Sequence[Problem]) -> list[Problem]:
    """In line order; problems about the upload as a whole come last."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))
