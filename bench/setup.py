"""What the bot benchmarks share: a database holding the reference brief, and the bot's
environment pointed at the local Bot API server."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from brief import parse_text
from storage import Storage
from tests.conftest import DATA
from tests.fakebot import FakeBotApi


async def reference_database(folder: Path) -> Path:
    """A new database in `folder` with the reference brief published as brief #1."""
    database = folder / "bench.db"
    storage = await Storage.open(database)
    try:
        text = (DATA / "briefs" / "putin-north-korea.txt").read_text(encoding="utf-8")
        await storage.briefs.publish(parse_text(text).brief, by=None, at=datetime.now(UTC))
    finally:
        await storage.close()
    return database


def bot_environment(server: FakeBotApi, database: Path, **settings: str) -> dict[str, str]:
    """The environment a bot process runs with: this machine's, plus its settings."""
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_URL": server.url,
        "DATABASE_PATH": str(database),
        **settings,
    }
