"""A crash in the middle of a push: `briefbot run` killed and started again.

The documented bound: only sends that were in flight when the process died can arrive
twice. Those are exactly the messages the server accepted that the delivery record had not
yet marked sent, so that is what this test counts.
"""

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
from tests.e2e.push.conftest import add_subscribers, publish
from tests.fakebot import FakeBotApi
from tests.waiting import eventually, eventually_async

READERS = list(range(5000, 5150))


async def start_bot(server: FakeBotApi, database: Path, cwd: Path) -> BotProcess:
    env = {
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_URL": server.url,
        "DATABASE_PATH": str(database),
        "ADMIN_IDS": str(ADMIN_ID),
        "PUSH_RATE_LIMIT": "30",
    }
    return await BotProcess.start(env, cwd)


def received(server: FakeBotApi) -> Counter[int]:
    return Counter(m.chat_id for m in server.sent() if m.chat_id in set(READERS))


@pytest.mark.long
async def test_a_push_killed_midway_resumes_and_repeats_only_what_was_in_flight(
    server: FakeBotApi, tmp_path: Path
) -> None:
    database = tmp_path / "briefbot.db"
    for chat_id in READERS:
        server.user(chat_id)
    admin = server.user(ADMIN_ID, "Admin")
    [brief] = await publish(database, "Bridge vote")
    await add_subscribers(database, READERS, due=datetime(2100, 1, 1, tzinfo=UTC))

    # Five sends are held by the server until the bot is killed, so the kill lands while
    # they are in flight (10 s at most, within the bot's timeout for a send): Telegram (here,
    # the server) still delivers them after the bot is gone.
    killed = asyncio.Event()
    for chat_id in READERS[30:35]:
        server.delay("sendMessage", 10.0, chat_id=chat_id, until=killed)
    first = await start_bot(server, database, tmp_path)
    try:
        await server.wait_for_call("setMyCommands", timeout=30)
        await server.send_text(admin, "/push")
        await eventually(lambda: len(received(server)) >= 45, "45 chats reached", within=30)
    finally:
        await first.finish(signal.SIGKILL)
        killed.set()
    # The held sends complete: the server delivers them though the bot is gone.
    held = set(READERS[30:35])
    await eventually(lambda: held <= set(received(server)), "the held sends to complete")
    accepted_before = sum(received(server).values())
    async with await Storage.open(database) as storage:
        marked = len(await storage.deliveries.sent_copies(brief.id))
        run = await storage.pushes.last()
    assert run is not None
    assert run.finished_at is None
    in_flight = accepted_before - marked
    assert 0 < accepted_before < len(READERS), "the kill must land in the middle of the push"

    second = await start_bot(server, database, tmp_path)
    try:
        await eventually(
            lambda: len(received(server)) == len(READERS), "every chat reached", within=60
        )
        async with await Storage.open(database) as storage:

            async def resumed_run_finished() -> bool:
                last = await storage.pushes.last()
                return last is not None and last.id == run.id and last.finished_at is not None

            await eventually_async(resumed_run_finished, "the resumed push to finish", within=10)
        # The admin sees the push resume and finish, in a new progress message.
        await server.wait_for_call(
            "editMessageText", where=lambda c: "Push finished" in c.params["text"], timeout=10
        )
    finally:
        await second.finish(signal.SIGINT)

    copies = received(server)
    assert set(copies) == set(READERS), "nothing is lost"
    repeated = sum(n - 1 for n in copies.values())
    # Only the sends in flight at the kill could repeat, and each of those at most once.
    assert repeated <= in_flight
    assert set(READERS[30:35]) <= {chat for chat, n in copies.items() if n == 2}
    assert max(copies.values()) <= 2
    async with await Storage.open(database) as storage:
        assert len(await storage.deliveries.sent_copies(brief.id)) == len(READERS)
        finished = await storage.pushes.last()
    assert finished is not None
    assert finished.id == run.id
    assert finished.finished_at is not None
    [summary] = [m for m in server.sent(ADMIN_ID) if "Push finished" in m.text]
    assert summary.edits >= 1
    assert f"Sent {len(READERS) - marked} of {len(READERS)}" in summary.text
