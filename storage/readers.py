"""The brief each reader last opened, so /facts without an id answers about it."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.cache import LRU
from storage.db import Database, to_db

# Readers whose choice is kept in memory. Only the bot writes this table, so what it wrote
# last is what the table holds: a reader paging through one brief costs no write and no
# read. Forgotten readers are read from the table again; after a restart every reader is.
# This holds for SQLite's one bot process only: on PostgreSQL, where replicas each write,
# storage/postgres/small.py PgReaderRepo keeps no such memory and reads through.
READERS_KEPT = 100_000


class ReaderRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._known: LRU[int, int] = LRU(READERS_KEPT)
        self._writes = 0  # a read that overlapped a write must not remember what it read

    async def set_last_opened(
        self, user_id: int, brief_id: int, *, at: datetime | None = None
    ) -> None:
        """Remember `brief_id` for the user. A brief that does not exist raises ConstraintError.

        `updated_at` is when the reader moved to this brief: opening it again writes nothing.
        """
        if self._known.get(user_id) == brief_id:
            return
        # Known before the write, so a second press while it is queued does not write again.
        self._known.put(user_id, brief_id)
        self._writes += 1
        moment = at if at is not None else datetime.now(UTC)
        try:
            await self._db.write(
                """INSERT INTO readers (user_id, brief_id, updated_at) VALUES (?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE
                   SET brief_id = excluded.brief_id, updated_at = excluded.updated_at""",
                (user_id, brief_id, to_db(moment)),
            )
        except BaseException:
            self._known.discard(user_id)
            raise

    async def last_opened(self, user_id: int) -> int | None:
        known = self._known.get(user_id)
        if known is not None:
            return known
        writes = self._writes
        row = await self._db.fetch_one("SELECT brief_id FROM readers WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        if writes == self._writes:
            self._known.put(user_id, int(row[0]))
        return int(row[0])
