"""The copies of briefs users sent with inline mode, by the id Telegram gives each."""

from __future__ import annotations

from datetime import datetime

from storage.db import from_db, to_db
from storage.models import InlineCopy
from storage.sql import Sql


class InlineCopyRepo:
    """Its SQL reads alike on both engines: on PostgreSQL it runs through
    storage.postgres.db.PortableSql."""

    def __init__(self, db: Sql) -> None:
        self._db = db

    async def record(
        self, inline_message_id: str, brief_id: int, user_id: int, *, at: datetime
    ) -> bool:
        """Remember a chosen result; False when that message was recorded already (Telegram
        sent the choice twice) or the brief does not exist."""
        # The SELECT names the brief only if it exists, so an unknown id writes nothing.
        written = await self._db.write(
            """INSERT INTO inline_copies (inline_message_id, brief_id, user_id, chosen_at)
               SELECT ?, id, ?, ? FROM briefs WHERE id = ?
               ON CONFLICT (inline_message_id) DO NOTHING""",
            (inline_message_id, user_id, to_db(at), brief_id),
        )
        return written > 0

    async def of_brief(self, brief_id: int) -> list[InlineCopy]:
        """Every recorded copy of the brief, oldest first."""
        rows = await self._db.fetch_all(
            """SELECT inline_message_id, brief_id, user_id, chosen_at FROM inline_copies
                WHERE brief_id = ? ORDER BY chosen_at, inline_message_id""",
            (brief_id,),
        )
        return [
            InlineCopy(inline_message_id=r[0], brief_id=r[1], user_id=r[2], chosen_at=from_db(r[3]))
            for r in rows
        ]

    async def count(self) -> int:
        row = await self._db.fetch_one("SELECT count(*) FROM inline_copies")
        return 0 if row is None else int(row[0])
