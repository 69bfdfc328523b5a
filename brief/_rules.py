"""Rules both forms (text and JSON) must satisfy, worded as what to change."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from brief.model import Problem

TITLE_MAX = 300
NARRATIVES_MIN = 2
# Bounds that keep every accepted brief showable: a label, an outlet or a source name is
# shown whole inside one formatting tag (bold, italic or a link), which a message cannot
# split, so each must fit one message with room to spare.
LABEL_MAX = 200
OUTLET_MAX = 200
SOURCE_NAME_MAX = 500
URL_MAX = 2048
# A million sources cannot fit in an upload of 1 MB, so a longer number is a mistake, and
# refusing it before int() keeps a 5,000-digit run from costing (or raising) anything.
NUMBER_DIGITS_MAX = 6
QUOTE_MAX = 60
# The long example is 60 lines and 8 KB; a brief of 20,000 lines would fill a reader's
# screen for an hour. Bounding the lines (and the items of the JSON form) bounds the work
# done per line, which in Python costs far more than the work done per character.
LINES_MAX = 20_000
# A one-line source list is read by trying each ", 2" in it as the start of a source: a
# longer list belongs one source a line, under a Sources heading.
INLINE_SOURCES_MAX = 20_000

# Control characters other than tabs and line breaks, and halves of a UTF-16 surrogate
# pair: Telegram refuses to send them, so a brief holding one could never be shown.
_UNSENDABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_WEB_URL = re.compile(r"https?://(?:[^\s/?#@]*@)?[^\s/?#@:]+(?::\d{0,5})?(?:[/?#]\S*)?", re.I)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def title_too_long(title: str) -> str | None:
    if len(title) <= TITLE_MAX:
        return None
    return f"the title is {len(title)} characters long; shorten it to {TITLE_MAX} or fewer"


def too_many_lines(text: str) -> str | None:
    lines = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    if lines <= LINES_MAX:
        return None
    return (
        f"the upload has {lines} lines; a brief has at most {LINES_MAX:,}, "
        "so check that it is the right text"
    )


def read_number(digits: str) -> int | None:
    """The number written with these digits, or None when no brief has that many sources."""
    return int(digits) if len(digits) <= NUMBER_DIGITS_MAX else None


def number_too_long(digits: str, what: str) -> str:
    return (
        f"the {what} {quote(digits, 12)} has more than {NUMBER_DIGITS_MAX} digits; "
        "no brief has that many sources, so check the number"
    )


def unsendable(text: str) -> str | None:
    """What is wrong when the text holds a character Telegram cannot send."""
    found = _UNSENDABLE.search(text)
    if found is None:
        return None
    code = ord(found[0])
    kind = "half of a surrogate pair" if code >= 0xD800 else "a control character"
    return f"holds {kind} (U+{code:04X}), which Telegram cannot show; remove it"


def quote(text: str, limit: int = QUOTE_MAX) -> str:
    """User text to quote in a message: shortened, and safe to send whatever it holds."""
    safe = _UNSENDABLE.sub("\ufffd", text)
    return safe if len(safe) <= limit else f"{safe[: limit - 1]}\u2026"


def is_web_url(url: str) -> bool:
    """An http or https address with a host, no spaces and nothing Telegram cannot send."""
    return (
        len(url) <= URL_MAX
        and _WEB_URL.fullmatch(url) is not None
        and _UNSENDABLE.search(url) is None
    )


def too_long(what: str, text: str, limit: int) -> str | None:
    if len(text) <= limit:
        return None
    return f"the {what} is {len(text)} characters long; shorten it to {limit} or fewer"


def misnumbered(numbers: Sequence[int]) -> Iterator[tuple[int, int]]:
    """(index, expected number) for each source not numbered one more than the one before."""
    expected = 1
    for index, number in enumerate(numbers):
        if number != expected:
            yield index, expected
        expected = number + 1


def numbering_message(expected: int, number: int, name: str) -> str:
    entry = f'"{number}{quote(name)}"'
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


class Citations:
    """Checks cited numbers against the listed ones, each in constant time.

    The message for a wrong citation is worded once, so a brief with thousands of
    facts citing a missing source costs no more than one with a single such fact.
    """

    def __init__(self, listed: Sequence[int]) -> None:
        self.listed = frozenset(listed)
        self._advice = _citation_advice(listed)

    def unlisted(self, number: int) -> str | None:
        """Why citing `number` is wrong, or None when it is fine."""
        if number in self.listed:
            return None
        return self._advice.format(number=number)


def _citation_advice(listed: Sequence[int]) -> str:
    if not listed:
        return "fact cites source {number}, but no sources are listed; add the Sources"
    count = len(listed)
    if all(number == index for index, number in enumerate(listed, start=1)):
        are = "is" if count == 1 else "are"
        choice = "source 1" if count == 1 else f"a source from 1 to {count}"
        return (
            f"fact cites source {{number}}, but only {_plural(count, 'source')} {are} listed; "
            f"cite {choice} or add the missing source"
        )
    shown = ", ".join(str(n) for n in listed[:10]) + (", \u2026" if count > 10 else "")
    return (
        f"fact cites source {{number}}, which is not listed; cite one of {shown} "
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
