"""The bot's running processes, each seen at its heartbeat (bot/replicas.py).

A replica not seen for a while is taken for dead: what it held (sends it had claimed, the
pushes it ran) is given to the living by storage.deliveries.release_in_flight and
storage.pushes.take_over, which read this table in the same statement.

Its SQL reads alike on both engines: the same class serves SQLite and, through
storage.postgres.db.PortableSql, PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from storage.db import Sql, to_db


class ReplicaRepo:
    def __init__(self, db: Sql) -> None:
        self._db = db

    async def beat(self, replica_id: str, *, at: datetime) -> None:
        """The replica is alive at `at`; the first beat registers it."""
        await self._db.write(
            """INSERT INTO replicas (id, started_at, seen_at) VALUES (?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at""",
            (replica_id, to_db(at), to_db(at)),
        )

    async def alive(self, *, since: datetime) -> int:
        """How many replicas were seen at or after `since`."""
        row = await self._db.fetch_one(
            "SELECT count(*) FROM replicas WHERE seen_at >= ?", (to_db(since),)
        )
        assert row is not None  # an aggregate always yields a row
        return int(row[0])

    async def leave(self, replica_id: str) -> None:
        """The replica stopped cleanly: what it still holds is given up at once."""
        await self._db.write("DELETE FROM replicas WHERE id = ?", (replica_id,))

    async def forget(self, *, seen_before: datetime, but: str | None = None) -> int:
        """Drop the replicas last seen before `seen_before`, except `but`."""
        return await self._db.write(
            "DELETE FROM replicas WHERE seen_at < ? AND id != coalesce(?, '')",
            (to_db(seen_before), but),
        )
