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
from typing import Any

from storage.db import Row, from_db, to_db
from storage.models import BriefHeader, DeliveryRecord
from storage.sql import Dialect, Sql, portable

# One repository on both engines (storage.sql.Sql). What takes many rows in one statement
# reads them from JSON text on SQLite (json_each) and from arrays on PostgreSQL (unnest):
# both statements stand here, picked by dialect. On PostgreSQL row locks do what SQLite's
# single writer does: an INSERT ... ON CONFLICT claim is atomic, so two replicas never
# both claim one (brief, chat).

_COLUMNS = "brief_id, chat_id, status, attempts, CAST(message_ids AS TEXT), last_error, updated_at"

# Shared by claim() and claim_many(): RETURNING yields a row only for what was claimed,
# inserted or flipped from "failed"; the WHERE true is SQLite's upsert-after-SELECT rule.
# Parameters: brief, at, owner, the chats.
_CLAIM = """
INSERT INTO deliveries
    (brief_id, chat_id, status, attempts, message_ids, last_error, updated_at, owner)
SELECT ?, {chats}
ON CONFLICT (brief_id, chat_id) DO UPDATE SET
    status = 'sending', attempts = deliveries.attempts + 1, updated_at = excluded.updated_at,
    owner = excluded.owner
WHERE deliveries.status = 'failed'
RETURNING chat_id
"""
_CLAIMS: dict[Dialect, str] = {
    "sqlite": _CLAIM.format(
        chats="value, 'sending', 1, '[]', NULL, ?, ? FROM json_each(?) WHERE true"
    ),
    "postgresql": _CLAIM.format(
        chats="chat, 'sending', 1, '[]', NULL, ?, ? FROM unnest(?::bigint[]) AS chat"
    ),
}

# Many rows in one statement, so they are committed together in one round trip.
# Parameters: at, then the rows (SQLite: a JSON array of [brief_id, chat_id, message ids
# as JSON text]; PostgreSQL: the three columns as arrays).
_MARK_SENT = """
INSERT INTO deliveries (brief_id, chat_id, status, attempts, message_ids, last_error, updated_at)
{rows}
ON CONFLICT (brief_id, chat_id) DO UPDATE SET
    status = 'sent', message_ids = excluded.message_ids, last_error = NULL,
    updated_at = excluded.updated_at
"""
_MARKS_SENT: dict[Dialect, str] = {
    "sqlite": _MARK_SENT.format(
        rows="""SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), 'sent', 1,
       json_extract(value, '$[2]'), NULL, ? FROM json_each(?) WHERE true"""
    ),
    "postgresql": _MARK_SENT.format(
        rows="""SELECT b, c, 'sent', 1, m::jsonb, NULL, ?
  FROM unnest(?::bigint[], ?::bigint[], ?::text[]) AS sent (b, c, m)"""
    ),
}

# Whether a "sending" row is the owner's, None matching None.
_OWNED: dict[Dialect, str] = {"sqlite": "IS ?", "postgresql": "IS NOT DISTINCT FROM ?::text"}

# The lease is read in the same statement as the rows, so no beat or takeover can come
# between the two: one row per row asked (all NULL but `valid` when the lease is not),
# or a single one when none is asked. Parameters: owner, the rows asked, owner.
_STILL_HELD = """
WITH lease AS (
    SELECT EXISTS (SELECT 1 FROM replicas WHERE id = ? AND lease_until > {now}) AS valid
)
SELECT lease.valid, d.brief_id, d.chat_id
  FROM lease
  LEFT JOIN {asked} ON lease.valid
  LEFT JOIN deliveries AS d
    ON d.brief_id = {brief} AND d.chat_id = {chat}
   AND d.status = 'sending' AND d.owner = ?
"""
_ASKED: dict[Dialect, dict[str, str]] = {
    "sqlite": {
        "asked": "json_each(?) AS asked",
        "brief": "json_extract(asked.value, '$[0]')",
        "chat": "json_extract(asked.value, '$[1]')",
    },
    "postgresql": {
        "asked": "unnest(?::bigint[], ?::bigint[]) AS asked (brief_id, chat_id)",
        "brief": "asked.brief_id",
        "chat": "asked.chat_id",
    },
}

_MARK_FAILED = """
INSERT INTO deliveries (brief_id, chat_id, status, attempts, message_ids, last_error, updated_at)
VALUES (?, ?, 'failed', 1, '[]', ?, ?)
ON CONFLICT (brief_id, chat_id) DO UPDATE SET
    status = 'failed', last_error = excluded.last_error, updated_at = excluded.updated_at
WHERE deliveries.status = 'failed'
   OR (deliveries.status = 'sending' AND deliveries.owner {owned})
"""

