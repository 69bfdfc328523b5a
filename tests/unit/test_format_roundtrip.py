"""Printing and parsing again gives the same brief, for generated briefs.

`text_briefs` generates the briefs the text form can represent (the limits
are listed in `brief.printer`): single-spaced one-line fields, facts that end
with closing punctuation (some on a number, "rose 45."), source names with
commas, "and", "&" and leading digits ("1440 Daily"), outlets with periods
("U.S. News", "St. Louis Post"), each in one of the languages the text form has
words for (en, es, uk, ru), with Latin and Cyrillic letters. `json_briefs` generates any
valid brief, in any language tag.
"""

# ruff: noqa: RUF001 - Cyrillic letters are generated on purpose

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brief import Brief, Fact, Narrative, Source, parse_json, parse_text, to_json, to_text

HEADINGS = {
    "facts", "sources", "narratives",
    "hechos", "fuentes", "narrativas",
    "факти", "джерела", "наративи",
    "факты", "источники", "нарративы",
}  # fmt: skip
# The words of each language's narrative line, which a label cannot hold.
NARRATIVE_WORDS = ("narrative", "según", "наратив", "за версією", "по версии")
TEXT_LANGUAGES = ["en", "es", "uk", "ru"]

LOWER = (
    "abcdefghijklmnopqrstuvwxyz\u00e0\u00e9\u00ed\u00f1\u00f3\u00fc"
    "\u0430\u0431\u0432\u0433\u0434\u0435\u0454\u0436\u0438\u0456\u0457\u0439"
    "\u043a\u043b\u043c\u043d\u043e\u0440\u0441\u0442\u0443\u0445\u0449\u044c"
    "\u044b\u044d\u044e\u044f\u0451"
)
UPPER = LOWER.upper()


def joined(first: str, rest: str, max_size: int = 7) -> st.SearchStrategy[str]:
    return st.builds(str.__add__, st.sampled_from(first), st.text(rest, max_size=max_size))


word = joined(LOWER + UPPER, LOWER + "'\u2019&%$-")
number = st.integers(min_value=0, max_value=3000).map(str)
tricky = st.sampled_from(
    ["U.S.", "a.m.", "St.", "4.5%", "2,300", "\u2014", "(as said)", "\u201cso\u201d"]
)
phrase = st.lists(st.one_of(word, word, word, number, tricky), min_size=1, max_size=10).map(
    " ".join
)
line_field = phrase.filter(lambda text: text.lower().rstrip(": ") not in HEADINGS)
closing = st.sampled_from([".", "!", "?", ".'", ".\u201d", ")", "\u2026", "...."])

capitalised = joined(UPPER, LOWER)
source_name = st.tuples(
    st.one_of(capitalised, number),
    # Every language's conjunctions too: inside a name, not before a number, they join nothing.
    st.lists(
        capitalised
        | st.sampled_from(["and", "&", "of", "Inc.", "Rail,", "y", "e", "та", "і", "й", "и"]),
        max_size=3,
    ),
).map(lambda parts: " ".join([parts[0], *parts[1]]))
# An inline name cannot end with a comma: "1Bay Rail, and 2X" reads as "Bay Rail".
source_name = source_name.filter(lambda name: not name.endswith(","))
outlet = st.tuples(
    st.sampled_from(["", "U.S. ", "St. ", "Wash. ", "The ", "Avda. ", "м. "]),
    st.lists(capitalised, max_size=2),
    st.sampled_from(["News", "Post", "Times", "Review", "Daily", "Herald", "Новини", "País"]),
).map(lambda parts: parts[0] + " ".join([*parts[1], parts[2]]))
label = st.builds(
    lambda first, second: f"{first}-{second}" if second else first,
    capitalised,
    st.none() | capitalised | joined(LOWER, LOWER),
).filter(lambda text: not any(words in text.lower() for words in NARRATIVE_WORDS))
url = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}.example/{path}",
    st.sampled_from(["http", "https"]),
    st.text(LOWER[:26], min_size=1, max_size=10),
    st.text(LOWER[:26] + "0123456789?=&.-/", max_size=12),
)


