"""A press changes only what its sender owns: a press with made-up data (a modified client
can send any) is answered and changes nothing, on any message."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.telegram.context import BriefApplication
from storage import Storage, StoredBrief
from tests.e2e.admin.conftest import snapshot
from tests.e2e.conftest import say, settled
from tests.fakebot import FakeBotApi, FakeChat, FakeUser, SentMessage


@pytest.fixture
def group(server: FakeBotApi, admin: FakeUser, reader: FakeUser) -> FakeChat:
    """A group the admin and a reader (its administrator) are in."""
    return server.group(-100, "Readers", admins=[reader.id, admin.id])


async def brief_in(server: FakeBotApi, user: FakeUser, chat: FakeChat) -> SentMessage:
    """`/brief 1` in a group: the bot's summary there, with its buttons, for everyone."""
    before = len(server.sent(chat.id))
    await server.send_text(user, "/brief 1", chat=chat)
    return (await server.wait_sent(chat.id, before + 1))[before]


async def forge(server: FakeBotApi, user: FakeUser, message: SentMessage, data: str) -> str:
    """Press `message` with `data`; the callback answer's text."""
    query_id = await server.forge_press(user, message, data)
    await server.wait_for_call(
        "answerCallbackQuery", where=lambda c: c.params["callback_query_id"] == query_id
    )
    answer = server.callback_answer(query_id) or {}
    return str(answer.get("text", ""))


def unchanged(
    server: FakeBotApi, message: SentMessage, buttons: list[list[dict[str, object]]]
) -> bool:
    current = server.world.messages[(message.chat_id, message.message_id)]
    return current.edits == 0 and current.text == message.text and current.buttons == buttons


async def test_a_forged_draft_press_changes_no_message_and_no_draft(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    group: FakeChat,
    published: StoredBrief,
    briefs_dir: Path,
    storage: Storage,
    db_path: Path,
) -> None:
    shared = await brief_in(server, reader, group)
    buttons = shared.buttons
    [own] = await say(server, admin, "/brief 1")  # a message in the admin's own chat
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    _, details = await say(server, admin, text, expect=2)
    draft = (await storage.drafts.get(1)) or pytest.fail("the upload made draft 1")
    before = snapshot(db_path)

    presses = [
        (reader, shared, "draft:999:discard"),  # no such draft
        (reader, shared, "draft:1:discard"),  # the admin's draft, pressed by a reader
        (admin, shared, "draft:1:publish"),  # the admin's own draft, in another chat
        (admin, own, "draft:1:discard"),  # the right chat, but not the preview
    ]
    answers = [await forge(server, user, message, data) for user, message, data in presses]
    await settled(server, bot_app)

    assert unchanged(server, shared, buttons)  # buttons kept, for everyone in the group
    assert unchanged(server, own, own.buttons)
    assert unchanged(server, details, details.buttons)
    assert all(answers), answers  # each answered in words, so the client stops spinning
    assert await storage.drafts.get(1) == draft
    assert snapshot(db_path) == before
    assert len(server.sent(admin.id)) == 3  # /brief and the preview: nothing since
    # The preview still works for its admin.
    assert await forge(server, admin, details, "draft:1:publish") == ""
    done = (await server.wait_sent(admin.id, 4))[3]
    assert "Published as brief #2" in done.text


async def test_forged_archive_settings_and_part_presses_change_no_message(
    server: FakeBotApi,
    bot_app: BriefApplication,
    reader: FakeUser,
    group: FakeChat,
    published: StoredBrief,
    storage: Storage,
) -> None:
    shared = await brief_in(server, reader, group)
    buttons = shared.buttons
    # The group's administrator forges a page turn, a subscription and another brief.
    forged = ("archive:0", "sub:on", "sub:time:0700", "brief:2:facts")
    answers = [await forge(server, reader, shared, data) for data in forged]
    await settled(server, bot_app)
    assert unchanged(server, shared, buttons)
    assert len(server.sent(group.id)) == 1  # nothing sent either
    assert await storage.subscribers.get(group.id) is None
    assert all(answers), answers
