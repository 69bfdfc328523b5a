"""English counted phrases: one thing in the singular, any other number in the plural."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from bot.core.rendering import Renderer
from brief.model import Brief
from storage import BriefHeader, StoredBrief

WHEN = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


def digest(count: int) -> str:
    briefs = [BriefHeader(number, f"Story {number}", WHEN) for number in range(1, count + 1)]
    return Renderer().render("push_digest.html", briefs=briefs)


def test_a_digest_of_one_brief_says_brief() -> None:
    assert digest(1).startswith("<b>1 new brief</b> since your last delivery. Tap it to read it.")


@pytest.mark.parametrize("count", [2, 5, 21])
def test_a_digest_of_several_briefs_says_briefs(count: int) -> None:
    assert digest(count).startswith(
        f"<b>{count} new briefs</b> since your last delivery. Tap one to read it."
    )


@pytest.mark.parametrize(("total", "noun"), [(1, "subscriber,"), (2, "subscribers,")])
def test_a_withdrawn_push_counts_its_subscribers(total: int, noun: str) -> None:
    stored = StoredBrief(4, Brief("Harbor vote", "Summary.", (), (), ()), 1, WHEN, None, WHEN)
    progress = SimpleNamespace(sent=1, total=total, failed=0, elapsed=75)
    text = Renderer().render("push_withdrawn.html", stored=stored, progress=progress)
    assert f"stopped after 1 min 15 s: sent to 1 of {total} {noun} the others" in text
