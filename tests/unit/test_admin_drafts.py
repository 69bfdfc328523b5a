"""Draft buttons and the preview an admin sees before publishing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.chat import DraftChoice
from bot.core.publishing.drafts import as_readers_see, preview, refusal
from bot.core.reading import render_part
from bot.core.rendering import Renderer
from bot.telegram.keyboards import Keyboards, deep_link, draft_data, parse_draft_data
from brief import BriefError, Problem, parse_text
from storage import Draft, StoredBrief

NOW = datetime(2026, 6, 18, 9, 30, tzinfo=UTC)


@pytest.fixture
def renderer() -> Renderer:
    return Renderer()


def draft(briefs_dir: Path, name: str = "putin-north-korea.txt", **changes: object) -> Draft:
    result = parse_text((briefs_dir / name).read_text(encoding="utf-8"))
    values: dict[str, object] = {
        "id": 7,
        "admin_id": 1000,
        "chat_id": 1000,
        "brief": result.brief,
        "warnings": result.warnings,
        "correcting": None,
        "created_at": NOW,
        "expires_at": NOW + timedelta(days=1),
        **changes,
    }
    return Draft(**values)  # type: ignore[arg-type]


def test_button_data_round_trips_and_fits_telegrams_limit() -> None:
    biggest = 10**18 - 1
    for action in ("publish", "discard"):
        data = draft_data(biggest, action)
        assert len(data.encode()) <= 64
        assert parse_draft_data(data) == DraftChoice(biggest, action)
    for stale in (None, "", "draft:1", "draft:x:publish", "draft:1:publish:2", "brief:1:facts"):
        assert parse_draft_data(stale) is None


def test_preview_shows_the_readers_summary_then_counts_and_buttons(
    renderer: Renderer, briefs_dir: Path
) -> None:
    reply = preview(renderer, draft(briefs_dir), None)
    *summary, details = reply.texts
    as_published = StoredBrief(1, draft(briefs_dir).brief, 1, NOW, None, None)
    readers = render_part(renderer, as_published, "summary").texts
    assert summary[0].replace("<i>", "<i>Brief #1 · ", 1) == readers[0]
    assert "6 facts · 6 sources · 2 narratives" in details
    assert "Publish makes it the latest brief" in details
    assert reply.keyboard is not None
    markup = Keyboards(lambda: "briefbot").markup(reply.keyboard)
    assert markup is not None
    [[publish, discard]] = markup.inline_keyboard
    assert (publish.text, publish.callback_data) == ("Publish", "draft:7:publish")
    assert (discard.text, discard.callback_data) == ("Discard", "draft:7:discard")


def test_preview_lists_warnings_and_uses_singular_counts(
    renderer: Renderer, briefs_dir: Path
) -> None:
    one = draft(briefs_dir, warnings=(Problem("this fact cites no source", 4),))
    brief = replace(one.brief, facts=one.brief.facts[:1], sources=one.brief.sources[:1])
    single = replace(one, brief=brief)
    [_, details] = preview(renderer, single, None).texts
    assert "1 fact · 1 source · 2 narratives" in details
    assert "<b>1 warning</b>" in details
    assert "line 4: this fact cites no source" in details


def test_a_correction_previews_with_its_number_first_date_and_updated_note(
    renderer: Renderer, briefs_dir: Path
) -> None:
    published = datetime(2026, 6, 17, 8, 0, tzinfo=UTC)
    current = StoredBrief(3, draft(briefs_dir).brief, 2, published, None, None)
    correction = draft(briefs_dir, correcting=3)
    seen = as_readers_see(correction, current)
    assert (seen.id, seen.version, seen.published_at, seen.updated_at) == (3, 3, published, NOW)
    [summary, details] = preview(renderer, correction, current).texts
    assert "Brief #3 · 17 June 2026" in summary
    assert "Updated 18 June 2026, 09:30 UTC" in summary
    assert "correction to brief #3 (version 3)" in details


def test_refusal_lists_every_problem(renderer: Renderer) -> None:
    with pytest.raises(BriefError) as error:
        parse_text("<Title>\nSummary\nFacts\n- A fact.3\nSources: 1A.\nNarratives\n- x")
    [text] = refusal(renderer, error.value.problems).texts
    assert f"{len(error.value.problems)} problem" in text
    for problem in error.value.problems:
        assert str(problem).split(":")[0] in text


def test_deep_link_opens_the_brief() -> None:
    assert deep_link("briefbot", 12) == "https://t.me/briefbot?start=b12"
