"""The webhook updates taken lately, so that one Telegram delivers twice is handled once,
whichever replica (or restart of the bot) it reaches the second time.

Its SQL reads alike on both engines: the same class serves SQLite and, through
storage.postgres.db.PortableSql, PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from storage.db import to_db
from storage.sql import Sql


class UpdateRepo:
    def __init__(self, db: Sql) -> None:
        self._db = db

    async def first_time(self, update_id: int, *, at: datetime) -> bool:
        """Record the update as taken; False when it was taken before (by any process)."""
        # The primary key decides between replicas: one insert wins, the others do nothing.
        added = await self._db.write(
            "INSERT INTO handled_updates (update_id, handled_at) VALUES (?, ?)"
            " ON CONFLICT (update_id) DO NOTHING",
            (update_id, to_db(at)),
        )
        return added > 0

    async def forget_before(self, before: datetime) -> int:
        """Forget updates taken before `before`: Telegram no longer sends them again."""
        return await self._db.write(
            "DELETE FROM handled_updates WHERE handled_at < ?", (to_db(before),)
        )
