"""What the bot benchmarks share: a database holding the reference brief, and the bot's
environment pointed at the local Bot API server."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from brief import parse_text
from storage import Storage, StoredBrief
from tests.conftest import DATA
from tests.fakebot import FakeBotApi, SentMessage


async def reference_database(folder: Path) -> Path:
    """A new database in `folder` with the reference brief published as brief #1."""
    database = folder / "bench.db"
    async with await Storage.open(database) as storage:
        await publish_reference(storage)
    return database


async def publish_reference(storage: Storage) -> StoredBrief:
    text = (DATA / "briefs" / "putin-north-korea.txt").read_text(encoding="utf-8")
    return await storage.briefs.publish(parse_text(text).brief, by=None, at=datetime.now(UTC))


def bot_environment(server: FakeBotApi, database: Path | str, **settings: str) -> dict[str, str]:
    """The environment a bot process runs with: this machine's, plus its settings.
    `database`: an SQLite file, or a PostgreSQL URL."""
    where = "DATABASE_PATH" if isinstance(database, Path) else "DATABASE_URL"
    return {
        **os.environ,
        # No voice notes made in the background of what a benchmark measures (bench.audio
        # turns them on where it measures them).
        "AUDIO": "off",
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_URL": server.url,
        where: str(database),
        **settings,
    }


# Telegram's paid ceiling: at the free 30/s the replies would wait for the sending budget,
# and the limiter, not the bot, would be what a benchmark measures.
PAID_RATE = {"ALLOW_PAID_BROADCAST": "true", "PUSH_RATE_LIMIT": "1000"}


@asynccontextmanager
async def running_bot(
    server: FakeBotApi, mode: str, env: dict[str, str], *, quiet: bool = False
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bench.bot_process MODE` against the server, polling; ended on exit.

    BENCH_PROFILE=/tmp/prof in `env` writes a cProfile of the process to /tmp/prof.MODE.
    `quiet` leaves out its log (a bot without flood control logs every 429 it meets).
    """
    output = env.get("BENCH_PROFILE")
    profile = ["-m", "cProfile", "-o", f"{output}.{mode}"] if output else []
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *profile,
        "-m",
        "bench.bot_process",
        mode,
        env=env,
        stderr=asyncio.subprocess.DEVNULL if quiet else None,
    )
    try:
        await server.wait_for_call("getUpdates", timeout=60)
        yield process
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:  # still answering a backlog it cannot drop
            process.kill()
            await process.wait()


class Answers:
    """When each chat's next message arrives, seen from the server."""

    def __init__(self, server: FakeBotApi) -> None:
        self._waiting: dict[int, asyncio.Future[SentMessage]] = {}
        server.world.on_sent.append(self._sent)

    def _sent(self, message: SentMessage) -> None:
        future = self._waiting.pop(message.chat_id, None)
        if future is not None and not future.done():
            future.set_result(message)

    def expect(self, chat_id: int) -> asyncio.Future[SentMessage]:
        future: asyncio.Future[SentMessage] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = future
        return future
