"""The brief as data: immutable dataclasses shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or worth a warning) in an upload, with the line it is on."""

    message: str
    line: int | None = None  # 1-based line of the text form; None for the upload as a whole

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


@dataclass(frozen=True, slots=True)
class ParseResult:
    brief: Brief
    warnings: tuple[Problem, ...] = ()


class BriefError(ValueError):
    """A refused upload: every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