_AMONG: dict[Dialect, str] = {
    "sqlite": "IN (SELECT value FROM json_each(?))",
    "postgresql": "= ANY(?::bigint[])",
}


def _ids(dialect: Dialect, ids: Sequence[int]) -> str | list[int]:
    """Ids as one parameter: JSON text for SQLite's json_each, an array for PostgreSQL."""
    return json.dumps(list(ids)) if dialect == "sqlite" else list(ids)


def _rows(dialect: Dialect, rows: Sequence[Sequence[Any]], width: int) -> tuple[Any, ...]:
    """Rows as parameters: one JSON array of arrays for SQLite's json_each, one array per
    column for PostgreSQL's unnest."""
    if dialect == "sqlite":
        return (json.dumps([list(row) for row in rows]),)
    return tuple([row[i] for row in rows] for i in range(width))


def held_rows(found: Sequence[Row]) -> list[tuple[int, int]] | None:
    """still_held's answer from _STILL_HELD's rows (either engine's)."""
    if not found or not found[0][0]:
        return None
    return [(int(r[1]), int(r[2])) for r in found if r[1] is not None]


def _delivery(row: Row) -> DeliveryRecord:
    return DeliveryRecord(
        brief_id=row[0],
        chat_id=row[1],
        status=row[2],
        attempts=row[3],
        message_ids=tuple(int(m) for m in json.loads(row[4])),
        last_error=row[5],
        updated_at=from_db(row[6]),
    )


class DeliveryRepo:
    def __init__(self, db: Sql) -> None:
        self._db = db
        dialect = self._dialect = db.dialect
        self._claim = portable(_CLAIMS[dialect])
        self._mark_sent = portable(_MARKS_SENT[dialect])
        self._mark_failed = portable(_MARK_FAILED.format(owned=_OWNED[dialect]))
        self._still_held = portable(_STILL_HELD.format(now=db.now, **_ASKED[dialect]))
        self._undelivered = portable(
            "SELECT brief_id FROM deliveries WHERE chat_id = ? AND status = 'sent'"
            f" AND brief_id {_AMONG[dialect]}"
        )

    async def claim(
        self, brief_id: int, chat_id: int, *, at: datetime, owner: str | None = None
    ) -> bool:
        """Take the right to send; False when the row is already "sent" or "sending".

        `owner`, the claiming replica (bot/core/replicas/replica.py), is whose the row is
        while it is "sending": release_in_flight gives it back once that replica is taken
        for dead."""
        return bool(await self.claim_many(brief_id, [chat_id], at=at, owner=owner))

    async def claim_many(
        self, brief_id: int, chat_ids: Sequence[int], *, at: datetime, owner: str | None = None
    ) -> list[int]:
        """claim() for many chats in one statement; returns the ids claimed, in input order."""
        # Each chat once: PostgreSQL's ON CONFLICT DO UPDATE refuses to touch a row twice.
        chats = list(dict.fromkeys(chat_ids))
        if not chats:
            return []
        rows = await self._db.write_returning(
            self._claim, (brief_id, to_db(at), owner, _ids(self._dialect, chats))
        )
        claimed = {int(r[0]) for r in rows}
        return [c for c in chats if c in claimed]

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
        # The last word on a pair wins, as it would row by row.
        last = {(b, c): json.dumps([int(m) for m in ids]) for b, c, ids in sent}
        if not last:
            return
        rows = [(b, c, ids) for (b, c), ids in last.items()]
        await self._db.write(self._mark_sent, (to_db(at), *_rows(self._dialect, rows, 3)))

    async def mark_failed(
        self, brief_id: int, chat_id: int, error: str, *, at: datetime, owner: str | None = None
    ) -> None:
        """Record a failed attempt; a row already "sent" stays sent, and one "sending" stays
        so unless `owner` (the claimer, None for none) holds it: a replica never fails a
        send another replica claimed since."""
        await self._db.write(self._mark_failed, (brief_id, chat_id, error, to_db(at), owner))

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
            self._still_held, (owner, *_rows(self._dialect, rows, 2), owner)
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

    async def get(self, brief_id: int, chat_id: int) -> DeliveryRecord | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM deliveries WHERE brief_id = ? AND chat_id = ?",
            (brief_id, chat_id),
        )
        return None if row is None else _delivery(row)

    async def sent_copies(self, brief_id: int) -> list[DeliveryRecord]:
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
            self._undelivered, (chat_id, _ids(self._dialect, brief_ids))
        )
        sent = {int(r[0]) for r in rows}
        return [b for b in dict.fromkeys(brief_ids) if b not in sent]
