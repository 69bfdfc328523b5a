"""The admins' guide in the bot: their own /help, /template's blank brief sent back as is and
then filled in, and "typing…" in their chat while an upload is read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.publishing.template import PLACEHOLDER
from bot.telegram.context import BriefApplication
from tests.e2e.admin.conftest import send_file, snapshot
from tests.e2e.conftest import ADMIN_ID, say, settled
from tests.fakebot import ApiCall, FakeBotApi, FakeUser

READERS_HELP = "How to read a brief"
ADMIN_HELP = "Admin help"
BRIEF_TEXT = "harbor-bridge-vote.txt"


async def test_an_admins_help_is_theirs_and_a_readers_is_the_readers(
    server: FakeBotApi, bot_app: BriefApplication, admin: FakeUser, reader: FakeUser
) -> None:
    [mine] = await say(server, admin, "/help")
    assert mine.text.startswith(ADMIN_HELP)
    for example in ("/template", "/correct 3", "/retract 3", "/history 3", "/push 3", "/stats"):
        assert example in mine.text
    assert "The brief format" in mine.text
    assert READERS_HELP not in mine.text
    [theirs] = await say(server, admin, "/help readers")
    assert theirs.text.startswith(READERS_HELP)
    [readers] = await say(server, reader, "/help")
    assert readers.text.startswith(READERS_HELP)
    assert ADMIN_HELP not in readers.text
    assert "/template" not in readers.text


async def test_an_admins_help_in_a_group_is_the_readers(
    server: FakeBotApi, bot_app: BriefApplication, admin: FakeUser
) -> None:
    group = server.group(-500, "Newsroom")
    await server.send_text(admin, "/help", chat=group)
    [answer] = await server.wait_sent(group.id, 1)
    assert answer.text.startswith(READERS_HELP)


async def test_template_is_a_blank_that_goes_back_refused_until_filled_in(
    server: FakeBotApi, bot_app: BriefApplication, admin: FakeUser, db_path: Path
) -> None:
    how_to, blank = await say(server, admin, "/template", expect=2)
    assert "replace each part in <angle brackets>" in how_to.text
    assert [e["type"] for e in blank.entities] == ["pre"]  # a tap copies it whole
    assert blank.text.splitlines()[2] == "Facts"
    before = snapshot(db_path)
    [refusal] = await say(server, admin, blank.text)  # pasted back unchanged
    assert "Not stored: 7 problems to fix." in refusal.text
    assert "line 1: still to fill in: <Title: the story in one line>" in refusal.text
    assert refusal.buttons == []
    assert snapshot(db_path) == before
    words = iter(["Harbor Bridge Vote", "The council votes in May.", "The vote is on 3 May."])
    rest = iter(["Costs doubled.", "Harbor Times", "City Desk", "Critical", "Harbor Times"])
    fill = [*words, *rest, "It costs too much.", "Supportive", "City Desk", "It is needed."]
    filled = PLACEHOLDER.sub(lambda _: fill.pop(0), blank.text)
    summary, details = await say(server, admin, filled, expect=2)
    assert summary.text.startswith("Harbor Bridge Vote")
    assert "2 facts · 2 sources · 2 narratives" in details.text
    assert details.button("Publish")


async def test_a_reader_asking_for_the_template_gets_the_readers_help(
    server: FakeBotApi, bot_app: BriefApplication, reader: FakeUser
) -> None:
    [answer] = await say(server, reader, "/template")
    assert answer.text.startswith(READERS_HELP)


def _typing(call: ApiCall) -> bool:
    return call.method == "sendChatAction" and call.params["chat_id"] == ADMIN_ID


def _preview(call: ApiCall) -> bool:
    return (
        call.method == "sendMessage"
        and call.params["chat_id"] == ADMIN_ID
        and "Harbor" in call.params["text"]
    )


def assert_typing_until_the_preview(server: FakeBotApi) -> None:
    """The admin's chat showed "typing…" before the preview, and not after it."""
    calls = server.calls
    first_typing = next(i for i, call in enumerate(calls) if _typing(call))
    preview = next(i for i, call in enumerate(calls) if _preview(call))
    assert first_typing < preview
    assert calls[first_typing].params["action"] == "typing"
    assert not any(_typing(call) for call in calls[preview:])


async def test_a_pasted_upload_shows_typing_until_its_preview(
    server: FakeBotApi, bot_app: BriefApplication, admin: FakeUser, briefs_dir: Path
) -> None:
    text = (briefs_dir / BRIEF_TEXT).read_text(encoding="utf-8")
    _, details = await say(server, admin, text, expect=2)
    assert details.button("Publish")
    assert_typing_until_the_preview(server)


async def test_a_file_upload_shows_typing_until_its_preview(
    server: FakeBotApi, bot_app: BriefApplication, admin: FakeUser, briefs_dir: Path
) -> None:
    content = (briefs_dir / BRIEF_TEXT).read_bytes()
    await send_file(server, admin, BRIEF_TEXT, content, expect=2)
    assert_typing_until_the_preview(server)
    typing_at = next(i for i, call in enumerate(server.calls) if _typing(call))
    getfile_at = next(i for i, call in enumerate(server.calls) if call.method == "getFile")
    assert typing_at < getfile_at  # from the download on


async def test_typing_for_nothing_to_read_is_not_shown(
    server: FakeBotApi, bot_app: BriefApplication, admin: FakeUser, reader: FakeUser
) -> None:
    await say(server, admin, "/stats")
    await send_file(server, admin, "photo.png", b"\x89PNG")  # turned away unread
    await say(server, reader, "A reader's words")
    await settled(server, bot_app)
    assert [call for call in server.calls if call.method == "sendChatAction"] == []


@pytest.mark.parametrize(
    ("code", "description"),
    [(400, "Bad Request: chat not found"), (500, "Internal Server Error")],
)
async def test_typing_refused_never_fails_the_upload(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    briefs_dir: Path,
    code: int,
    description: str,
) -> None:
    server.fail("sendChatAction", error_code=code, description=description, times=None)
    text = (briefs_dir / BRIEF_TEXT).read_text(encoding="utf-8")
    _, details = await say(server, admin, text, expect=2)
    assert details.button("Publish")
    content = (briefs_dir / BRIEF_TEXT).read_bytes()
    _, again = await send_file(server, admin, BRIEF_TEXT, content, expect=2)
    assert again.button("Publish")
    assert [c.ok for c in server.calls if c.method == "sendChatAction"] == [False, False]
    await settled(server, bot_app)
    assert not any(re.search("went wrong|failed", m.text) for m in server.sent(ADMIN_ID))
