"""Named values the bot keeps across restarts: its webhook secret, its heartbeat.

Its SQL reads alike on both engines: the same class serves SQLite and, through
storage.postgres.db.PortableSql, PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.db import from_db, to_db
from storage.sql import Sql


class StateRepo:
    def __init__(self, db: Sql) -> None:
        self._db = db

    async def get(self, key: str) -> tuple[str, datetime] | None:
        """The value stored under `key` and when it was written, or None."""
        row = await self._db.fetch_one(
            "SELECT value, updated_at FROM bot_state WHERE key = ?", (key,)
        )
        return None if row is None else (str(row[0]), from_db(int(row[1])))

    async def put(self, key: str, value: str, *, at: datetime | None = None) -> None:
        moment = at if at is not None else datetime.now(UTC)
        await self._db.write(
            """INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, ?)
               ON CONFLICT (key) DO UPDATE
               SET value = excluded.value, updated_at = excluded.updated_at""",
            (key, value, to_db(moment)),
        )

    async def put_if_absent(self, key: str, value: str, *, at: datetime | None = None) -> str:
        """Store `value` unless `key` holds one already; returns the value that is kept.

        Two processes racing to create the same value (a generated secret) agree on one.
        """
        moment = at if at is not None else datetime.now(UTC)
        await self._db.write(
            "INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING",
            (key, value, to_db(moment)),
        )
        # Read after the insert committed: a racing insert that won is committed too.
        kept = await self.get(key)
        assert kept is not None, "just written, and nothing deletes state"
        return kept[0]
