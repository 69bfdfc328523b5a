"""Read a brief from its text form (what an admin pastes) or its JSON form.

Both raise `BriefError` listing every problem at once; warnings about an
accepted brief come back in `ParseResult.warnings`. The text form is read in
passes: numbered lines (`_lines`), then title, summary and sections
(`_layout`), then each section (`_sections`, `_narratives`), then the rules
that tie the sections together (`_rules`). The brief's language is read off its
headings and narrative lines (`_markers`) before the sections are read, so what
is said about them names them in the brief's own words; a brief whose structural
words come from two languages is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from brief import _rules
from brief._inline import read_inline_sources
from brief._json import read_json
from brief._languages import CONJUNCTION_LANGUAGES, Heading, Words
from brief._layout import Section, split_layout
from brief._lines import Line, bullet_text, read_lines, starts_section
from brief._markers import Kind, Marker, mixed, most_used_language
from brief._narratives import (
    narrative_start,
    read_narratives,
    shape_languages,
    stray_narrative_line,
)
from brief._sections import (
    Item,
    RawFact,
    RawSource,
    apply_links,
    group_items,
    read_block_source,
    read_fact,
    source_problems,
    stray_fact_line,
)
from brief.model import Brief, BriefError, Fact, Narrative, ParseResult, Problem, Source

EMPTY_UPLOAD = (
    "the upload is empty; send the brief's text: a title, a summary, "
    "then the Facts, Sources and Narratives sections"
)


@dataclass(slots=True)
class _Report:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)  # the structural words found

    def error(self, message: str, line: int | None) -> None:
        self.problems.append(Problem(message, line))


def parse_text(text: str, links: Sequence[tuple[str, str]] = ()) -> ParseResult:
    """Parse the text form of a brief.

    `links` are (anchor text, url) pairs from the message's link entities; a
    source whose name is an anchor's text gets that url.
    """
    too_many = _rules.too_many_lines(text)
    if too_many:
        raise BriefError([Problem(too_many)])
    report = _Report()
    layout = split_layout(_sendable_lines(text, read_lines(text), report))
    if layout.title is None:
        raise BriefError([Problem(EMPTY_UPLOAD)])
    title = _read_title(layout.title, report)
    report.markers += [
        Marker(section.start.number, section.languages, Kind.HEADING, section.word, section.heading)
        for section in layout.sections
        if section.languages
    ]
    narrative_items = _narrative_items(layout.sections, report)
    # Chosen before the sections are read, so what is said about them uses the brief's words.
    words = most_used_language(report.markers)
    summary = _read_summary(layout.title, layout.summary, words, report)
    sections = _known_sections(layout.sections, words, report)
    sources = _read_sources(sections.get(Heading.SOURCES), words, report)
    sources = apply_links(sources, links)
    facts = _read_facts(sections.get(Heading.FACTS), sources, words, report)
    narratives = _read_narratives(sections.get(Heading.NARRATIVES), narrative_items, words, report)
    report.problems += mixed(report.markers, words)
    if report.problems:
        raise BriefError(_rules.sort_problems(report.problems))
    brief = Brief(title, summary, tuple(facts), tuple(sources), tuple(narratives), words.code)
    return ParseResult(brief, tuple(_rules.sort_problems(report.warnings)))


def parse_json(data: str | bytes) -> ParseResult:
    """Parse the JSON form of a brief (see brief.schema.json)."""
    brief, problems, warnings = read_json(data)
    if brief is None or problems:
        raise BriefError(problems or [Problem(EMPTY_UPLOAD)])
    return ParseResult(brief, tuple(warnings))


def _sendable_lines(text: str, lines: list[Line], report: _Report) -> list[Line]:
    """The lines, each character Telegram cannot send reported and replaced.

    Replaced, so the problems found further on quote only what can be sent.
    """
    if _rules.unsendable(text) is None:  # one look at the whole text, almost always enough
        return lines
    sendable = []
    for line in lines:
        problem = _rules.unsendable(line.text)
        if problem:
            report.error(f"this line {problem}", line.number)
            line = Line(line.number, _rules.quote(line.text, len(line.text)))
        sendable.append(line)
    return sendable


# ---------------------------------------------------------------- title and summary


def _read_title(line: Line, report: _Report) -> str:
    if starts_section(line.text):
        report.error(
            f'the first line should be the title, but it is "{_rules.quote(line.text)}"; '
            "put the title and the summary above it",
            line.number,
        )
    too_long = _rules.title_too_long(line.text)
    if too_long:
        report.error(too_long, line.number)
    return line.text


def _read_summary(title: Line, lines: list[Line], words: Words, report: _Report) -> str:
    if not lines:
        report.error(
            "there is no summary; write it on the lines between the title and the "
            f"{words.facts} heading",
            title.number,
        )
    return " ".join(line.text for line in lines)


# ---------------------------------------------------------------- sections


def _known_sections(
    sections: list[Section], words: Words, report: _Report
) -> dict[Heading, Section]:
    """The Facts, Sources and Narratives sections; the others are reported and left out."""
    known: dict[Heading, Section] = {}
    for section in sections:
        if section.heading is None:
            report.warnings.append(_left_out(section, words))
        elif section.heading in known:
            first = known[section.heading].start.number
            name = words.heading(section.heading)
            report.error(
                f"a second {name} section (the first is on line {first}); "
                f"a brief has one {name} section, so merge them",
                section.start.number,
            )
        else:
            known[section.heading] = section
    return known


def _left_out(section: Section, words: Words) -> Problem:
    name = section.start.text.removesuffix(":").rstrip()
    first, last = section.start.number, section.last_line
    span = f"line {first}" if first == last else f"lines {first}\u2013{last}"
    return Problem(
        f'the "{name}" section ({span}) was left out: a brief keeps only its summary, '
        f"{words.facts}, {words.sources} and {words.narratives}",
        first,
    )


def _missing(heading: Heading, words: Words) -> str:
    listed = f"{words.sources}: 1Name, 2Name {words.conjunctions[0]} 3Name."
    examples = {
        Heading.FACTS: f'add a line "{words.facts}" after the summary, then one "- " line per fact',
        Heading.SOURCES: f'add a line such as "{listed}" after the facts',
        Heading.NARRATIVES: (
            f'add a line "{words.narratives}", then one line each: {words.narrative_shape}'
        ),
    }
    return f"there is no {words.heading(heading)} section; {examples[heading]}"


# ---------------------------------------------------------------- sources


def _read_sources(section: Section | None, words: Words, report: _Report) -> list[Source]:
    if section is None:
        report.error(_missing(Heading.SOURCES, words), None)
        return []
    raw = _source_entries(section, words, report)
    if not raw:
        report.error(
            f'the {words.sources} section lists no sources; add one line per source, "1. Name"',
            section.start.number,
        )
    for index, expected in _rules.misnumbered([source.number for source in raw]):
        source = raw[index]
        report.error(_rules.numbering_message(expected, source.number, source.name), source.line)
    return [Source(source.number, source.name, source.url) for source in raw]


def _source_entries(section: Section, words: Words, report: _Report) -> list[RawSource]:
    inline = section.inline_sources
    if inline is not None:
        for line in section.lines:
            if line.text:
                report.error(
                    f"this line follows the {words.sources} line but is under no heading; "
                    f"put it under {words.facts} or {words.narratives}, or remove it",
                    line.number,
                )
        return _inline_sources(inline, section.start.number, words, report)
    under = _inline_under_heading(section)
    if under is not None:
        return _inline_sources(under.text, under.number, words, report)
    return _block_sources(section, report)


def _inline_sources(entries: str, line: int, words: Words, report: _Report) -> list[RawSource]:
    if len(entries) > _rules.INLINE_SOURCES_MAX:
        report.error(
            f"this list of sources is {len(entries)} characters long, too long for one line; "
            f'put a line "{words.sources}", then one line per source: "1. Name"',
            line,
        )
        return []
    read = read_inline_sources(entries, line)
    report.problems += read.problems
    report.problems += source_problems(read.sources)
    report.markers += [
        Marker(line, CONJUNCTION_LANGUAGES[word], Kind.CONJUNCTION, word, source=number)
        for word, number in read.conjunctions
    ]
    return read.sources


def _inline_under_heading(section: Section) -> Line | None:
    """The one line under a "Sources" heading when it is an inline list ("1A and 2B.")."""
    filled = [line for line in section.lines if line.text]
    if len(filled) != 1 or not filled[0].text[:1].isdigit():
        return None
    block_source, _ = read_block_source(filled[0])
    return filled[0] if block_source is None else None


def _block_sources(section: Section, report: _Report) -> list[RawSource]:
    sources = []
    for line in section.lines:
        if not line.text:
            continue
        source, problem = read_block_source(line)
        if source is not None:
            sources.append(source)
        if problem is not None:
            report.problems.append(problem)
    return sources


# ---------------------------------------------------------------- facts


def _read_facts(
    section: Section | None, sources: list[Source], words: Words, report: _Report
) -> list[Fact]:
    if section is None:
        report.error(_missing(Heading.FACTS, words), None)
        return []
    items, strays = group_items(section.lines, bullet_text, partial(stray_fact_line, words=words))
    report.problems.extend(strays)
    if not items:
        report.error(
            f'the {words.facts} section has no facts; add one line per fact, starting with "- "',
            section.start.number,
        )
    citations = _rules.Citations([source.number for source in sources])
    return [_resolve_fact(read_fact(item), citations, report) for item in items]


def _resolve_fact(raw: RawFact, citations: _rules.Citations, report: _Report) -> Fact:
    if raw.oversized is not None:
        report.error(_rules.number_too_long(raw.oversized, "cited source"), raw.citation_line)
        return Fact(raw.body, ())
    if not raw.numbers or (raw.maybe_decimal and not citations.listed.issuperset(raw.numbers)):
        report.warnings.append(_rules.uncited_fact_warning(raw.line))
        return Fact(raw.text, ())
    if not citations.listed.issuperset(raw.numbers):
        for number in dict.fromkeys(raw.numbers):  # each wrong number once, in order
            problem = citations.unlisted(number)
            if problem:
                report.error(problem, raw.citation_line)
    return Fact(raw.body, raw.numbers)


# ---------------------------------------------------------------- narratives


def _narrative_items(sections: list[Section], report: _Report) -> tuple[list[Item], list[int]]:
    """The first Narratives section's narratives, each a marker of the languages whose
    shape it has, and the lines in it that are no narrative (worded once the language is
    known)."""
    section = next((s for s in sections if s.heading is Heading.NARRATIVES), None)
    if section is None:
        return [], []
    items, strays = group_items(
        section.lines, narrative_start, lambda line: Problem("", line.number)
    )
    for item in items:
        languages = shape_languages(item.text)
        if languages:
            report.markers.append(Marker(item.line, languages, Kind.NARRATIVE))
    return items, [stray.line for stray in strays if stray.line is not None]


def _read_narratives(
    section: Section | None,
    read: tuple[list[Item], list[int]],
    words: Words,
    report: _Report,
) -> list[Narrative]:
    if section is None:
        report.error(_missing(Heading.NARRATIVES, words), None)
        return []
    items, strays = read
    report.problems += [stray_narrative_line(line, words) for line in strays]
    narratives, problems = read_narratives(items, words)
    report.problems += problems
    if len(items) < _rules.NARRATIVES_MIN:
        report.error(_rules.too_few_narratives(len(items)), section.start.number)
    return narratives
