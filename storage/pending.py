"""What an admin's chat is in the middle of: a pending /correct, a paste still arriving.

Kept in the database, not in one process's memory, so that whichever replica takes the
admin's next update (or the bot after a restart) carries on where another left off.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from storage.db import Row, from_db, to_db
from storage.models import PastePart
from storage.sql import Dialect, Sql, portable


class CorrectionRepo:
    """Its SQL reads alike on both engines: on PostgreSQL it runs through
    storage.postgres.db.PortableSql."""

    def __init__(self, db: Sql) -> None:
        self._db = db

    async def set(self, chat_id: int, brief_id: int, *, at: datetime) -> None:
        """The chat's next upload corrects `brief_id` (replacing any earlier /correct).
        A brief that does not exist raises ConstraintError."""
        await self._db.write(
            """INSERT INTO pending_corrections (chat_id, brief_id, set_at) VALUES (?, ?, ?)
               ON CONFLICT (chat_id) DO UPDATE
               SET brief_id = excluded.brief_id, set_at = excluded.set_at""",
            (chat_id, brief_id, to_db(at)),
        )

    async def take(self, chat_id: int, *, since: datetime) -> int | None:
        """The brief the chat's pending /correct names, forgetting it: a /correct applies
        once, and of two processes taking it at once only one gets it. One set before
        `since` has expired: None."""
        # DELETE ... RETURNING: on PostgreSQL the row lock makes a second taker find it gone.
        rows = await self._db.write_returning(
            "DELETE FROM pending_corrections WHERE chat_id = ? RETURNING brief_id, set_at",
            (chat_id,),
        )
        return _taken(rows, since)

    async def delete_expired(self, before: datetime) -> int:
        return await self._db.write(
            "DELETE FROM pending_corrections WHERE set_at < ?", (to_db(before),)
        )


def _taken(rows: Sequence[Row], since: datetime) -> int | None:
    if not rows or from_db(int(rows[0][1])) < since:
        return None
    return int(rows[0][0])


class PasteRepo:
    """Its SQL reads alike on both engines but for the adding (_ADD), picked by dialect."""

    def __init__(self, db: Sql) -> None:
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
        """Add a part to the chat's paste; returns its place in the order of arrival, or
        None when this message was added already (Telegram sent it twice).

        Parts received before `forget_before` belong to a paste whose joining was lost
        (its process stopped): they are dropped first. Once the parts hold more than
        `keep_up_to` bytes the paste will be refused whole, so later parts are kept
        without their text: a runaway paste cannot grow the database.
        """
        params = (chat_id, part.message_id, keep_up_to, part.text, keep_up_to, links_json(part))
        async with self._db.transaction() as tx:
            await tx.write(
                "DELETE FROM paste_parts WHERE chat_id = ? AND received_at < ?",
                (chat_id, to_db(forget_before)),
            )
            rows = await tx.write_returning(
                _ADD[self._db.dialect],
                (*params, part_size(part), to_db(at), chat_id),
            )
        return int(rows[0][0]) if rows else None

    async def take(self, chat_id: int, *, last: int) -> list[PastePart]:
        """Every part of the chat's paste in message order, removing them; none unless
        the part that arrived last is still `last` (a newer part waits for its own turn).
        Of two processes taking the same paste at once, one gets it all: on PostgreSQL the
        second's DELETE waits on the first's row locks, then finds the rows gone."""
        rows = await self._db.write_returning(
            """DELETE FROM paste_parts
                WHERE chat_id = ? AND (SELECT max(id) FROM paste_parts WHERE chat_id = ?) = ?
            RETURNING message_id, text, CAST(links AS TEXT)""",
            (chat_id, chat_id, last),
        )
        return parts_of(rows)

    async def delete_stale(self, before: datetime) -> int:
        return await self._db.write(
            "DELETE FROM paste_parts WHERE received_at < ?", (to_db(before),)
        )


# The aggregate makes one row even for a chat's first part; the WHERE lets SQLite read the
# ON CONFLICT as the INSERT's. PostgreSQL is told each parameter's type (links: JSON).
_ADD: dict[Dialect, str] = {
    "sqlite": portable("""
INSERT INTO paste_parts (chat_id, message_id, text, links, size, received_at)
SELECT ?, ?,
       CASE WHEN coalesce(sum(size), 0) <= ? THEN ? ELSE '' END,
       CASE WHEN coalesce(sum(size), 0) <= ? THEN ? ELSE '[]' END,
       ?, ?
  FROM paste_parts WHERE chat_id = ?
ON CONFLICT (chat_id, message_id) DO NOTHING
RETURNING id
"""),
    "postgresql": portable("""
INSERT INTO paste_parts (chat_id, message_id, text, links, size, received_at)
SELECT ?::bigint, ?::bigint,
       CASE WHEN coalesce(sum(size), 0) <= ? THEN ?::text ELSE '' END,
       CASE WHEN coalesce(sum(size), 0) <= ? THEN ?::jsonb ELSE '[]'::jsonb END,
       ?::integer, ?::bigint
  FROM paste_parts WHERE chat_id = ?
ON CONFLICT (chat_id, message_id) DO NOTHING
RETURNING id
"""),
}


def part_size(part: PastePart) -> int:
    return len(part.text.encode()) + 1  # and the line break that joins it to the next


def links_json(part: PastePart) -> str:
    return json.dumps([list(link) for link in part.links], ensure_ascii=False)


def parts_of(rows: Sequence[Row]) -> list[PastePart]:
    parts = (
        PastePart(int(r[0]), str(r[1]), tuple((str(a), str(u)) for a, u in json.loads(r[2])))
        for r in rows
    )
    return sorted(parts, key=lambda part: part.message_id)
