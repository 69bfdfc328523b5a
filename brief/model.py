"""The brief as data: immutable dataclasses shared by every layer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from gettext import NullTranslations
from typing import Protocol

from brief._languages import BY_CODE


@dataclass(frozen=True, slots=True)
class Fact:
    text: str
    sources: tuple[int, ...]  # numbers of the cited sources, in the order written


@dataclass(frozen=True, slots=True)
class Source:
    number: int
    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Narrative:
    label: str  # "Anti-Russia"
    outlet: str  # "Firstpost"
    text: str


@dataclass(frozen=True, slots=True)
class Brief:
    title: str
    summary: str
    facts: tuple[Fact, ...]
    sources: tuple[Source, ...]
    narratives: tuple[Narrative, ...]
    # The language the brief is written in, an IETF tag ("es", "uk"): recognised from the
    # text form's structural words, or given in the JSON form. Last, with its default, so a
    # brief built without it is English, as every brief was before.
    language: str = "en"

    def source(self, number: int) -> Source | None:
        # Sources are numbered 1, 2, 3, … in order, so this is the one at its place: a
        # search would make showing n facts citing n sources cost n squared.
        if 0 < number <= len(self.sources) and self.sources[number - 1].number == number:
            return self.sources[number - 1]
        return next((s for s in self.sources if s.number == number), None)


Param = str | int  # an int is a quantity, shown in the reader's digits; a str is shown as is


class Translations(Protocol):
    """What words a problem: gettext's translations (NullTranslations for English)."""

    def gettext(self, message: str, /) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


def _grouped(number: int) -> str:
    return f"{number:,}"


def _english_names(codes: Sequence[str]) -> str:
    return " or ".join(BY_CODE[code].name if code in BY_CODE else code for code in codes)


@dataclass(frozen=True, slots=True, eq=False)
class Problem:
    """One thing wrong (or worth a warning) in an upload, with the line it is on.

    `msgid` is an English message marked for translation (brief/_messages.py), its
    %(name)s placeholders filled from `params`; `plural` is its plural form, picked by
    the "count" param. A problem already worded (no params) is shown as it is. Params
    named "language" or "languages" hold language codes, separated by spaces, shown as
    the languages' names. Two problems are equal when they say the same on the same line.
    """

    msgid: str
    line: int | None = None  # 1-based line of the text form; None for the upload as a whole
    params: tuple[tuple[str, Param], ...] = ()
    plural: str | None = None
    where: str | None = None  # the place in a JSON document: "facts[0].sources"

    @property
    def message(self) -> str:
        """In English, after the JSON place when there is one: what the command line shows."""
        worded = self.worded(NullTranslations())
        return f"{self.where}: {worded}" if self.where else worded

    def worded(
        self,
        translations: Translations,
        number: Callable[[int], str] = _grouped,
        languages: Callable[[Sequence[str]], str] = _english_names,
    ) -> str:
        """The message alone (without its line or place), in the translations' language,
        quantities written by `number` and language codes named by `languages`. Total: a
        translation whose placeholders do not fit falls back to English."""
        params = dict(self.params)
        count = params.get("count")
        if self.plural is not None and isinstance(count, int):
            text = translations.ngettext(self.msgid, self.plural, count)
        else:
            text = translations.gettext(self.msgid)
        if not params:
            return text
        values = {key: _shown(key, value, number, languages) for key, value in params.items()}
        try:
            return text % values
        except (KeyError, ValueError, TypeError):
            english = self.plural if self.plural is not None and count != 1 else self.msgid
            return english % values

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return (self.line, self.message) == (other.line, other.message)

    def __hash__(self) -> int:
        return hash((self.line, self.message))


def _shown(
    key: str,
    value: Param,
    number: Callable[[int], str],
    languages: Callable[[Sequence[str]], str],
) -> str:
    if isinstance(value, int):
        return number(value)
    if key.endswith(("language", "languages")):
        return languages(value.split())
    return value


@dataclass(frozen=True, slots=True)
class ParseResult:
    brief: Brief
    warnings: tuple[Problem, ...] = ()


class BriefError(ValueError):
    """A refused upload: every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
