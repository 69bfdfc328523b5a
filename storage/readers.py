"""The brief each reader last opened, so /facts without an id answers about it."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.cache import LRU
from storage.db import to_db
from storage.sql import Sql

# Readers whose choice is kept in memory, where one bot process serves the database
# (SQLite's): only it writes this table, so what it wrote last is what the table holds, and
# a reader paging through one brief costs no write and no read. Forgotten readers are read
# from the table again; after a restart every reader is. With several replicas (PostgreSQL)
# a reader's updates reach any of them and what one remembered would be stale once another
# wrote, so nothing is kept: each press costs one short statement instead.
READERS_KEPT = 100_000

# The WHERE keeps updated_at (when the reader moved to this brief) and writes nothing when
# the reader opens the same brief again.
_SET = """INSERT INTO readers (user_id, brief_id, updated_at) VALUES (?, ?, ?)
          ON CONFLICT (user_id) DO UPDATE
          SET brief_id = excluded.brief_id, updated_at = excluded.updated_at
          WHERE readers.brief_id <> excluded.brief_id"""


class ReaderRepo:
    """Its SQL reads alike on both engines (storage.sql.Sql). `remember`: keep what each
    reader opened in memory, for a database only this process writes (see READERS_KEPT)."""

    def __init__(self, db: Sql, *, remember: bool) -> None:
        self._db = db
        self._known: LRU[int, int] | None = LRU(READERS_KEPT) if remember else None
        self._writes = 0  # a read that overlapped a write must not remember what it read

    async def set_last_opened(
        self, user_id: int, brief_id: int, *, at: datetime | None = None
    ) -> None:
        """Remember `brief_id` for the user. A brief that does not exist raises ConstraintError.

        `updated_at` is when the reader moved to this brief: opening it again writes nothing.
        """
        known = self._known
        if known is not None:
            if known.get(user_id) == brief_id:
                return
            # Known before the write, so a second press while it is queued does not write again.
            known.put(user_id, brief_id)
        self._writes += 1
        moment = at if at is not None else datetime.now(UTC)
        try:
            await self._db.write(_SET, (user_id, brief_id, to_db(moment)))
        except BaseException:
            if known is not None:
                known.discard(user_id)
            raise

    async def last_opened(self, user_id: int) -> int | None:
        known = None if self._known is None else self._known.get(user_id)
        if known is not None:
            return known
        writes = self._writes
        row = await self._db.fetch_one("SELECT brief_id FROM readers WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        if self._known is not None and writes == self._writes:
            self._known.put(user_id, int(row[0]))
        return int(row[0])
