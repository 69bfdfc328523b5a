"""Any upload gets a brief or a refusal, and what is accepted can be shown and printed back.

Arbitrary text, bytes and JSON, generated briefs and mutations of the example briefs go
through the parser. A refusal must be sendable as the admin's reply; an accepted brief
must render every part as messages Telegram takes (checked by the local Bot API server's
own HTML parser and limits) and survive the printer and the parser again.

The example counts keep the suite fast; `FUZZ_EXAMPLES=100000` runs a long campaign.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.chat import Part
from bot.core.publishing.drafts import refusal
from bot.core.reading import render_unpublished
from bot.core.rendering import Renderer
from brief import (
    Brief,
    BriefError,
    ParseResult,
    parse_file,
    parse_json,
    parse_text,
    to_json,
    to_text,
)
from storage import StoredBrief
from tests.conftest import DATA
from tests.fakebot.text import MESSAGE_TEXT, format_text
from tests.unit.test_format_roundtrip import json_briefs, text_briefs

# The English examples and those in other languages (briefs/es/, uk/, ru/).
EXAMPLES = [
    path.read_text(encoding="utf-8")
    for path in sorted((DATA / "briefs").glob("*.txt")) + sorted((DATA / "briefs").glob("*/*.txt"))
    if path.parent.name != "invalid"
]
PARTS: tuple[Part, ...] = ("summary", "facts", "sources", "narratives")
RENDERER = Renderer()
PUBLISHED = datetime(2026, 6, 18, 9, 30, tzinfo=UTC)


def fuzz(default: int) -> settings:
    return settings(
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", default)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def assert_sendable(texts: Sequence[str]) -> None:
    """Each text is a message Telegram takes: valid HTML, not empty, within its limits."""
    assert texts
    for text in texts:
        format_text(text, "HTML", None, MESSAGE_TEXT)  # raises as Telegram would refuse


def outcome(parse: Callable[[], ParseResult]) -> Brief | None:
    """The accepted brief, shown part by part; or None for a refusal, sent to its admin."""
    try:
        result = parse()
    except BriefError as error:
        problems = error.problems
    else:
        stored = StoredBrief(12, result.brief, 1, PUBLISHED, None, None)
        for part in PARTS:
            assert_sendable(render_unpublished(RENDERER, stored, part).texts)
        assert parse_json(json.dumps(to_json(result.brief))).brief == result.brief
        return result.brief
    assert problems
    assert_sendable(refusal(RENDERER, problems).texts)
    return None


def accepted_text(text: str) -> None:
    brief = outcome(lambda: parse_text(text))
    if brief is not None:
        assert parse_text(to_text(brief)).brief == brief


# ---------------------------------------------------------------- arbitrary input

# Every code point, lone surrogates and control characters included.
any_character = st.characters(exclude_categories=())
lines = st.lists(
    st.one_of(
        st.text(any_character, max_size=30),
        st.sampled_from(["Facts", "Sources", "Narratives", "Sources: 1A, 2B.", "", "0:00"]),
        st.sampled_from(["Hechos", "Fuentes: 1A y 2B.", "Факти", "Наративи", "Источники:"]),
        st.builds("- {}.{}".format, st.text(max_size=20), st.integers(0, 10**12)),
        st.builds("{}. {}".format, st.integers(0, 10**12), st.text(max_size=20)),
    ),
    max_size=30,
).map("\n".join)


@fuzz(150)
@given(st.one_of(st.text(any_character), lines))
def test_any_text_gets_a_brief_or_a_refusal(text: str) -> None:
    accepted_text(text)


@fuzz(100)
@given(st.binary(), st.booleans())
def test_any_file_gets_a_brief_or_a_refusal(data: bytes, as_json: bool) -> None:
    outcome(lambda: parse_file(data, as_json=as_json))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(any_character),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@fuzz(150)
@given(json_values)
def test_any_json_gets_a_brief_or_a_refusal(value: object) -> None:
    outcome(lambda: parse_json(json.dumps(value)))


@fuzz(50)
@given(st.text('[]{}"\\:,0123456789e.-', max_size=200))
def test_broken_json_gets_a_refusal(text: str) -> None:
    outcome(lambda: parse_json(text))


# ---------------------------------------------------------------- near-valid input


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """The text with a few lines dropped, doubled or changed, or characters inserted."""
    rows = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(rows) - 1))
        action = draw(st.sampled_from(["drop", "double", "insert", "replace", "join"]))
        if action == "drop" and len(rows) > 1:
            del rows[index]
        elif action == "double":
            rows.insert(index, rows[index])
        elif action == "join" and index + 1 < len(rows):
            rows[index : index + 2] = [rows[index] + draw(st.sampled_from(["", " ", ", "]))]
        else:
            row = rows[index]
            at = draw(st.integers(0, len(row)))
            noise = draw(st.text(any_character, max_size=8) | st.sampled_from(NOISE))
            end = at + (draw(st.integers(0, 5)) if action == "replace" else 0)
            rows[index] = row[:at] + noise + row[end:]
    return "\n".join(rows)


NOISE = [".", ". ", ".12", ",", " and ", "\t", "\x00", "\ud800", "https://", "x://y", "Facts"]
# Another language's words, which a brief may not mix with its own.
NOISE += [
    " y ",
    " та ",
    "Hechos",
    "Джерела:",
    "Нарративы",
    " según ",
    " narrative, as provided by ",
]


@fuzz(150)
@given(st.sampled_from(EXAMPLES).flatmap(mutated))
def test_mutated_examples_get_a_brief_or_a_refusal(text: str) -> None:
    accepted_text(text)


@fuzz(40)
@given(text_briefs().map(to_text).flatmap(mutated))
def test_mutated_generated_briefs_get_a_brief_or_a_refusal(text: str) -> None:
    accepted_text(text)


@st.composite
def mutated_json(draw: st.DrawFn) -> str:
    document = to_json(draw(json_briefs()))
    key = draw(st.sampled_from(sorted(document)))
    if draw(st.booleans()) and isinstance(document[key], list) and document[key]:
        items: list[object] = document[key]  # type: ignore[assignment]
        items[draw(st.integers(0, len(items) - 1))] = draw(json_values)
    else:
        document[key] = draw(json_values)
    return json.dumps(document)


@fuzz(50)
@given(mutated_json())
def test_mutated_json_briefs_get_a_brief_or_a_refusal(text: str) -> None:
    outcome(lambda: parse_json(text))


# ---------------------------------------------------------------- examples found


def test_the_examples_render_and_print_back() -> None:
    for text in EXAMPLES:
        result = parse_text(text)
        assert outcome(lambda: result) == result.brief  # noqa: B023 (called at once)
        assert parse_text(to_text(result.brief)).brief == result.brief
