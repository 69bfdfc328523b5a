"""Only ids in ADMIN_IDS may upload, publish, correct, retract or see the admin tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.telegram.context import BriefApplication
from storage import Storage, StoredBrief
from tests.e2e.admin.conftest import paste_timers, send_file, snapshot
from tests.e2e.conftest import ADMIN_ID, AppFactory, press, say, settled
from tests.fakebot import FakeBotApi, FakeUser

HELP = "How to read a brief"


async def test_a_reader_sending_a_brief_gets_the_reader_help(
    server: FakeBotApi,
    bot_app: BriefApplication,
    reader: FakeUser,
    briefs_dir: Path,
    db_path: Path,
) -> None:
    before = snapshot(db_path)
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    [reply] = await say(server, reader, text)
    assert HELP in reply.text
    assert reply.buttons == []
    [reply] = await send_file(server, reader, "brief.txt", text.encode())
    assert HELP in reply.text
    [reply] = await say(server, reader, "hello there")
    assert HELP in reply.text
    await settled(server, bot_app)
    assert len(server.sent(reader.id)) == 3  # one answer each
    assert paste_timers(bot_app) == []  # and no preview to come on a timer
    assert [c for c in server.calls if c.method == "getFile"] == []
    assert snapshot(db_path) == before


@pytest.mark.parametrize(
    "command", ["/correct 1", "/retract 1", "/history 1", "/stats", "/cancel", "/push"]
)
async def test_admin_commands_from_a_reader_change_and_reveal_nothing(
    server: FakeBotApi,
    bot_app: BriefApplication,
    reader: FakeUser,
    published: StoredBrief,
    db_path: Path,
    command: str,
) -> None:
    before = snapshot(db_path)
    [reply] = await say(server, reader, command)
    assert HELP in reply.text
    assert snapshot(db_path) == before
    [brief] = await say(server, reader, "/brief 1")
    assert brief.text.startswith(published.brief.title)


async def test_a_reader_after_correct_cannot_upload_a_correction(
    server: FakeBotApi,
    bot_app: BriefApplication,
    reader: FakeUser,
    published: StoredBrief,
    briefs_dir: Path,
    db_path: Path,
) -> None:
    before = snapshot(db_path)
    await say(server, reader, "/correct 1")
    text = (briefs_dir / "coastal-wind-farm.txt").read_text(encoding="utf-8")
    [reply] = await say(server, reader, text)
    assert HELP in reply.text
    assert snapshot(db_path) == before


async def test_a_reader_forwarding_an_admins_brief_is_not_an_upload(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    briefs_dir: Path,
    db_path: Path,
) -> None:
    before = snapshot(db_path)
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    [reply] = await say(server, reader, text, forward_origin_user=admin)
    assert HELP in reply.text
    assert snapshot(db_path) == before


async def test_an_admin_forwarding_someone_elses_message_is_told_to_paste_it(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    briefs_dir: Path,
    db_path: Path,
) -> None:
    before = snapshot(db_path)
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    [reply] = await say(server, admin, text, forward_origin_user=reader)
    assert "forwarded message" in reply.text
    await settled(server, bot_app)
    assert len(server.sent(admin.id)) == 1
    assert paste_timers(bot_app) == []
    assert snapshot(db_path) == before
    # The admin's own message, forwarded back (from Saved Messages, say), is theirs.
    _, details = await say(server, admin, text, expect=2, forward_origin_user=admin)
    assert details.button("Publish")


async def test_uploads_and_commands_in_a_group_are_ignored(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    briefs_dir: Path,
    db_path: Path,
) -> None:
    group = server.group(-100, "Newsroom", admins=[admin.id])
    before = snapshot(db_path)
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    await server.send_text(admin, text, chat=group)
    await server.send_document(admin, "brief.txt", text.encode(), chat=group)
    await server.send_text(admin, "/stats", chat=group)
    await settled(server, bot_app)
    assert paste_timers(bot_app) == []
    assert server.sent(group.id) == []
    assert server.sent(admin.id) == []
    assert snapshot(db_path) == before


async def test_only_the_uploading_admin_can_press_publish_or_discard(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    text = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8")
    _, details = await say(server, admin, text, expect=2)
    for label in ("Publish", "Discard"):
        answer, _ = await press(server, reader, details, label)
        assert answer is not None  # answered, so the client stops spinning, and told why
        assert "Only the admin who uploaded this draft" in str(answer.get("text"))
    await settled(server, bot_app)
    assert await storage.briefs.count() == 0
    assert len(server.sent(admin.id)) == 2
    assert details.button("Publish")  # the preview still works for its admin
    _, [published] = await press(server, admin, details, "Publish", expect=1)
    assert "Published as brief #1" in published.text


async def test_a_second_admin_cannot_publish_anothers_draft(
    server: FakeBotApi, make_app: AppFactory, briefs_dir: Path, storage: Storage
) -> None:
    other = server.user(2000, "Second editor")
    admin = server.user(ADMIN_ID, "Editor")
    async with make_app(ADMIN_IDS=f"{ADMIN_ID},{other.id}") as bot_app:
        text = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8")
        _, details = await say(server, admin, text, expect=2)
        answer, _ = await press(server, other, details, "Publish")
        assert answer is not None
        await settled(server, bot_app)
        assert await storage.briefs.count() == 0
