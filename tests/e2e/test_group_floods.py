"""One account in many groups: its commands there, answered or refused, leave another
reader answered within a second (against Telegram's limits)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import pytest

from bot.telegram.context import BriefApplication
from tests.e2e.conftest import ADMIN_ID, settled
from tests.fakebot import FakeBotApi, FakeChat, RateLimits
from tests.fakebot.groups import GroupBotStatus
from tests.waiting import eventually

ATTACKER = 66
READER = 42
COMMANDS_PER_GROUP = 6  # a group's whole burst at the flood gate


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(limits=RateLimits(enabled=True)) as fake:
        fake.user(ADMIN_ID, "Editor")
        yield fake


def groups(server: FakeBotApi, count: int, status: GroupBotStatus) -> list[FakeChat]:
    return [server.group(-5000 - n, f"Group {n}", bot_status=status) for n in range(count)]


async def flood_then_ask(server: FakeBotApi, chats: list[FakeChat]) -> float:
    """The attacker's /help, COMMANDS_PER_GROUP in each group, then a reader's own: how long
    the reader waited for the answer."""
    attacker, reader = server.user(ATTACKER, "Mallory"), server.user(READER, "Ada")
    for _ in range(COMMANDS_PER_GROUP):
        for chat in chats:
            await server.send_text(attacker, "/help", chat=chat)
    asked = time.monotonic()
    await server.send_text(reader, "/help")
    await eventually(lambda: server.sent(READER), "the reader's answer", within=1.0)
    return time.monotonic() - asked


@pytest.mark.parametrize(
    ("count", "status"), [(30, "restricted"), (60, "member")], ids=["restricted", "writable"]
)
async def test_one_account_in_many_groups_leaves_another_reader_answered_within_a_second(
    server: FakeBotApi, bot_app: BriefApplication, count: int, status: GroupBotStatus
) -> None:
    chats = groups(server, count, status)
    await flood_then_ask(server, chats)
    await settled(server, bot_app)
    attempts = [c for c in server.calls if c.method == "sendMessage" and c.params["chat_id"] < 0]
    # The account's allowance is about one chat's, wherever it writes: not one per group.
    assert len(attempts) <= 3 * COMMANDS_PER_GROUP, len(attempts)
    assert server.limit_refusals == 0


async def test_a_group_that_refused_the_bot_is_left_until_it_lets_the_bot_write(
    server: FakeBotApi, bot_app: BriefApplication, caplog: pytest.LogCaptureFixture
) -> None:
    [chat] = groups(server, 1, "restricted")
    members = [server.user(100 + n, f"Member {n}") for n in range(3)]
    with caplog.at_level(logging.INFO):
        await server.send_text(members[0], "/help", chat=chat)
        await server.wait_for_call("sendMessage", where=lambda call: not call.ok)
        for member in members[1:]:  # others, each well within their own allowance
            await server.send_text(member, "/help", chat=chat)
        await settled(server, bot_app)
    refused = [c for c in server.calls if c.method == "sendMessage" and c.params["chat_id"] < 0]
    assert len(refused) == 1  # the first reply was refused; the others were not attempted
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert sum(f"to chat {chat.id} refused" in line for line in said) == 1, said
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    admin = server.user(200, "Group admin")
    server.set_bot_status(chat, "member", by=admin)
    await settled(server, bot_app)
    await server.send_text(members[0], "/help", chat=chat)
    [answer] = await server.wait_sent(chat.id, 1, timeout=2.0)
    assert "/brief" in answer.text
