"""One `briefbot run` per SQLite file: a second one is refused in one line before it reads or
writes anything, while the commands that only publish or look (import, backup, health) work
beside the running bot, and a bot killed outright leaves nothing that stops the next start."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.lifecycle import ExitCode
from tests.conftest import DATA
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID, fake_bot_api, say, webhook_env
from tests.e2e.push.conftest import add_subscribers, publish
from tests.e2e.test_startup import assert_clean, environment
from tests.fakebot import FakeBotApi, free_port
from tests.waiting import eventually

READERS = list(range(6000, 6040))
HELD = READERS[20]


def received(server: FakeBotApi) -> Counter[int]:
    return Counter(m.chat_id for m in server.sent() if m.chat_id in set(READERS))


async def start(server: FakeBotApi, database: Path, cwd: Path, **env: str) -> BotProcess:
    settings = {**environment(server.url, database, server.token), "ADMIN_IDS": str(ADMIN_ID)}
    return await BotProcess.start({**settings, **env}, cwd)


def refusal(bot: BotProcess, database: Path, holder: BotProcess) -> str:
    [line] = bot.stderr
    pid = holder.process.pid
    assert line.startswith(
        f"briefbot: DATABASE_PATH {database} is served by another `briefbot run` "
        f"(process {pid}, holding {database}.lock): stop that one first"
    ), line
    return line


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_second_run_on_the_file_is_refused_and_nothing_is_sent_twice(
    tmp_path: Path, mode: str
) -> None:
    # A --local server posts webhooks to http://127.0.0.1.
    async with fake_bot_api(local=mode == "webhook") as api:
        await _second_run_refused(api, tmp_path, mode)


async def _second_run_refused(api: FakeBotApi, tmp_path: Path, mode: str) -> None:
    database = tmp_path / "briefbot.db"
    for chat_id in READERS:
        api.user(chat_id)
    admin = api.user(ADMIN_ID, "Admin")
    await publish(database, "Bridge vote")
    await add_subscribers(database, READERS, due=datetime(2100, 1, 1, tzinfo=UTC))
    # One send held until the second bot has been refused, so the push is surely still
    # running while the second lives: a second bot that took it over would send that brief
    # again. (At most 10 s, well within the bot's timeout for a send.)
    refused = asyncio.Event()
    api.delay("sendMessage", 10.0, chat_id=HELD, until=refused)
    # In webhook mode each has a port of its own (as behind two proxies): only the lock
    # stops the second, as no 409 from Telegram ever would.
    ports = [webhook_env(free_port()) if mode == "webhook" else {} for _ in range(2)]
    first = await start(api, database, tmp_path, **ports[0])
    try:
        await api.wait_for_call("setMyCommands", timeout=30)
        await api.send_text(admin, "/push")
        others = len(READERS) - 1
        await eventually(lambda: len(received(api)) == others, "all but the held", within=30)
        asked = len(api.calls)
        second = await start(api, database, tmp_path, **ports[1])
        assert await second.finish(None) == ExitCode.OTHER_INSTANCE
        assert_clean(second.output, api.token)
        refusal(second, database, first)
        assert [c.method for c in api.calls[asked:]].count("getMe") == 0
        assert len(received(api)) == others  # the held send still held
        refused.set()
        await eventually(lambda: len(received(api)) == len(READERS), "every reader", within=30)
        [reply] = await say(api, api.user(7, "Grace"), "/start")  # the first serves on
        assert reply.text
    finally:
        code = await first.finish(signal.SIGINT)
    assert code == ExitCode.STOPPED
    assert max(received(api).values()) == 1, "no reader got the brief twice"


async def plain_bot(server: FakeBotApi, tmp_path: Path) -> tuple[dict[str, str], BotProcess]:
    """Settings naming one database file, and `briefbot run` started on it."""
    env = environment(server.url, tmp_path / "briefbot.db", server.token)
    return env, await BotProcess.start(env, tmp_path)


async def test_import_backup_and_health_work_beside_the_running_bot(
    server: FakeBotApi, tmp_path: Path
) -> None:
    env, bot = await plain_bot(server, tmp_path)
    try:
        await server.wait_for_call("setMyCommands", timeout=30)
        brief = DATA / "briefs" / "harbor-bridge-vote.txt"
        imported = await BotProcess.start(env, tmp_path, "import", str(brief))
        assert await imported.finish(None) == 0, imported.output
        backup = tmp_path / "copy.db"
        copied = await BotProcess.start(env, tmp_path, "backup", str(backup))
        assert await copied.finish(None) == 0, copied.output
        assert backup.stat().st_size > 0

        async def healthy() -> bool:
            check = await BotProcess.start(env, tmp_path, "health")
            return await check.finish(None) == 0 and check.stdout == ["ready\n"]

        for _ in range(20):  # the heartbeat is written a second after the start
            if await healthy():
                break
        else:
            pytest.fail("`briefbot health` never said ready beside the running bot")
        [reply] = await say(server, server.user(7, "Grace"), "/brief")
        assert "There is no brief yet" not in reply.text  # the import reached the bot
    finally:
        code = await bot.finish(signal.SIGINT)
    assert code == ExitCode.STOPPED


async def test_after_the_bot_is_killed_a_new_one_starts_on_the_file(
    server: FakeBotApi, tmp_path: Path
) -> None:
    env, killed = await plain_bot(server, tmp_path)
    await server.wait_for_call("setMyCommands", timeout=30)
    assert await killed.finish(signal.SIGKILL) == -signal.SIGKILL
    again = await BotProcess.start(env, tmp_path)
    try:
        await server.wait_for_call("setMyCommands", count=2, timeout=30)
        [reply] = await say(server, server.user(7, "Grace"), "/brief")
        assert "There is no brief yet" in reply.text
    finally:
        code = await again.finish(signal.SIGINT)
    assert code == ExitCode.STOPPED
    assert_clean(again.output, server.token)
