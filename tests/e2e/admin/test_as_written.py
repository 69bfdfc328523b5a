"""Commands run as written, from new messages only; admin commands, /push too, only in the
admin's private chat."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

from bot.telegram.context import BriefApplication
from storage import Storage, StoredBrief
from tests.e2e.admin.conftest import paste_timers, snapshot
from tests.e2e.conftest import say, settled
from tests.fakebot import FakeBotApi, FakeUser

FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


async def test_editing_an_old_history_into_retract_withdraws_nothing(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    published: StoredBrief,
    db_path: Path,
) -> None:
    sent = await server.send_text(admin, "/history 1")
    [history] = await server.wait_sent(admin.id, 1)
    assert "History of brief #1" in history.text
    before = snapshot(db_path)

    await server.edit_text(admin, sent, "/retract 1")
    await settled(server, bot_app)

    assert len(server.sent(admin.id)) == 1  # no answer: the edit ran nothing
    assert snapshot(db_path) == before
    [brief] = await say(server, reader, "/brief 1")
    assert brief.text.startswith(published.brief.title)  # still there for readers


async def test_an_edited_reader_command_is_not_answered(
    server: FakeBotApi,
    bot_app: BriefApplication,
    reader: FakeUser,
    published: StoredBrief,
) -> None:
    sent = await server.send_text(reader, "/help")
    await server.wait_sent(reader.id, 1)
    await server.edit_text(reader, sent, "/brief 1")
    await settled(server, bot_app)
    assert len(server.sent(reader.id)) == 1


async def test_an_edited_paste_is_not_read_again(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    text = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8")
    sent = await server.send_text(admin, text)
    await server.wait_sent(admin.id, 2)  # the preview
    await server.edit_text(admin, sent, text.replace("Harbor", "Harbour"))
    await settled(server, bot_app)
    assert paste_timers(bot_app) == []
    assert len(server.sent(admin.id)) == 2  # one preview, for the message as first sent
    assert await storage.drafts.get(2) is None


async def test_push_in_a_group_shows_nothing_there_and_pushes_nothing(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    published: StoredBrief,
    storage: Storage,
) -> None:
    await storage.subscribers.subscribe(
        reader.id,
        delivery_time=time(8, 0),
        timezone="UTC",
        next_due_at=FAR_FUTURE,  # only a push would send anything
        at=published.published_at,
    )
    group = server.group(-100, "Newsroom", admins=[admin.id, reader.id])
    for command in ("/push", "/push 1"):
        await server.send_text(admin, command, chat=group)
    await settled(server, bot_app)
    assert server.sent(group.id) == []  # no progress, no subscriber totals for the group
    assert server.sent(admin.id) == []
    assert server.sent(reader.id) == []
    assert await storage.pushes.last() is None
    assert await storage.deliveries.get(published.id, reader.id) is None
