"""Deliveries: one row per (brief, chat), the record that makes sending exactly-once.

A sender claims a row before sending and marks it sent or failed after. A claim only
succeeds on a missing or "failed" row, so two workers never send the same brief to the
same chat. After a crash, rows left "sending" are released to "failed" and retried: the
one case where a chat can get a copy twice, at most once per row in flight at the crash.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from storage.db import NOW, Database, Row, from_db, to_db
from storage.models import BriefHeader, Delivery

_COLUMNS = "brief_id, chat_id, status, attempts, message_ids, last_error, updated_at"

# Shared by claim() and claim_many(): RETURNING yields a row only for what was claimed,
# inserted or flipped from "failed"; the WHERE true is SQLite's upsert-after-SELECT rule.
_CLAIM = """
INSERT INTO deliveries
    (brief_id, chat_id, status, attempts, message_ids, last_error, updated_at, owner)
SELECT :brief, value, 'sending', 1, '[]', NULL, :at, :owner FROM json_each(:chats) WHERE true
ON CONFLICT (brief_id, chat_id) DO UPDATE SET
    status = 'sending', attempts = deliveries.attempts + 1, updated_at = excluded.updated_at,
    owner = excluded.owner
WHERE deliveries.status = 'failed'
RETURNING chat_id
"""

# Many rows in one statement, so they are committed together in one round trip: :sent is
# a JSON array of [brief_id, chat_id, message ids as JSON text].
_MARK_SENT = """
INSERT INTO deliveries (brief_id, chat_id, status, attempts, message_ids, last_error, updated_at)
SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), 'sent', 1,
       json_extract(value, '$[2]'), NULL, :at
FROM json_each(:sent) WHERE true
ON CONFLICT (brief_id, chat_id) DO UPDATE SET
    status = 'sent', message_ids = excluded.message_ids, last_error = NULL,
    updated_at = excluded.updated_at
"""


# The lease is read in the same statement as the rows, so no beat or takeover can come
# between the two: one row per row asked (all NULL but `valid` when the lease is not),
# or a single one when none is asked. NOW is a constant expression (storage.db), never
# input.
_STILL_HELD = f"""
WITH lease AS (
    SELECT EXISTS (SELECT 1 FROM replicas WHERE id = :owner AND lease_until > {NOW}) AS valid
)
SELECT lease.valid, d.brief_id, d.chat_id
  FROM lease
  LEFT JOIN json_each(:rows) AS asked ON lease.valid
  LEFT JOIN deliveries AS d
    ON d.brief_id = json_extract(asked.value, '$[0]')
   AND d.chat_id = json_extract(asked.value, '$[1]')
   AND d.status = 'sending' AND d.owner = :owner
