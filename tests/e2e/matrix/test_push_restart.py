"""A crash in the middle of a push to Matrix rooms: `briefbot run` killed with SIGKILL and
started again. As in Telegram (tests/e2e/push/test_restart.py), every room gets the brief,
and only the sends the homeserver had accepted but the delivery record had not yet marked
(those in flight) can arrive twice."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import Storage
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.matrix.conftest import matrix_env
from tests.e2e.push.conftest import add_subscribers, publish
from tests.fakebot import FakeBotApi
from tests.synapse.client import MatrixClient
from tests.synapse.server import Account, Homeserver
from tests.waiting import eventually_async

ROOMS = 18
TITLE = "Bridge vote"


async def start_bot(
    server: FakeBotApi, homeserver: Homeserver, bot: Account, editor: Account, cwd: Path
) -> BotProcess:
    env = {
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_URL": server.url,
        "DATABASE_PATH": str(cwd / "briefbot.db"),
        "ADMIN_IDS": str(ADMIN_ID),
        **matrix_env(homeserver, bot, editor),
    }
    return await BotProcess.start(env, cwd)


async def received(owner: MatrixClient, rooms: list[str], bot: str) -> Counter[str]:
    """How many copies of the brief each room holds."""
    counts: Counter[str] = Counter()
    for room in rooms:
        messages = await owner.messages(room, sender=bot)
        counts[room] = sum(TITLE in m.body for m in messages if m.replaces is None)
    return counts


@pytest.mark.long
async def test_a_push_to_matrix_rooms_killed_midway_loses_and_doubles_nothing_beyond_in_flight(
    server: FakeBotApi, homeserver: Homeserver, tmp_path: Path
) -> None:
    database = tmp_path / "briefbot.db"
    admin = server.user(ADMIN_ID, "Admin")
    bot = await homeserver.fresh_user("briefbot")
    editor = await homeserver.fresh_user("editor")
    # A few a second: the push takes several seconds, and the kill lands in the middle.
    await homeserver.limit_messages(bot.user_id, per_second=2, burst_count=2)
    [brief] = await publish(database, TITLE)
    async with homeserver.user("owner") as owner:
        rooms = list(
            await asyncio.gather(*(owner.create_room(invite=[bot.user_id]) for _ in range(ROOMS)))
        )
        first = await start_bot(server, homeserver, bot, editor, tmp_path)
        try:
            for room in rooms:  # the bot takes the invitations waiting for it
                await owner.wait_for_membership(room, bot.user_id, "join", timeout=60)
            async with await Storage.open(database) as storage:
                chats = [await storage.matrix.id_of(room) for room in rooms]
            await add_subscribers(database, chats, due=datetime(2100, 1, 1, tzinfo=UTC))
            await server.wait_for_call("setMyCommands", timeout=30)
            await server.send_text(admin, "/push")

            async def some_reached() -> bool:
                counts = await received(owner, rooms, bot.user_id)
                return sum(1 for n in counts.values() if n) >= 5

            await eventually_async(some_reached, "5 rooms reached", within=60)
        finally:
            await first.finish(signal.SIGKILL)
        accepted_before = sum((await received(owner, rooms, bot.user_id)).values())
        async with await Storage.open(database) as storage:
            marked = len(await storage.deliveries.sent_copies(brief.id))
        in_flight = accepted_before - marked
        assert 0 < accepted_before < ROOMS, "the kill must land in the middle of the push"

        second = await start_bot(server, homeserver, bot, editor, tmp_path)
        try:

            async def all_reached() -> bool:
                counts = await received(owner, rooms, bot.user_id)
                return all(counts[room] for room in rooms)

            await eventually_async(all_reached, "every room reached", within=90)
            async with await Storage.open(database) as storage:

                async def all_marked() -> bool:
                    return len(await storage.deliveries.sent_copies(brief.id)) == ROOMS

                await eventually_async(all_marked, "every send recorded", within=30)
        finally:
            await second.finish(signal.SIGINT)
        copies = await received(owner, rooms, bot.user_id)
    assert set(copies) == set(rooms), "nothing is lost"
    repeated = sum(n - 1 for n in copies.values())
    assert repeated <= in_flight  # only a send in flight at the kill could repeat
    assert max(copies.values()) <= 2
