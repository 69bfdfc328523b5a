"""/archive pages through the published briefs; /search finds them by their words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.telegram.context import BriefApplication
from brief import Brief, Fact, parse_text
from storage import Storage, StoredBrief
from tests.e2e.conftest import page_after, press, say, settled
from tests.fakebot import FakeBotApi, FakeUser

BRIEFS = Path(__file__).parents[1] / "data" / "briefs"


@pytest.fixture
def reader(server: FakeBotApi) -> FakeUser:
    return server.user(4242, "Ada")


def _example(name: str = "harbor-bridge-vote.txt") -> Brief:
    return parse_text((BRIEFS / name).read_text(encoding="utf-8")).brief


async def _publish(db_path: Path, briefs: list[Brief]) -> list[StoredBrief]:
    """Published a minute apart, the last one a minute ago."""
    start = datetime.now(UTC) - timedelta(minutes=len(briefs) + 1)
    async with await Storage.open(db_path) as storage:
        return [
            await storage.briefs.publish(brief, by=None, at=start + timedelta(minutes=n))
            for n, brief in enumerate(briefs)
        ]


async def test_the_archive_pages_through_live_briefs_newest_first(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser, db_path: Path
) -> None:
    stored = await _publish(db_path, [replace(_example(), title=f"Story {n}") for n in range(23)])
    async with await Storage.open(db_path) as storage:
        await storage.briefs.retract(stored[20].id, by=None, at=datetime.now(UTC))
    live = [s for s in reversed(stored) if s.id != stored[20].id]  # 22, newest first

    [page] = await say(server, reader, "/archive")
    assert page.text.startswith("Archive · page 1 of 3, newest first")
    titles = [row[0]["text"] for row in page.buttons[:-1]]
    assert titles == [s.brief.title for s in live[:10]]
    assert [b["text"] for b in page.buttons[-1]] == ["Older →"]
    assert "Story 20" not in page.text  # withdrawn

    page = await page_after(server, reader, page, "Older →")
    assert page.text.startswith("Archive · page 2 of 3")
    assert [row[0]["text"] for row in page.buttons[:-1]] == [s.brief.title for s in live[10:20]]
    assert [b["text"] for b in page.buttons[-1]] == ["← Newer", "Older →"]

    page = await page_after(server, reader, page, "Older →")
    assert page.text.startswith("Archive · page 3 of 3")
    assert [row[0]["text"] for row in page.buttons[:-1]] == ["Story 1", "Story 0"]
    assert [b["text"] for b in page.buttons[-1]] == ["← Newer"]

    # A brief's button opens it, as a message of its own.
    _, [summary] = await press(server, reader, page, "Story 0", expect=1)
    assert summary.text.startswith("Story 0")
    assert server.errors() == []


async def test_an_empty_archive_says_so(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    [reply] = await say(server, reader, "/archive")
    assert reply.text == "Nothing is published yet."
    assert reply.reply_markup is None


async def test_search_finds_a_brief_by_a_word_only_in_one_of_its_facts(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser, db_path: Path
) -> None:
    _, korea, _ = await _publish(
        db_path,
        [
            _example(),
            _example("putin-north-korea.txt"),
            _example("coastal-wind-farm.txt"),
        ],
    )
    word = "Pyongyang"
    assert word not in korea.brief.title + korea.brief.summary
    assert any(word in fact.text for fact in korea.brief.facts)
    [reply] = await say(server, reader, f"/search {word.lower()}")
    assert reply.text.startswith(f"Found for “{word.lower()}”:")
    assert f"#{korea.id} · {korea.brief.title}" in reply.text
    assert {"type": "bold", "offset": reply.text.index(word), "length": len(word)} in [
        {k: e[k] for k in ("type", "offset", "length")} for e in reply.entities
    ]
    assert [row[0]["text"] for row in reply.buttons] == [korea.brief.title]
    _, [summary] = await press(server, reader, reply, korea.brief.title, expect=1)
    assert summary.text.startswith(korea.brief.title)


async def test_search_ranks_a_title_match_first(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser, db_path: Path
) -> None:
    base = _example()
    in_fact, in_title = await _publish(
        db_path,
        [
            replace(base, title="Council meets", facts=(Fact("A lighthouse was sold.", (1,)),)),
            replace(base, title="Lighthouse sale approved"),
        ],
    )
    [reply] = await say(server, reader, "/search lighthouse")
    assert [row[0]["text"] for row in reply.buttons] == [in_title.brief.title, in_fact.brief.title]


@pytest.mark.parametrize(
    "query",
    ['"', '"unbalanced', "NEAR(a b)", "AND OR NOT", "*", "title:x", "<b>bold</b> &amp;", "🙂"],
)
async def test_any_search_text_gets_an_answer(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser, db_path: Path, query: str
) -> None:
    await _publish(db_path, [_example()])
    [reply] = await say(server, reader, f"/search {query}")
    assert reply.text.startswith(("Nothing found for", "Found for", "Send the words"))
    assert server.errors() == []
    await settled(server, bot_app)


async def test_search_without_words_says_how(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    [reply] = await say(server, reader, "/search")
    assert reply.text.startswith("Send the words to look for after the command")
