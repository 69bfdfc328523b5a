"""Rules both forms (text and JSON) must satisfy, worded as what to change."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from brief._messages import N_, Nn_, Plural, problem
from brief.model import Param, Problem

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


# Translators: an upload refused as too long; %(limit)s is the most lines a brief may have
TOO_MANY_LINES = Nn_(
    "the upload has %(count)s line; a brief has at most %(limit)s, "
    "so check that it is the right text",
    "the upload has %(count)s lines; a brief has at most %(limit)s, "
    "so check that it is the right text",
)
# Translators: %(count)s is the title's length, %(limit)s the most it may have
TITLE_TOO_LONG = Nn_(
    "the title is %(count)s character long; shorten it to %(limit)s or fewer",
    "the title is %(count)s characters long; shorten it to %(limit)s or fewer",
)


def title_too_long(title: str, line: int) -> Problem | None:
    return too_long(TITLE_TOO_LONG, title, TITLE_MAX, line)


def too_many_lines(text: str) -> Problem | None:
    lines = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    if lines <= LINES_MAX:
        return None
    return problem(TOO_MANY_LINES, count=lines, limit=LINES_MAX)


def read_number(digits: str) -> int | None:
    """The number written with these digits, or None when no brief has that many sources."""
    return int(digits) if len(digits) <= NUMBER_DIGITS_MAX else None


# Translators: %(digits)s is a number as written (shortened), %(count)s how many digits a
# source's number may have at most
LONG_SOURCE_NUMBER = Nn_(
    "the source number %(digits)s has more than %(count)s digit; "
    "no brief has that many sources, so check the number",
    "the source number %(digits)s has more than %(count)s digits; "
    "no brief has that many sources, so check the number",
)
# Translators: as "the source number …", for a number cited after a fact
LONG_CITED_SOURCE = Nn_(
    "the cited source %(digits)s has more than %(count)s digit; "
    "no brief has that many sources, so check the number",
    "the cited source %(digits)s has more than %(count)s digits; "
    "no brief has that many sources, so check the number",
)
# Translators: as "the source number …", for a number in a brief's JSON form
LONG_NUMBER = Nn_(
    "the number %(digits)s has more than %(count)s digit; "
    "no brief has that many sources, so check the number",
    "the number %(digits)s has more than %(count)s digits; "
    "no brief has that many sources, so check the number",
)


def number_too_long(
    message: Plural, digits: str, line: int | None = None, where: str | None = None
) -> Problem:
    return problem(message, line, where, digits=quote(digits, 12), count=NUMBER_DIGITS_MAX)


# Translators: %(code)s is a character's code in hexadecimal ("001B"); a line of the upload
UNSENDABLE_LINE = N_(
    "this line holds a control character (U+%(code)s), which Telegram cannot show; remove it"
)
# Translators: as "this line holds a control character …": half of a UTF-16 surrogate pair
SURROGATE_LINE = N_(
    "this line holds half of a surrogate pair (U+%(code)s), which Telegram cannot show; remove it"
)
# Translators: after the place of a value in a JSON document ("title: holds …")
UNSENDABLE_VALUE = N_(
    "holds a control character (U+%(code)s), which Telegram cannot show; remove it"
)
# Translators: after the place of a value in a JSON document ("title: holds …")
SURROGATE_VALUE = N_(
    "holds half of a surrogate pair (U+%(code)s), which Telegram cannot show; remove it"
)


def unsendable(text: str, line: int | None = None, where: str | None = None) -> Problem | None:
    """What is wrong when the text holds a character Telegram cannot send: a line of the
    text form, or a JSON value at `where`."""
    found = _UNSENDABLE.search(text)
    if found is None:
        return None
    code = ord(found[0])
    if where is not None:
        message = SURROGATE_VALUE if code >= 0xD800 else UNSENDABLE_VALUE
    else:
        message = SURROGATE_LINE if code >= 0xD800 else UNSENDABLE_LINE
    return problem(message, line, where, code=f"{code:04X}")


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


def too_long(message: Plural, text: str, limit: int, line: int | None = None) -> Problem | None:
    """`message` says the text's length (the count) and the most it may have (`limit`)."""
    if len(text) <= limit:
        return None
    return problem(message, line, count=len(text), limit=limit)


def misnumbered(numbers: Sequence[int]) -> Iterator[tuple[int, int]]:
    """(index, expected number) for each source not numbered one more than the one before."""
    expected = 1
    for index, number in enumerate(numbers):
        if number != expected:
            yield index, expected
        expected = number + 1


