"""Read a brief from its text form (what an admin pastes) or its JSON form.

Both raise `BriefError` listing every problem at once; warnings about an
accepted brief come back in `ParseResult.warnings`. The text form is read in
passes: numbered lines (`_lines`), then title, summary and sections
(`_layout`), then each section (`_sections`), then the rules that tie the
sections together (`_rules`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from brief import _rules
from brief._inline import read_inline_sources
from brief._json import read_json
from brief._layout import Section, split_layout
from brief._lines import Heading, Line, bullet_text, read_lines, starts_section
from brief._sections import (
    NARRATIVE_SHAPE,
    RawFact,
    RawNarrative,
    RawSource,
    group_items,
    narrative_start,
    read_block_source,
    read_fact,
    read_narrative,
    source_problems,
    stray_fact_line,
    stray_narrative_line,
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
    summary = _read_summary(layout.title, layout.summary, report)
    sections = _known_sections(layout.sections, report)
    sources = _read_sources(sections.get(Heading.SOURCES), report)
    sources = _apply_links(sources, links)
    facts = _read_facts(sections.get(Heading.FACTS), sources, report)
    narratives = _read_narratives(sections.get(Heading.NARRATIVES), report)
    if report.problems:
        raise BriefError(_rules.sort_problems(report.problems))
    brief = Brief(title, summary, tuple(facts), tuple(sources), tuple(narratives))
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


def _read_summary(title: Line, lines: list[Line], report: _Report) -> str:
    if not lines:
        report.error(
            "there is no summary; write it on the lines between the title and the Facts heading",
            title.number,
        )
    return " ".join(line.text for line in lines)


# ---------------------------------------------------------------- sections


def _known_sections(sections: list[Section], report: _Report) -> dict[Heading, Section]:
    """The Facts, Sources and Narratives sections; the others are reported and left out."""
    known: dict[Heading, Section] = {}
    for section in sections:
        if section.heading is None:
            report.warnings.append(_left_out(section))
        elif section.heading in known:
            first = known[section.heading].start.number
            name = section.heading.value
            report.error(
                f"a second {name} section (the first is on line {first}); "
                f"a brief has one {name} section, so merge them",
                section.start.number,
            )
        else:
            known[section.heading] = section
    return known


def _left_out(section: Section) -> Problem:
    name = section.start.text.removesuffix(":").rstrip()
    first, last = section.start.number, section.last_line
    span = f"line {first}" if first == last else f"lines {first}\u2013{last}"
    return Problem(
        f'the "{name}" section ({span}) was left out: a brief keeps only its summary, '
        "Facts, Sources and Narratives",
        first,
    )


def _missing(heading: Heading) -> str:
    examples = {
        Heading.FACTS: 'add a line "Facts" after the summary, then one "- " line per fact',
        Heading.SOURCES: 'add a line such as "Sources: 1Name, 2Name and 3Name." after the facts',
        Heading.NARRATIVES: f'add a line "Narratives", then one line each: {NARRATIVE_SHAPE}',
    }
    return f"there is no {heading.value} section; {examples[heading]}"


# ---------------------------------------------------------------- sources


def _read_sources(section: Section | None, report: _Report) -> list[Source]:
    if section is None:
        report.error(_missing(Heading.SOURCES), None)
        return []
    raw = _source_entries(section, report)
    if not raw:
        report.error(
            'the Sources section lists no sources; add one line per source, "1. Name"',
            section.start.number,
        )
    for index, expected in _rules.misnumbered([source.number for source in raw]):
        source = raw[index]
        report.error(_rules.numbering_message(expected, source.number, source.name), source.line)
    return [Source(source.number, source.name, source.url) for source in raw]


def _source_entries(section: Section, report: _Report) -> list[RawSource]:
    inline = section.inline_sources
    if inline is not None:
        for line in section.lines:
            if line.text:
                report.error(
                    "this line follows the Sources line but is under no heading; "
                    "put it under Facts or Narratives, or remove it",
                    line.number,
                )
        return _inline_sources(inline, section.start.number, report)
    under = _inline_under_heading(section)
    if under is not None:
        return _inline_sources(under.text, under.number, report)
    return _block_sources(section, report)


def _inline_sources(entries: str, line: int, report: _Report) -> list[RawSource]:
    if len(entries) > _rules.INLINE_SOURCES_MAX:
        report.error(
            f"this list of sources is {len(entries)} characters long, too long for one line; "
            'put a line "Sources", then one line per source: "1. Name"',
            line,
        )
        return []
    sources, problems = read_inline_sources(entries, line)
    report.problems += problems
    report.problems += source_problems(sources)
    return sources


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


def _apply_links(sources: list[Source], links: Sequence[tuple[str, str]]) -> list[Source]:
    """Give each source without a url the url of a link whose anchor is its name.

    The anchor may include the source's number ("2POLITICO") or the comma
    after the name, since admins often select the whole entry. A url written
    in the text wins.
    """
    urls: dict[str, str] = {}
    for anchor, url in links:
        if _rules.is_web_url(url):
            text = " ".join(anchor.split())
            urls.setdefault(text, url)
            urls.setdefault(text.rstrip(",;"), url)
    linked = []
    for source in sources:
        numbered = (f"{source.number}{source.name}", f"{source.number}. {source.name}")
        found = next((urls[a] for a in (source.name, *numbered) if a in urls), None)
        linked.append(replace(source, url=found) if source.url is None and found else source)
    return linked


# ---------------------------------------------------------------- facts


def _read_facts(section: Section | None, sources: list[Source], report: _Report) -> list[Fact]:
    if section is None:
        report.error(_missing(Heading.FACTS), None)
        return []
    items, strays = group_items(section.lines, bullet_text, stray_fact_line)
    report.problems.extend(strays)
    if not items:
        report.error(
            'the Facts section has no facts; add one line per fact, starting with "- "',
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


def _read_narratives(section: Section | None, report: _Report) -> list[Narrative]:
    if section is None:
        report.error(_missing(Heading.NARRATIVES), None)
        return []
    items, strays = group_items(section.lines, narrative_start, stray_narrative_line)
    report.problems.extend(strays)
    narratives = []
    for item in items:
        read = read_narrative(item)
        if isinstance(read, RawNarrative):
            narratives.append(Narrative(read.label, read.outlet, read.text))
        else:
            report.problems.append(read)
    if len(items) < _rules.NARRATIVES_MIN:
        report.error(_rules.too_few_narratives(len(items)), section.start.number)
    return narratives
