"""Channels and inline copies on PostgreSQL: storage/channels.py and storage/inline.py,
method for method."""

from __future__ import annotations

from datetime import datetime

from storage.channels import PREFIX
from storage.db import from_db, to_db
from storage.models import InlineCopy
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


class PgInlineCopyRepo:
    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    async def record(
        self, inline_message_id: str, brief_id: int, user_id: int, *, at: datetime
    ) -> bool:
        written = await self._db.write(
            """INSERT INTO inline_copies (inline_message_id, brief_id, user_id, chosen_at)
               SELECT $1, id, $2, $3 FROM briefs WHERE id = $4
               ON CONFLICT (inline_message_id) DO NOTHING""",
            inline_message_id,
            user_id,
            to_db(at),
            brief_id,
        )
        return written > 0

    async def of_brief(self, brief_id: int) -> list[InlineCopy]:
        rows = await self._db.fetch_all(
            """SELECT inline_message_id, brief_id, user_id, chosen_at FROM inline_copies
                WHERE brief_id = $1 ORDER BY chosen_at, inline_message_id""",
            brief_id,
        )
        return [
            InlineCopy(inline_message_id=r[0], brief_id=r[1], user_id=r[2], chosen_at=from_db(r[3]))
            for r in rows
        ]

    async def count(self) -> int:
        row = await self._db.fetch_one("SELECT count(*) FROM inline_copies")
        return 0 if row is None else int(row[0])