"""


def held_rows(found: Sequence[Row]) -> list[tuple[int, int]] | None:
    """still_held's answer from _STILL_HELD's rows (either engine's)."""
    if not found or not found[0][0]:
        return None
    return [(int(r[1]), int(r[2])) for r in found if r[1] is not None]


def _delivery(row: Row) -> Delivery:
    return Delivery(
        brief_id=row[0],
        chat_id=row[1],
        status=row[2],
        attempts=row[3],
        message_ids=tuple(int(m) for m in json.loads(row[4])),
        last_error=row[5],
        updated_at=from_db(row[6]),
    )


class DeliveryRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(
        self, brief_id: int, chat_id: int, *, at: datetime, owner: str | None = None
    ) -> bool:
        """Take the right to send; False when the row is already "sent" or "sending".

        `owner`, the claiming replica (bot/replicas.py), is whose the row is while it is
        "sending": release_in_flight gives it back once that replica is taken for dead."""
        return bool(await self.claim_many(brief_id, [chat_id], at=at, owner=owner))

    async def claim_many(
        self, brief_id: int, chat_ids: Sequence[int], *, at: datetime, owner: str | None = None
    ) -> list[int]:
        """claim() for many chats in one statement; returns the ids claimed, in input order."""
        if not chat_ids:
            return []
        rows = await self._db.write_returning(
            _CLAIM,
            {
                "brief": brief_id,
                "at": to_db(at),
                "chats": json.dumps(list(chat_ids)),
                "owner": owner,
            },
        )
        claimed = {int(r[0]) for r in rows}
        return [c for c in dict.fromkeys(chat_ids) if c in claimed]

    async def mark_sent(
        self, brief_id: int, chat_id: int, message_ids: Sequence[int], *, at: datetime
    ) -> None:
        """Record the copy as sent, whatever the row said before: it was sent."""
        await self.mark_sent_many([(brief_id, chat_id, message_ids)], at=at)

    async def mark_sent_many(
        self, sent: Sequence[tuple[int, int, Sequence[int]]], *, at: datetime
    ) -> None:
        """mark_sent() for many (brief_id, chat_id, message_ids), in one statement.

        A push records thousands of sends a second; one commit for all those that finished
        meanwhile costs a fraction of one commit each.
        """
        if not sent:
            return
        rows = [[b, c, json.dumps([int(m) for m in ids])] for b, c, ids in sent]
        await self._db.write(_MARK_SENT, {"sent": json.dumps(rows), "at": to_db(at)})

    async def mark_failed(
        self, brief_id: int, chat_id: int, error: str, *, at: datetime, owner: str | None = None
    ) -> None:
        """Record a failed attempt; a row already "sent" stays sent, and one "sending" stays
        so unless `owner` (the claimer, None for none) holds it: a replica never fails a
        send another replica claimed since."""
        await self._db.write(
            """INSERT INTO deliveries
                   (brief_id, chat_id, status, attempts, message_ids, last_error, updated_at)
               VALUES (?, ?, 'failed', 1, '[]', ?, ?)
               ON CONFLICT (brief_id, chat_id) DO UPDATE SET
                   status = 'failed', last_error = excluded.last_error,
                   updated_at = excluded.updated_at
               WHERE deliveries.status = 'failed'
                  OR (deliveries.status = 'sending' AND deliveries.owner IS ?)""",
            (brief_id, chat_id, error, to_db(at), owner),
        )

    async def release_in_flight(self) -> int:
        """Rows left "sending" by a replica that is not registered (storage/replicas.py:
        taken for dead, or it left) become "failed", to be retried; so do those with no
        owner. A registered replica's sends are its own to finish."""
        return await self._db.write(
            """UPDATE deliveries
                  SET status = 'failed', last_error = 'interrupted while sending'
                WHERE status = 'sending'
                  AND (owner IS NULL OR owner NOT IN (SELECT id FROM replicas))"""
        )

    async def still_held(
        self, owner: str, rows: Sequence[tuple[int, int]]
    ) -> list[tuple[int, int]] | None:
        """Of the (brief_id, chat_id) `rows`, those `owner` still holds "sending": the
        only ones it may send now. None when it may send nothing, as its lease is not valid
        by the database's clock: it ran out, or the owner was taken for dead (or left)."""
        found = await self._db.fetch_all(
            _STILL_HELD, {"owner": owner, "rows": json.dumps([list(row) for row in rows])}
        )
        return held_rows(found)

    async def release_held(self, owner: str) -> int:
        """The rows `owner` still holds "sending" become "failed": a replica that lost its
        lease gives back what it claimed, for whoever claims it next."""
        return await self._db.write(
            """UPDATE deliveries
                  SET status = 'failed', last_error = 'interrupted while sending'
                WHERE status = 'sending' AND owner = ?""",
            (owner,),
        )

    async def get(self, brief_id: int, chat_id: int) -> Delivery | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM deliveries WHERE brief_id = ? AND chat_id = ?",
            (brief_id, chat_id),
        )
        return None if row is None else _delivery(row)

    async def sent_copies(self, brief_id: int) -> list[Delivery]:
        """Copies delivered, by chat_id: what to edit after a correction."""
        rows = await self._db.fetch_all(
            f"""SELECT {_COLUMNS} FROM deliveries WHERE brief_id = ? AND status = 'sent'
                ORDER BY chat_id""",
            (brief_id,),
        )
        return [_delivery(r) for r in rows]

    async def failed_for(
        self, chat_id: int, *, since: datetime, limit: int = 100
    ) -> list[BriefHeader]:
        """Briefs whose last send to the chat failed at or after `since`, oldest first.

        Retracted briefs are left out. `since` is the chat's subscription: what failed
        before a reader left is not owed when they come back.
        """
        rows = await self._db.fetch_all(
            """SELECT b.id, v.title, b.published_at
                 FROM deliveries AS d
                 JOIN briefs AS b ON b.id = d.brief_id
                 JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
                WHERE d.chat_id = ? AND d.status = 'failed' AND d.updated_at >= ?
                  AND b.retracted_at IS NULL
                ORDER BY b.published_at, b.id
                LIMIT ?""",
            (chat_id, to_db(since), limit),
        )
        return [BriefHeader(id=r[0], title=r[1], published_at=from_db(r[2])) for r in rows]

    async def undelivered(self, chat_id: int, brief_ids: Sequence[int]) -> list[int]:
        """Those of `brief_ids` not yet sent to the chat, in the order given."""
        if not brief_ids:
            return []
        rows = await self._db.fetch_all(
            "SELECT brief_id FROM deliveries WHERE chat_id = ? AND status = 'sent'"
            " AND brief_id IN (SELECT value FROM json_each(?))",
            (chat_id, json.dumps(list(brief_ids))),
        )
        sent = {int(r[0]) for r in rows}
        return [b for b in dict.fromkeys(brief_ids) if b not in sent]
