"""The brief each reader last opened, so /facts without an id answers about it."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.db import Database, to_db


class ReaderRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_last_opened(
        self, user_id: int, brief_id: int, *, at: datetime | None = None
    ) -> None:
        """Remember `brief_id` for the user. A brief that does not exist raises ConstraintError."""
        moment = at if at is not None else datetime.now(UTC)
        await self._db.write(
            """INSERT INTO readers (user_id, brief_id, updated_at) VALUES (?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE
               SET brief_id = excluded.brief_id, updated_at = excluded.updated_at""",
            (user_id, brief_id, to_db(moment)),
        )

    async def last_opened(self, user_id: int) -> int | None:
        row = await self._db.fetch_one("SELECT brief_id FROM readers WHERE user_id = ?", (user_id,))
        return None if row is None else int(row[0])
