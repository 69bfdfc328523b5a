"""Paste parts on PostgreSQL: storage/pending.py's PasteRepo, method for method (its
CorrectionRepo serves both engines). What replicas share so that an admin's updates may
reach any of them."""

from __future__ import annotations

from datetime import datetime

from storage.db import to_db
from storage.models import PastePart
from storage.pending import links_json, part_size, parts_of
from storage.postgres.db import PgDatabase

_ADD = """
INSERT INTO paste_parts (chat_id, message_id, text, links, size, received_at)
SELECT $1::bigint, $2::bigint,
       CASE WHEN coalesce(sum(size), 0) <= $3 THEN $4::text ELSE '' END,
       CASE WHEN coalesce(sum(size), 0) <= $3 THEN $5::jsonb ELSE '[]'::jsonb END,
       $6::integer, $7::bigint
  FROM paste_parts WHERE chat_id = $1
ON CONFLICT (chat_id, message_id) DO NOTHING
RETURNING id
"""


class PgPasteRepo:
    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    async def add(
        self,
        chat_id: int,
        part: PastePart,
        *,
        at: datetime,
        forget_before: datetime,
        keep_up_to: int,
    ) -> int | None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM paste_parts WHERE chat_id = $1 AND received_at < $2",
                chat_id,
                to_db(forget_before),
            )
            arrival = await conn.fetchval(
                _ADD,
                chat_id,
                part.message_id,
                keep_up_to,
                part.text,
                links_json(part),
                part_size(part),
                to_db(at),
            )
        return None if arrival is None else int(arrival)

    async def take(self, chat_id: int, *, last: int) -> list[PastePart]:
        # Two takers at once: the second's DELETE waits on the first's row locks, then
        # finds the rows gone. A part added meanwhile is newer than `last`, and waits.
        rows = await self._db.write_returning(
            """DELETE FROM paste_parts
                WHERE chat_id = $1 AND (SELECT max(id) FROM paste_parts WHERE chat_id = $1) = $2
            RETURNING message_id, text, links::text""",
            chat_id,
            last,
        )
        return parts_of(rows)

    async def delete_stale(self, before: datetime) -> int:
        return await self._db.write("DELETE FROM paste_parts WHERE received_at < $1", to_db(before))
