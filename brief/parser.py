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

from brief import _rules
from brief._inline import read_inline_sources
from brief._json import read_json
from brief._languages import CONJUNCTION_LANGUAGES, Heading, Words
from brief._layout import Section, split_layout
from brief._lines import Line, bullet_text, read_lines, starts_section
from brief._markers import Kind, Marker, mixed, most_used_language
from brief._messages import Plural, problem
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
from brief._text_messages import (
    EMPTY_UPLOAD,
    LINE_UNDER_NO_HEADING,
    LONG_INLINE_SOURCES,
    NO_FACTS,
    NO_FACTS_SECTION,
    NO_NARRATIVES_SECTION,
    NO_SOURCES,
    NO_SOURCES_SECTION,
    NO_SUMMARY,
    SECOND_SECTION,
    SECTION_LEFT_OUT,
    SECTION_LEFT_OUT_LINES,
    TITLE_IS_A_HEADING,
)
from brief.model import Brief, BriefError, Fact, Narrative, Param, ParseResult, Problem, Source


@dataclass(slots=True)
class _Report:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)  # the structural words found

    def error(self, message: str | Plural, line: int | None, **params: Param) -> None:
        self.problems.append(problem(message, line, **params))


def parse_text(text: str, links: Sequence[tuple[str, str]] = ()) -> ParseResult:
    """Parse the text form of a brief.

    `links` are (anchor text, url) pairs from the message's link entities; a
    source whose name is an anchor's text gets that url.
    """
    too_many = _rules.too_many_lines(text)
    if too_many:
        raise BriefError([too_many])
    report = _Report()
    layout = split_layout(_sendable_lines(text, read_lines(text), report))
    if layout.title is None:
        raise BriefError([problem(EMPTY_UPLOAD)])
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
        raise BriefError(problems or [problem(EMPTY_UPLOAD)])
    return ParseResult(brief, tuple(warnings))


def _sendable_lines(text: str, lines: list[Line], report: _Report) -> list[Line]:
    """The lines, each character Telegram cannot send reported and replaced.

    Replaced, so the problems found further on quote only what can be sent.
    """
    if _rules.unsendable(text) is None:  # one look at the whole text, almost always enough
        return lines
    sendable = []
    for line in lines:
        unsendable = _rules.unsendable(line.text, line.number)
        if unsendable:
            report.problems.append(unsendable)
            line = Line(line.number, _rules.quote(line.text, len(line.text)))
        sendable.append(line)
    return sendable


# ---------------------------------------------------------------- title and summary


def _read_title(line: Line, report: _Report) -> str:
    if starts_section(line.text):
        report.error(TITLE_IS_A_HEADING, line.number, text=_rules.quote(line.text))
    too_long = _rules.title_too_long(line.text, line.number)
    if too_long:
        report.problems.append(too_long)
    return line.text


def _read_summary(title: Line, lines: list[Line], words: Words, report: _Report) -> str:
    if not lines:
        report.error(NO_SUMMARY, title.number, facts=words.facts)
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
            first = str(known[section.heading].start.number)
            name = words.heading(section.heading)
            report.error(SECOND_SECTION, section.start.number, heading=name, first=first)
        else:
            known[section.heading] = section
    return known


def _left_out(section: Section, words: Words) -> Problem:
    name = section.start.text.removesuffix(":").rstrip()
    first, last = section.start.number, section.last_line
    return problem(
        SECTION_LEFT_OUT if first == last else SECTION_LEFT_OUT_LINES,
        first,
        name=name,
        first=str(first),
        last=str(last),
        facts=words.facts,
        sources=words.sources,
        narratives=words.narratives,
    )


def _missing(heading: Heading, words: Words) -> Problem:
    if heading is Heading.FACTS:
        return problem(NO_FACTS_SECTION, facts=words.facts)
    if heading is Heading.SOURCES:
        return problem(NO_SOURCES_SECTION, sources=words.sources, conjunction=words.conjunctions[0])
    return problem(NO_NARRATIVES_SECTION, narratives=words.narratives, shape=words.narrative_shape)