@st.composite
def fact(draw: st.DrawFn, source_count: int) -> Fact:
    text = draw(phrase) + draw(closing)
    cited = draw(st.lists(st.integers(min_value=1, max_value=source_count), max_size=3))
    return Fact(text, tuple(cited))


@st.composite
def narrative(draw: st.DrawFn) -> Narrative:
    opening = draw(st.one_of(capitalised, st.sampled_from(["\u201cWe", "2024", "'Tis"])))
    return Narrative(draw(label), draw(outlet), f"{opening} {draw(phrase)}.")


@st.composite
def text_briefs(draw: st.DrawFn, language: str | None = None) -> Brief:
    names = draw(st.lists(source_name, min_size=1, max_size=12))
    with_urls = draw(st.booleans())
    sources = tuple(
        Source(index, name, draw(st.none() | url) if with_urls else None)
        for index, name in enumerate(names, start=1)
    )
    return Brief(
        title=draw(line_field),
        summary=draw(line_field),
        facts=tuple(draw(st.lists(fact(len(sources)), min_size=1, max_size=6))),
        sources=sources,
        narratives=tuple(draw(st.lists(narrative(), min_size=2, max_size=4))),
        language=language or draw(st.sampled_from(TEXT_LANGUAGES)),
    )


# Any text Telegram can send: no control character but tabs and line breaks.
sendable = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n\r")
any_text = st.text(sendable, min_size=1, max_size=40).filter(str.strip)


@st.composite
def json_briefs(draw: st.DrawFn) -> Brief:
    names = draw(st.lists(any_text, min_size=1, max_size=8))
    sources = tuple(
        Source(index, name, draw(st.none() | url)) for index, name in enumerate(names, start=1)
    )
    cited = st.lists(st.integers(min_value=1, max_value=len(sources)), max_size=3).map(tuple)
    facts = st.builds(Fact, any_text, cited)
    narratives = st.builds(Narrative, any_text, any_text, any_text)
    return Brief(
        title=draw(any_text),
        summary=draw(any_text),
        facts=tuple(draw(st.lists(facts, min_size=1, max_size=5))),
        sources=sources,
        narratives=tuple(draw(st.lists(narratives, min_size=2, max_size=4))),
        language=draw(st.sampled_from([*TEXT_LANGUAGES, "pt-BR", "ar", "zh-Hant-TW"])),
    )


@settings(max_examples=200, deadline=None)
@given(text_briefs())
def test_text_round_trip(brief: Brief) -> None:
    assert parse_text(to_text(brief)).brief == brief


@pytest.mark.parametrize("language", TEXT_LANGUAGES)
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_text_round_trip_in_each_language(language: str, data: st.DataObject) -> None:
    brief = data.draw(text_briefs(language))
    text = to_text(brief)
    assert parse_text(text).brief == brief
    assert (
        text.split("\n")[2]
        == {"en": "Facts", "es": "Hechos", "uk": "Факти", "ru": "Факты"}[language]
    )


@settings(max_examples=200, deadline=None)
@given(json_briefs())
def test_json_round_trip(brief: Brief) -> None:
    assert parse_json(json.dumps(to_json(brief))).brief == brief


@settings(max_examples=100, deadline=None)
@given(text_briefs())
def test_text_and_json_forms_agree(brief: Brief) -> None:
    from_text = parse_text(to_text(brief))
    from_json = parse_json(json.dumps(to_json(from_text.brief), ensure_ascii=False))
    assert from_json.brief == from_text.brief
    assert len(from_json.warnings) == len(from_text.warnings)


def test_a_fact_ending_on_a_number_round_trips_with_its_citation() -> None:
    brief = Brief(
        title="Prices",
        summary="Prices rose.",
        facts=(Fact("Sales rose 45.", (1,)), Fact("Then 12.", (2, 1)), Fact("Flat 2029.", ())),
        sources=(Source(1, "31440 Daily"), Source(2, "1440 Daily")),
        narratives=(Narrative("Up", "U.S. News", "Good."), Narrative("Down", "Wash. Post", "Bad.")),
    )
    text = to_text(brief)
    assert "- Sales rose 45.1\n" in text
    assert "Sources: 131440 Daily and 21440 Daily.\n" in text
    assert parse_text(text).brief == brief
