"""Channels on PostgreSQL: storage/channels.py, method for method (inline copies:
storage/inline.py serves both engines)."""

from __future__ import annotations

from datetime import datetime

from storage.channels import PREFIX
from storage.db import from_db, to_db
from storage.postgres.db import PgDatabase


class PgChannelRepo:
    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    async def configure(self, chat_id: int, *, at: datetime) -> datetime:
        key = f"{PREFIX}{chat_id}"
        await self._db.write(
            "INSERT INTO bot_state (key, value, updated_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (key) DO NOTHING",
            key,
            str(to_db(at)),
            to_db(at),
        )
        row = await self._db.fetch_one("SELECT value FROM bot_state WHERE key = $1", key)
        assert row is not None, "just written, and nothing deletes it"
        return from_db(int(row[0]))

    async def known(self) -> dict[int, datetime]:
        rows = await self._db.fetch_all(
            "SELECT key, value FROM bot_state WHERE starts_with(key, $1)", PREFIX
        )
        return {int(r[0][len(PREFIX) :]): from_db(int(r[1])) for r in rows}

    async def due(
        self, chat_id: int, *, since: datetime, attempts: int, limit: int = 50
    ) -> list[int]:
        rows = await self._db.fetch_all(
            """SELECT b.id FROM briefs AS b
               LEFT JOIN deliveries AS d ON d.brief_id = b.id AND d.chat_id = $1
               WHERE b.retracted_at IS NULL AND b.published_at > $2
                 AND (d.status IS NULL OR (d.status = 'failed' AND d.attempts < $3))
               ORDER BY b.published_at, b.id
               LIMIT $4""",
            chat_id,
            to_db(since),
            attempts,
            limit,
        )
        return [int(r[0]) for r in rows]
