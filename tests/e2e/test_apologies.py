"""Apologies: one account failing in many groups is apologised to once, and never holds up
the apology another reader is owed; a reader whose updates keep failing hears it once."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.telegram.context import BriefApplication
from tests.e2e.conftest import settled
from tests.e2e.test_errors import COMMANDS_PER_GROUP, break_storage
from tests.fakebot import FakeBotApi

# One account in this many groups: their apologies fill the Reporter's one FIFO queue
# (past QUEUE_SIZE, 200, a reader's apology would be dropped outright).
GROUPS = 60


async def test_a_reader_s_apology_does_not_wait_behind_a_flood_of_apologies_to_groups(
    server: FakeBotApi, bot_app: BriefApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    break_storage(bot_app, monkeypatch)
    attacker, reader = server.user(66, "Mallory"), server.user(42, "Ada")
    # Groups where the bot may write: each failure there is apologised for, in the group's
    # own turn (a group takes a message every few seconds).
    groups = [server.group(-7000 - n, f"Group {n}") for n in range(GROUPS)]
    for _ in range(COMMANDS_PER_GROUP):
        for group in groups:
            await server.send_text(attacker, "/brief", chat=group)
    await server.wait_sent(groups[0].id, 1, timeout=5.0)  # the flood under way
    other = server.user(43, "Grace")
    started = time.monotonic()
    await server.send_text(other, "/help")
    await server.send_text(reader, "/brief")
    await server.wait_sent(other.id, 1, timeout=30.0)
    helped = time.monotonic() - started
    [apology] = await server.wait_sent(reader.id, 1, timeout=30.0)
    waited = time.monotonic() - started
    assert helped < 1.0, f"even /help waited {helped:.1f} s"
    assert "something went wrong" in apology.text
    assert waited < 1.0, f"the reader's apology waited {waited:.1f} s behind the groups'"


async def test_a_reader_whose_commands_keep_failing_is_apologised_to_once(
    server: FakeBotApi, bot_app: BriefApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    break_storage(bot_app, monkeypatch)
    reader = server.user(42, "Ada")
    for _ in range(6):
        await server.send_text(reader, "/brief")
        await asyncio.sleep(0.3)  # within the flood gate's allowance: each is handled
    await settled(server, bot_app)
    assert len(server.sent(reader.id)) == 1
