"""`briefbot run` as a process: it serves readers through the configured Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from importlib import metadata
from pathlib import Path

from tests.conftest import DATA
from tests.e2e.conftest import publish_file
from tests.fakebot import FakeBotApi


async def test_run_serves_a_brief_imported_while_it_runs_and_never_logs_the_token(
    server: FakeBotApi, tmp_path: Path
) -> None:
    database = tmp_path / "briefbot.db"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(DATA.parents[1]),
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_URL": server.url,
        "DATABASE_PATH": str(database),
        "LOG_LEVEL": "DEBUG",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    try:
        await server.wait_for_call("setMyCommands", timeout=30)
        reader = server.user(7, "Grace")
        await server.send_text(reader, "/brief")
        [empty] = await server.wait_sent(reader.id, 1, timeout=10)
        assert "There is no brief yet" in empty.text
        stored = await publish_file(database, DATA / "briefs" / "putin-north-korea.txt")
        await server.send_text(reader, "/brief")
        replies = await server.wait_sent(reader.id, 2, timeout=10)
        assert replies[1].text.startswith("Putin Makes First Visit")
        assert f"brief:{stored.id}:facts" in replies[1].callback_data()
    finally:
        process.send_signal(signal.SIGINT)
        _, log = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    text = log.decode()
    assert "getUpdates" in text or "Application started" in text  # DEBUG logging really ran
    # The start-up line names the installed package's version, as `briefbot --version` does.
    assert f"INFO bot.app: briefbot {metadata.version('briefbot')} started as @" in text
    assert server.token not in text
    assert server.token.split(":")[1] not in text
