"""`briefbot health`: what a container's HEALTHCHECK runs beside `briefbot run`."""

from __future__ import annotations

import contextlib
import re
import signal
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage import Storage
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import webhook_env
from tests.e2e.test_startup import environment
from tests.fakebot import FakeBotApi, free_port
from tests.waiting import eventually_async


async def health(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    check = await BotProcess.start(env, cwd, "health")
    code = await check.finish(None)
    assert check.stderr == [], check.output
    [line] = check.stdout
    return code, line.rstrip("\n")


async def healthy(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    async def answer() -> tuple[int, str] | None:
        found = await health(env, cwd)
        return found if found[0] == 0 else None

    found = await eventually_async(answer, "briefbot health to say ready", within=20)
    assert found is not None
    return found


async def test_without_a_port_it_reads_the_heartbeat(server: FakeBotApi, tmp_path: Path) -> None:
    database = tmp_path / "b.db"
    env = environment(server.url, database, server.token)
    assert await health(env, tmp_path) == (
        1,
        f"not ready: no database at {database}: the bot has not started (or DATABASE_PATH differs)",
    )
    assert not database.exists()  # looking did not create it
    bot = await BotProcess.start(env, tmp_path)
    try:
        assert await healthy(env, tmp_path) == (0, "ready")
    finally:
        assert await bot.finish(signal.SIGTERM) == 0


async def test_a_file_whose_tables_are_not_made_yet_is_not_ready(tmp_path: Path) -> None:
    # As the bot leaves it in its first moments: the file is there, its tables are not.
    database = tmp_path / "b.db"
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.execute("CREATE TABLE not_briefbots (a)")
    code, line = await health({"DATABASE_PATH": str(database)}, tmp_path)
    assert (code, line) == (1, "not ready: the bot has not written a heartbeat yet")


async def test_an_old_heartbeat_is_not_healthy(tmp_path: Path) -> None:
    database = tmp_path / "b.db"
    async with await Storage.open(database) as storage:
        await storage.state.put("heartbeat", "ready", at=datetime.now(UTC) - timedelta(minutes=5))
    code, line = await health({"DATABASE_PATH": str(database)}, tmp_path)
    assert code == 1
    assert re.fullmatch(r"not ready: the last heartbeat is 30\d s old: the bot is not ready", line)


async def test_with_a_port_it_asks_readyz(local_server: FakeBotApi, tmp_path: Path) -> None:
    port = free_port()
    env = {**environment(local_server.url, tmp_path / "b.db", local_server.token)}
    env |= webhook_env(port)
    bot = await BotProcess.start(env, tmp_path)
    try:
        assert await healthy(env, tmp_path) == (0, "ready")
    finally:
        assert await bot.finish(signal.SIGTERM) == 0
    code, line = await health({"HTTP_PORT": str(port)}, tmp_path)
    assert code == 1
    assert line.startswith(f"not ready: http://127.0.0.1:{port}/readyz did not answer (")


async def test_it_asks_the_one_address_the_bot_listens_on(
    local_server: FakeBotApi, tmp_path: Path
) -> None:
    port = free_port()
    env = {**environment(local_server.url, tmp_path / "b.db", local_server.token)}
    # Not 127.0.0.1: another address of this machine.
    env |= webhook_env(port) | {
        "HTTP_HOST": "127.0.0.2",
        "WEBHOOK_URL": f"http://127.0.0.2:{port}/telegram",
    }
    bot = await BotProcess.start(env, tmp_path)
    try:
        assert await healthy(env, tmp_path) == (0, "ready")
    finally:
        assert await bot.finish(signal.SIGTERM) == 0
