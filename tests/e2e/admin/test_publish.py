"""An admin pastes a brief, sees the preview readers will see, and publishes or discards it."""

from __future__ import annotations

from pathlib import Path

from bot.telegram.context import BriefApplication
from storage import Storage
from tests.e2e.admin.conftest import snapshot
from tests.e2e.conftest import press, say
from tests.fakebot import FakeBotApi, FakeUser

LINK = "https://t.me/briefbot_test_bot?start=b1"


async def test_paste_preview_publish_and_a_reader_reads_it(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    summary, details = await say(server, admin, text, expect=2)

    assert summary.reply_markup is None  # the reader's buttons are left off the preview
    lines = summary.text.splitlines()
    assert lines[0] == "Putin Makes First Visit to North Korea in 24 Years"
    assert "#" not in lines[1]  # no number until it is published
    assert lines[3].startswith("Russian Pres. Vladimir Putin is set to arrive")
    assert "6 facts · 6 sources · 2 narratives" in details.text
    assert "warning" not in details.text
    assert [b["text"] for row in details.buttons for b in row] == ["Publish", "Discard"]
    assert await storage.briefs.count() == 0  # a preview publishes nothing

    answer, [published] = await press(server, admin, details, "Publish", expect=1)
    assert answer is not None
    assert "Published as brief #1" in published.text
    assert LINK in published.text
    assert server.sent(admin.id)[-2].buttons == []  # the preview's buttons are gone
    stored = await storage.briefs.latest()
    assert stored is not None
    assert stored.id == 1
    assert [e.action for e in await storage.briefs.history(1)] == ["publish"]
    assert (await storage.briefs.history(1))[0].actor == admin.id

    [brief] = await say(server, reader, "/brief")
    assert brief.text.splitlines()[0] == lines[0]
    assert brief.text.splitlines()[3:] == lines[3:]  # the preview showed exactly this
    [facts] = await say(server, reader, "/facts")
    assert "Putin will travel to Vietnam on June 19" in facts.text
    [sources] = await say(server, reader, "/sources")
    assert "6. The Diplomat" in sources.text
    anti, pro = await say(server, reader, "/narratives", expect=2)
    assert "Anti-Russia narrative" in anti.text
    assert "Pro-Russia narrative" in pro.text
    [linked] = await say(server, reader, "/start b1")
    assert linked.text == brief.text
    assert server.errors() == []


async def test_discard_stores_nothing(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    briefs_dir: Path,
    db_path: Path,
) -> None:
    before = snapshot(db_path, counters=False)
    text = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8")
    _, details = await say(server, admin, text, expect=2)
    _, [discarded] = await press(server, admin, details, "Discard", expect=1)
    assert "discarded" in discarded.text
    assert snapshot(db_path, counters=False) == before
    [reply] = await say(server, reader, "/brief")
    assert "There is no brief yet" in reply.text
    # The old preview cannot publish any more.
    assert server.sent(admin.id)[-2].buttons == []


async def test_warnings_are_shown_with_their_lines(
    server: FakeBotApi, bot_app: BriefApplication, admin: FakeUser, briefs_dir: Path
) -> None:
    text = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8")
    text = text.replace("\nNarratives", "\nPredictions\n- It will pass.\nNarratives", 1)
    _, details = await say(server, admin, text, expect=2)
    assert "1 warning" in details.text
    assert '"Predictions" section' in details.text
    assert "left out" in details.text

    wind = (briefs_dir / "coastal-wind-farm.txt").read_text(encoding="utf-8")
    _, details = await say(server, admin, wind, expect=2)
    assert "line 10: this fact cites no source" in details.text


async def test_each_upload_gets_its_own_draft(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    """Two previews open at once: each button acts on its own brief."""
    first = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8")
    second = (briefs_dir / "coastal-wind-farm.txt").read_text(encoding="utf-8")
    _, first_details = await say(server, admin, first, expect=2)
    _, second_details = await say(server, admin, second, expect=2)
    await press(server, admin, second_details, "Publish", expect=1)
    await press(server, admin, first_details, "Publish", expect=1)
    latest = await storage.briefs.latest()
    assert latest is not None
    assert latest.id == 2
    assert latest.brief.title.startswith(first.splitlines()[0][:20])