# Translators: %(entry)s is the source as written ("3Harbor Ledger"), %(number)s its number
FIRST_SOURCE_NUMBERED = N_(
    'the first source ("%(entry)s") is numbered %(number)s; number the sources from 1'
)
# Translators: %(previous)s and %(number)s are two sources' numbers, %(entry)s the second
# source as written, %(expected)s the number it should have
SOURCES_SKIP = N_(
    'the sources skip from %(previous)s to %(number)s ("%(entry)s"); number them '
    "1, 2, 3, … in order (this one would be %(expected)s) or add the missing source"
)
# Translators: as "the sources skip from …", for a source numbered lower than the one before
SOURCE_OUT_OF_ORDER = N_(
    'source %(number)s ("%(entry)s") comes after source %(previous)s; number the sources '
    "1, 2, 3, … in order (this one would be %(expected)s)"
)


def misnumbered_source(
    expected: int, number: int, name: str, line: int | None = None, where: str | None = None
) -> Problem:
    entry = f"{number}{quote(name)}"
    if expected == 1:
        return problem(FIRST_SOURCE_NUMBERED, line, where, entry=entry, number=str(number))
    message = SOURCES_SKIP if number > expected else SOURCE_OUT_OF_ORDER
    return problem(
        message,
        line,
        where,
        entry=entry,
        number=str(number),
        previous=str(expected - 1),
        expected=str(expected),
    )


# Translators: %(number)s is the number a fact cites; %(sources)s is the brief's own word
# for its Sources heading ("Sources", "Fuentes"), kept as the brief writes it
CITES_WITHOUT_SOURCES = N_(
    "fact cites source %(number)s, but no sources are listed; add the %(sources)s"
)
# Translators: %(number)s is the number a fact cites; %(count)s how many sources are listed
CITES_PAST_THE_LAST = Nn_(
    "fact cites source %(number)s, but only %(count)s source is listed; "
    "cite source %(count)s or add the missing source",
    "fact cites source %(number)s, but only %(count)s sources are listed; "
    "cite a source from 1 to %(count)s or add the missing source",
)
# Translators: %(listed)s is the sources' numbers: "1, 3, 4"
CITES_UNLISTED = N_(
    "fact cites source %(number)s, which is not listed; cite one of %(listed)s "
    "or add the missing source"
)


class Citations:
    """Checks cited numbers against the listed ones, each in constant time.

    The advice for a wrong citation is worked out once, so a brief with thousands of
    facts citing a missing source costs no more than one with a single such fact.
    """

    def __init__(self, listed: Sequence[int], sources: str = "Sources") -> None:
        self.listed = frozenset(listed)
        self._advice = _citation_advice(listed, sources)

    def unlisted(
        self, number: int, line: int | None = None, where: str | None = None
    ) -> Problem | None:
        """Why citing `number` is wrong, or None when it is fine."""
        if number in self.listed:
            return None
        message, params = self._advice
        return problem(message, line, where, number=str(number), **params)


def _citation_advice(listed: Sequence[int], sources: str) -> tuple[str | Plural, dict[str, Param]]:
    if not listed:
        return CITES_WITHOUT_SOURCES, {"sources": sources}
    count = len(listed)
    if all(number == index for index, number in enumerate(listed, start=1)):
        return CITES_PAST_THE_LAST, {"count": count}
    shown = ", ".join(str(n) for n in listed[:10]) + (", \u2026" if count > 10 else "")
    return CITES_UNLISTED, {"listed": shown}


# Translators: a warning; the brief may still be published. "…in May.1" shows a fact's end
# with the number of its source
UNCITED_FACT = N_(
    "this fact cites no source; it is kept, but readers cannot check it "
    '(add the source number after its final punctuation, e.g. "…in May.1")'
)


def uncited_fact_warning(line: int | None, where: str | None = None) -> Problem:
    return problem(UNCITED_FACT, line, where)


# Translators: %(count)s is how many narratives (ways outlets tell the story) the brief has
TOO_FEW_NARRATIVES = Nn_(
    "a brief needs at least two narratives; this one has %(count)s; "
    "add opposing narratives, one per line",
    "a brief needs at least two narratives; this one has %(count)s; "
    "add opposing narratives, one per line",
)


def too_few_narratives(count: int, line: int | None) -> Problem:
    return problem(TOO_FEW_NARRATIVES, line, count=count)


def sort_problems(problems: Sequence[Problem]) -> list[Problem]:
    """In line order; problems about the upload as a whole come last."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))
