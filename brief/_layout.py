"""Second pass: cut the numbered lines into title, summary and sections.

Only the shape of lines is looked at here; what is inside a section is read
by the section parsers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from brief._languages import Heading
from brief._lines import (
    Line,
    bullet_text,
    heading_of,
    inline_sources_of,
    inline_sources_word,
    looks_finished,
    looks_like_heading,
    marked_heading,
    may_start_section,
    starts_section,
)


@dataclass(slots=True)
class Section:
    start: Line  # the heading line, or the one-line "Sources: ..." list
    heading: Heading | None  # None for a heading the format does not know
    lines: list[Line] = field(default_factory=list)  # the lines after `start`

    @property
    def inline_sources(self) -> str | None:
        return inline_sources_of(self.start.text) if self.heading is Heading.SOURCES else None

    @property
    def word(self) -> str:
        """The heading's word as written ("Fuentes"), without a colon or a list."""
        return inline_sources_word(self.start.text) or self.start.text.removesuffix(":").rstrip()

    @property
    def languages(self) -> frozenset[str]:
        """The languages whose word the heading is (none for a heading the format does not know)."""
        marked = marked_heading(self.word) if self.heading is not None else None
        return marked.languages if marked else frozenset()

    @property
    def last_line(self) -> int:
        numbered = [line.number for line in self.lines if line.text]
        return max(numbered, default=self.start.number)


@dataclass(slots=True)
class Layout:
    title: Line | None
    summary: list[Line]
    sections: list[Section]


def split_layout(lines: list[Line]) -> Layout:
    start = next((index for index, line in enumerate(lines) if line.text), None)
    if start is None:
        return Layout(title=None, summary=[], sections=[])
    title = lines[start]
    body = lines[start + 1 :]
    summary_end = next(
        (
            index
            for index, line in enumerate(body)
            if may_start_section(line.text) and starts_section(line.text)
        ),
        len(body),
    )
    summary = [line for line in body[:summary_end] if line.text]
    return Layout(title, summary, _sections(body[summary_end:]))


def _sections(lines: list[Line]) -> list[Section]:
    # Only a line that may start a section is looked at closely; the lines between
    # two of them are handed to the section above in one slice.
    starts = [index for index, line in enumerate(lines) if may_start_section(line.text)]
    sections: list[Section] = []
    taken = 0  # lines before this one belong to a section already, or to none
    for index in starts:
        line = lines[index]
        heading = heading_of(line.text)
        if heading is None and inline_sources_of(line.text) is not None:
            heading = Heading.SOURCES
        if heading is None and not (sections and _is_unknown_heading(lines, index, sections[-1])):
            continue
        if sections:
            sections[-1].lines.extend(lines[taken:index])
        sections.append(Section(line, heading))
        taken = index + 1
    if sections:
        sections[-1].lines.extend(lines[taken:])
    return sections


def _following(lines: list[Line], index: int) -> str:
    """The text of the next line that is not blank ("" when none is).

    Only blank lines are passed over, and the next filled line stops the search
    of the line before it, so all the searches together read each line once.
    """
    for following in range(index + 1, len(lines)):
        if lines[following].text:
            return lines[following].text
    return ""


def _is_unknown_heading(lines: list[Line], index: int, current: Section) -> bool:
    """Whether a line opens a section the format does not know, such as "Predictions".

    Conservative on purpose: the line must look like a heading, must not be
    the wrapped end of the bullet above it, and must be followed by bullets
    (or end with ":").
    """
    text = lines[index].text
    if not looks_like_heading(text):
        return False
    previous = lines[index - 1] if index > 0 else current.start
    wraps_previous = (
        current.heading in (Heading.FACTS, Heading.NARRATIVES, None)
        and previous is not current.start
        and not looks_finished(previous.text)
    )
    if wraps_previous:
        return False
    return text.endswith(":") or bullet_text(_following(lines, index)) is not None
