"""Deliveries on PostgreSQL: storage/deliveries.py, method for method (its docstrings say
what each does).

Row locks do here what SQLite's single writer does there: an INSERT ... ON CONFLICT claim
is atomic, so two replicas never both claim one (brief, chat).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from storage.db import from_db, to_db
from storage.deliveries import _delivery, held_rows
from storage.models import BriefHeader, Delivery
from storage.postgres.db import NOW, PgDatabase

_DELIVERY = "brief_id, chat_id, status, attempts, message_ids::text, last_error, updated_at"
_LOWEST_ID = -(2**63)
# storage/deliveries.py's, with the server's clock (NOW: a constant, never input).
_STILL_HELD = f"""
WITH lease AS (
    SELECT EXISTS (SELECT 1 FROM replicas WHERE id = $1 AND lease_until > {NOW}) AS valid
)
SELECT lease.valid, d.brief_id, d.chat_id
  FROM lease
  LEFT JOIN unnest($2::bigint[], $3::bigint[]) AS asked (brief_id, chat_id) ON lease.valid
  LEFT JOIN deliveries AS d
    ON d.brief_id = asked.brief_id AND d.chat_id = asked.chat_id
   AND d.status = 'sending' AND d.owner = $1
"""


class PgDeliveryRepo:
    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    async def claim(
        self, brief_id: int, chat_id: int, *, at: datetime, owner: str | None = None
    ) -> bool:
        return bool(await self.claim_many(brief_id, [chat_id], at=at, owner=owner))

    async def claim_many(
        self, brief_id: int, chat_ids: Sequence[int], *, at: datetime, owner: str | None = None
    ) -> list[int]:
        # Each chat once: ON CONFLICT DO UPDATE refuses to touch one row twice in a statement.
        chats = list(dict.fromkeys(chat_ids))
        if not chats:
            return []
        rows = await self._db.write_returning(
            """INSERT INTO deliveries
                   (brief_id, chat_id, status, attempts, message_ids, last_error, updated_at,
                    owner)
               SELECT $1, chat, 'sending', 1, '[]', NULL, $2, $4
                 FROM unnest($3::bigint[]) AS chat
               ON CONFLICT (brief_id, chat_id) DO UPDATE SET
                   status = 'sending', attempts = deliveries.attempts + 1,
                   updated_at = excluded.updated_at, owner = excluded.owner
               WHERE deliveries.status = 'failed'
               RETURNING chat_id""",
            brief_id,
            to_db(at),
            chats,
            owner,
        )
        claimed = {int(r[0]) for r in rows}
        return [c for c in chats if c in claimed]

    async def mark_sent(
        self, brief_id: int, chat_id: int, message_ids: Sequence[int], *, at: datetime
    ) -> None:
        await self.mark_sent_many([(brief_id, chat_id, message_ids)], at=at)

    async def mark_sent_many(
        self, sent: Sequence[tuple[int, int, Sequence[int]]], *, at: datetime
    ) -> None:
        # The last word on a pair wins, as it would row by row.
        rows = {(b, c): json.dumps([int(m) for m in ids]) for b, c, ids in sent}
        if not rows:
            return
        await self._db.write(
            """INSERT INTO deliveries
                   (brief_id, chat_id, status, attempts, message_ids, last_error, updated_at)
               SELECT b, c, 'sent', 1, m::jsonb, NULL, $4
                 FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS sent (b, c, m)
               ON CONFLICT (brief_id, chat_id) DO UPDATE SET
                   status = 'sent', message_ids = excluded.message_ids, last_error = NULL,
                   updated_at = excluded.updated_at""",
            [b for b, _ in rows],
            [c for _, c in rows],
            list(rows.values()),
            to_db(at),
        )

    async def mark_failed(
        self, brief_id: int, chat_id: int, error: str, *, at: datetime, owner: str | None = None
    ) -> None:
        await self._db.write(
            """INSERT INTO deliveries
                   (brief_id, chat_id, status, attempts, message_ids, last_error, updated_at)
               VALUES ($1, $2, 'failed', 1, '[]', $3, $4)
               ON CONFLICT (brief_id, chat_id) DO UPDATE SET
                   status = 'failed', last_error = excluded.last_error,
                   updated_at = excluded.updated_at
               WHERE deliveries.status = 'failed'
                  OR (deliveries.status = 'sending'
                      AND deliveries.owner IS NOT DISTINCT FROM $5::text)""",
            brief_id,
            chat_id,
            error,
            to_db(at),
            owner,
        )

    async def release_in_flight(self) -> int:
        return await self._db.write(
            """UPDATE deliveries
                  SET status = 'failed', last_error = 'interrupted while sending'
                WHERE status = 'sending'
                  AND (owner IS NULL OR owner NOT IN (SELECT id FROM replicas))"""
        )

    async def still_held(
        self, owner: str, rows: Sequence[tuple[int, int]]
    ) -> list[tuple[int, int]] | None:
        found = await self._db.fetch_all(
            _STILL_HELD, owner, [b for b, _ in rows], [c for _, c in rows]
        )
        return held_rows(found)

    async def release_held(self, owner: str) -> int:
        return await self._db.write(
            """UPDATE deliveries
                  SET status = 'failed', last_error = 'interrupted while sending'
                WHERE status = 'sending' AND owner = $1""",
            owner,
        )

    async def get(self, brief_id: int, chat_id: int) -> Delivery | None:
        row = await self._db.fetch_one(
            f"SELECT {_DELIVERY} FROM deliveries WHERE brief_id = $1 AND chat_id = $2",
            brief_id,
            chat_id,
        )
        return None if row is None else _delivery(row)

    async def sent_copies(self, brief_id: int) -> list[Delivery]:
        rows = await self._db.fetch_all(
            f"""SELECT {_DELIVERY} FROM deliveries WHERE brief_id = $1 AND status = 'sent'
                ORDER BY chat_id""",
            brief_id,
        )
        return [_delivery(r) for r in rows]

    async def failed_for(
        self, chat_id: int, *, since: datetime, limit: int = 100
    ) -> list[BriefHeader]:
        rows = await self._db.fetch_all(
            """SELECT b.id, v.title, b.published_at
                 FROM deliveries AS d
                 JOIN briefs AS b ON b.id = d.brief_id
                 JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
                WHERE d.chat_id = $1 AND d.status = 'failed' AND d.updated_at >= $2
                  AND b.retracted_at IS NULL
                ORDER BY b.published_at, b.id
                LIMIT $3""",
            chat_id,
            to_db(since),
            limit,
        )
        return [BriefHeader(r[0], r[1], from_db(r[2])) for r in rows]

    async def undelivered(self, chat_id: int, brief_ids: Sequence[int]) -> list[int]:
        if not brief_ids:
            return []
        rows = await self._db.fetch_all(
            """SELECT brief_id FROM deliveries
                WHERE chat_id = $1 AND status = 'sent' AND brief_id = ANY($2::bigint[])""",
            chat_id,
            list(brief_ids),
        )
        sent = {int(r[0]) for r in rows}
        return [b for b in dict.fromkeys(brief_ids) if b not in sent]