# ---------------------------------------------------------------- sources


def _read_sources(section: Section | None, words: Words, report: _Report) -> list[Source]:
    if section is None:
        report.problems.append(_missing(Heading.SOURCES, words))
        return []
    raw = _source_entries(section, words, report)
    if not raw:
        report.error(NO_SOURCES, section.start.number, sources=words.sources)
    for index, expected in _rules.misnumbered([source.number for source in raw]):
        source = raw[index]
        report.problems.append(
            _rules.misnumbered_source(expected, source.number, source.name, source.line)
        )
    return [Source(source.number, source.name, source.url) for source in raw]


def _source_entries(section: Section, words: Words, report: _Report) -> list[RawSource]:
    inline = section.inline_sources
    if inline is not None:
        for line in section.lines:
            if line.text:
                report.error(
                    LINE_UNDER_NO_HEADING,
                    line.number,
                    sources=words.sources,
                    facts=words.facts,
                    narratives=words.narratives,
                )
        return _inline_sources(inline, section.start.number, words, report)
    under = _inline_under_heading(section)
    if under is not None:
        return _inline_sources(under.text, under.number, words, report)
    return _block_sources(section, report)


def _inline_sources(entries: str, line: int, words: Words, report: _Report) -> list[RawSource]:
    if len(entries) > _rules.INLINE_SOURCES_MAX:
        report.error(LONG_INLINE_SOURCES, line, count=len(entries), sources=words.sources)
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
        report.problems.append(_missing(Heading.FACTS, words))
        return []
    items, strays = group_items(section.lines, bullet_text)
    report.problems += [stray_fact_line(line, words) for line in strays]
    if not items:
        report.error(NO_FACTS, section.start.number, facts=words.facts)
    citations = _rules.Citations([source.number for source in sources], words.sources)
    return [_resolve_fact(read_fact(item), citations, report) for item in items]


def _resolve_fact(raw: RawFact, citations: _rules.Citations, report: _Report) -> Fact:
    if raw.oversized is not None:
        report.problems.append(
            _rules.number_too_long(_rules.LONG_CITED_SOURCE, raw.oversized, raw.citation_line)
        )
        return Fact(raw.body, ())
    if not raw.numbers or (raw.maybe_decimal and not citations.listed.issuperset(raw.numbers)):
        report.warnings.append(_rules.uncited_fact_warning(raw.line))
        return Fact(raw.text, ())
    if not citations.listed.issuperset(raw.numbers):
        for number in dict.fromkeys(raw.numbers):  # each wrong number once, in order
            unlisted = citations.unlisted(number, raw.citation_line)
            if unlisted:
                report.problems.append(unlisted)
    return Fact(raw.body, raw.numbers)


# ---------------------------------------------------------------- narratives


def _narrative_items(sections: list[Section], report: _Report) -> tuple[list[Item], list[int]]:
    """The first Narratives section's narratives, each a marker of the languages whose
    shape it has, and the lines in it that are no narrative (worded once the language is
    known)."""
    section = next((s for s in sections if s.heading is Heading.NARRATIVES), None)
    if section is None:
        return [], []
    items, strays = group_items(section.lines, narrative_start)
    for item in items:
        languages = shape_languages(item.text)
        if languages:
            report.markers.append(Marker(item.line, languages, Kind.NARRATIVE))
    return items, [stray.number for stray in strays]


def _read_narratives(
    section: Section | None,
    read: tuple[list[Item], list[int]],
    words: Words,
    report: _Report,
) -> list[Narrative]:
    if section is None:
        report.problems.append(_missing(Heading.NARRATIVES, words))
        return []
    items, strays = read
    report.problems += [stray_narrative_line(line, words) for line in strays]
    narratives, problems = read_narratives(items, words)
    report.problems += problems
    if len(items) < _rules.NARRATIVES_MIN:
        report.problems.append(_rules.too_few_narratives(len(items), section.start.number))
    return narratives
