"""The inputs that used to crash the parser or could never be shown: each gets a refusal
naming its line, or a brief that renders and prints back."""

from __future__ import annotations

import json

import pytest

from bot.core.publishing.drafts import refusal
from bot.core.rendering import Renderer
from brief import (
    Brief,
    BriefError,
    Fact,
    Narrative,
    Problem,
    Source,
    parse_file,
    parse_json,
    parse_text,
    to_text,
)
from tests.fakebot.text import MESSAGE_TEXT, format_text

NARRATIVES = (
    "Narratives\n- Pro narrative, as provided by Daily. Text.\n"
    "- Con narrative, as provided by Post. Text.\n"
)


def brief_text(facts: str = "- A fact.1\n", sources: str = "Sources: 1Alpha.\n") -> str:
    return f"Title\nSummary.\nFacts\n{facts}{sources}{NARRATIVES}"


def problems(text: str) -> list[Problem]:
    with pytest.raises(BriefError) as refused:
        parse_text(text)
    return list(refused.value.problems)


def json_problems(text: str) -> list[str]:
    with pytest.raises(BriefError) as refused:
        parse_json(text)
    return [str(problem) for problem in refused.value.problems]


def test_a_citation_of_thousands_of_digits_is_refused_on_its_line() -> None:
    [problem] = problems(brief_text(facts="- A fact.1\n- Another." + "9" * 5000 + "\n"))
    assert problem.line == 5
    assert "more than 6 digits" in problem.message
    assert len(problem.message) < 200


def test_a_decimal_of_thousands_of_digits_is_text_not_a_citation() -> None:
    result = parse_text(brief_text(facts="- Pi is 3." + "1" * 5000 + "\n"))
    assert result.brief.facts[0].sources == ()
    assert "cites no source" in result.warnings[0].message


@pytest.mark.parametrize(
    ("sources", "line"),
    [("Sources\n1. Alpha\n" + "2" * 5000 + ". Beta\n", 7), ("Sources: " + "2" * 5000 + "A.\n", 5)],
)
def test_a_source_number_of_thousands_of_digits_is_refused_on_its_line(
    sources: str, line: int
) -> None:
    found = problems(brief_text(sources=sources))
    assert any(p.line == line and "more than 6 digits" in p.message for p in found)


def test_a_long_inline_source_list_is_read() -> None:
    names = [f"Source {n}" for n in range(1, 1001)]
    entries = ", ".join(f"{n}{name}" for n, name in enumerate(names, start=1))
    result = parse_text(brief_text(sources=f"Sources: {entries}.\n"))
    assert [source.name for source in result.brief.sources] == names


def test_the_inline_list_that_used_to_recurse_is_answered() -> None:
    found = problems(brief_text(sources="Sources: 1A" + ", 2b" * 700 + "\n"))
    assert found[0].line == 5


def test_lone_surrogates_and_control_characters_are_refused_with_their_line() -> None:
    found = problems(brief_text(facts="- A fact.1\n- B\x00C.1\n- D\ud800E.1\n"))
    assert [(p.line, "control character" in p.message) for p in found] == [(5, True), (6, False)]
    assert "surrogate" in found[1].message


def test_json_lone_surrogates_and_control_characters_are_refused() -> None:
    document = json.loads(brief_json())
    document["title"] = "T\ud800"
    document["summary"] = "S\u0000"
    found = json_problems(json.dumps(document))
    assert found[0].startswith("title: holds half of a surrogate pair")
    assert found[1].startswith("summary: holds a control character")


def brief_json() -> str:
    return json.dumps(
        {
            "title": "Title",
            "summary": "Summary.",
            "facts": [{"text": "A fact.", "sources": [1]}],
            "sources": [{"number": 1, "name": "Alpha", "url": None}],
            "narratives": [{"label": "Pro", "outlet": "Daily", "text": "Text."}] * 2,
        }
    )


def test_json_nesting_and_huge_integers_are_refused() -> None:
    [deep] = json_problems('{\n"title":\n' + "[" * 100_000 + "]" * 100_000 + "}")
    assert deep.startswith("line 3: the JSON nests more than 32 levels")
    huge = brief_json().replace('"sources": [1]', '"sources": [' + "7" * 5000 + "]")
    [problem] = json_problems(huge)
    assert problem.startswith("facts[0].sources[0]: the number 7777")


def test_too_many_lines_are_refused_before_reading() -> None:
    [problem] = problems(brief_text() + "\n" * 30_000)
    assert "at most 20,000" in problem.message


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ("- " + "L" * 201 + " narrative, as provided by Daily. Text.", "label"),
        ("- Pro narrative, as provided by " + "D" * 201 + ". Text.", "outlet"),
    ],
)
def test_labels_and_outlets_that_cannot_be_shown_are_refused(line: str, what: str) -> None:
    text = brief_text().replace("- Pro narrative, as provided by Daily. Text.", line)
    [problem] = problems(text)
    assert problem.line == 7
    assert what in problem.message
    assert "201 characters" in problem.message


@pytest.mark.parametrize("url", ["https:///path", "ftp://example.org", "http://a:b@"])
def test_links_without_a_host_are_refused(url: str) -> None:
    [problem] = problems(brief_text(sources=f"Sources\n1. Alpha — {url}\n"))
    assert "not a web address" in problem.message


def test_a_refusal_quoting_a_long_name_can_be_sent() -> None:
    name = "N" * 4200
    found = problems(brief_text(sources=f"Sources\n1. Alpha\n3. {name}\n"))
    [text, *_] = refusal(Renderer(), tuple(found)).texts
    format_text(text, "HTML", None, MESSAGE_TEXT)
    assert "N" * 4200 not in text


def test_a_refusal_of_thousands_of_problems_lists_the_first() -> None:
    found = problems(brief_text(facts="- A fact.1\n\n" + "stray\n\n" * 5000))
    texts = refusal(Renderer(), tuple(found)).texts
    assert len(texts) == 1
    format_text(texts[0], "HTML", None, MESSAGE_TEXT)
    assert "5000 problems" in texts[0]
    assert "4980 more problems" in texts[0]


def test_six_hundred_sources_without_links_print_back() -> None:
    sources = tuple(Source(n, f"Source {n}") for n in range(1, 601))
    brief = Brief(
        "Title",
        "Summary.",
        (Fact("A fact.", (600,)),),
        sources,
        (Narrative("Pro", "Daily", "Text."), Narrative("Con", "Post", "Text.")),
    )
    assert parse_text(to_text(brief)).brief == brief


def test_names_that_read_otherwise_inline_print_one_a_line() -> None:
    sources = (Source(1, "Smith, 2Bros"), Source(2, "Daily"))
    brief = Brief(
        "Title",
        "Summary.",
        (Fact("A fact.", (2,)),),
        sources,
        (Narrative("Pro", "Daily", "Text."), Narrative("Con", "Post", "Text.")),
    )
    text = to_text(brief)
    assert "Sources\n1. Smith, 2Bros\n2. Daily\n" in text
    assert parse_text(text).brief == brief


def test_a_file_with_a_long_digit_run_is_refused_not_raised() -> None:
    with pytest.raises(BriefError):
        parse_file(b'{"title": ' + b"1" * 100_000 + b"}", as_json=True)
