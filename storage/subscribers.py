"""Subscribers: who gets the daily brief, when, and whether the chat still reaches us.

One repository on both engines (storage.sql.Sql); the due chats' claim differs, so both
statements stand here, picked by dialect: SQLite's one writer makes a read then an update
in one transaction a claim, where PostgreSQL needs the rows locked (FOR UPDATE SKIP LOCKED,
so replicas ticking together share the due chats instead of queueing on them).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, time

from storage.db import Row, from_db, from_db_opt, to_db, to_db_opt
from storage.models import Subscriber, SubscriberCounts
from storage.sql import Dialect, Sql, portable

_COLUMNS = (
    "chat_id, delivery_time, timezone, active, blocked, subscribed_at, next_due_at,"
    " last_delivered_at"
)


def _with_language(table: str) -> tuple[str, str]:
    """_COLUMNS of `table` (subscribers, or rows of it) then the chat's language
    (storage/languages.py), for the push; and the join that reads the language."""
    columns = f"{table}.chat_id, {_COLUMNS.split(', ', 1)[1]}, l.chosen, l.seen"
    return columns, f"LEFT JOIN chat_languages AS l ON l.chat_id = {table}.chat_id"


def _hh_mm(moment: time) -> str:
    if moment.second or moment.microsecond or moment.tzinfo is not None:
        raise ValueError(f"delivery time {moment!r} must be a naive whole minute")
    return moment.strftime("%H:%M")


def _subscriber(row: Row) -> Subscriber:
    return Subscriber(
        chat_id=row[0],
        delivery_time=time.fromisoformat(row[1]),
        timezone=row[2],
        active=bool(row[3]),
        blocked=bool(row[4]),
        subscribed_at=from_db(row[5]),
        next_due_at=from_db(row[6]),
        last_delivered_at=from_db_opt(row[7]),
        chosen_language=row[8] if len(row) > 8 else None,
        seen_language=row[9] if len(row) > 9 else None,
    )


def due_query(
    now: datetime,
    *,
    limit: int,
    after_chat_id: int | None = None,
    after_due_at: datetime | None = None,
    dialect: Dialect = "sqlite",
) -> tuple[str, tuple[int, ...]]:
    """The statement due() runs, over the partial index subscribers_due: on SQLite,
    INDEXED BY makes it refuse the statement rather than scan. Each chat's language is
    joined by its key."""
    cursor: tuple[int, ...]
    if after_chat_id is None:
        where, cursor = "", ()
    elif after_due_at is None:
        where, cursor = "AND subscribers.chat_id > ?", (after_chat_id,)
    else:
        where = "AND (next_due_at, subscribers.chat_id) > (?, ?)"
        cursor = (to_db(after_due_at), after_chat_id)
    hint = "INDEXED BY subscribers_due" if dialect == "sqlite" else ""
    columns, join = _with_language("subscribers")
    sql = f"""SELECT {columns} FROM subscribers {hint} {join}
               WHERE active = 1 AND blocked = 0 AND next_due_at <= ? {where}
               ORDER BY next_due_at, subscribers.chat_id
               LIMIT ?"""
    return sql, (to_db(now), *cursor, limit)


# PostgreSQL's claim: the due rows locked, skipping those another replica holds, and held;
# then their chats' languages (the locked side of an outer join cannot be the nullable one).
_DUE_COLUMNS, _DUE_LANGUAGE = _with_language("due")
_CLAIM_LOCKED = portable(f"""
WITH due AS (
    SELECT {_COLUMNS} FROM subscribers
     WHERE active = 1 AND blocked = 0 AND next_due_at <= ?
     ORDER BY next_due_at, chat_id
     LIMIT ?
       FOR UPDATE SKIP LOCKED
), held AS (
    UPDATE subscribers AS s SET next_due_at = ? FROM due WHERE s.chat_id = due.chat_id
)
SELECT {_DUE_COLUMNS} FROM due {_DUE_LANGUAGE}
 ORDER BY next_due_at, due.chat_id
""")

# A group became a supergroup (old chat, new chat): what would collide stays with the new
# chat, and where both have a delivery row for a brief a "sent" one wins.
_OLD_NEW, _NEW_OLD = ("old", "new"), ("new", "old")  # which chat each ? names, in order
_MIGRATE = tuple(
    (portable(sql), names)
    for sql, names in (
        (
            """DELETE FROM subscribers WHERE chat_id = ?
             AND EXISTS (SELECT 1 FROM subscribers WHERE chat_id = ?)""",
            _OLD_NEW,
        ),
        ("UPDATE subscribers SET chat_id = ? WHERE chat_id = ?", _NEW_OLD),
        (
            """DELETE FROM deliveries WHERE chat_id = ? AND status != 'sent'
             AND brief_id IN (SELECT brief_id FROM deliveries WHERE chat_id = ?)""",
            _NEW_OLD,
        ),
        (
            """DELETE FROM deliveries AS gone WHERE gone.chat_id = ?
             AND EXISTS (SELECT 1 FROM deliveries AS kept
                          WHERE kept.chat_id = ? AND kept.brief_id = gone.brief_id)""",
            _OLD_NEW,
        ),
        ("UPDATE deliveries SET chat_id = ? WHERE chat_id = ?", _NEW_OLD),
        (
            """DELETE FROM chat_languages WHERE chat_id = ?
             AND EXISTS (SELECT 1 FROM chat_languages WHERE chat_id = ?)""",
            _OLD_NEW,
        ),
        ("UPDATE chat_languages SET chat_id = ? WHERE chat_id = ?", _NEW_OLD),
    )
)


class SubscriberRepo:
    """`changed(chat_id)` hears of every write that may move a chat's zone (a subscription,
    a zone moved, a group migrated): the languages repository forgets what it keeps of it."""

    def __init__(self, db: Sql, changed: Callable[[int], None] = lambda _chat_id: None) -> None:
        self._db = db
        self._changed = changed

    async def subscribe(
        self,
        chat_id: int,
        *,
        delivery_time: time,
        timezone: str,
        next_due_at: datetime,
        at: datetime,
    ) -> Subscriber:
        """Subscribe, or change the time of an existing subscription.

        Re-subscribing keeps last_delivered_at; subscribed_at moves to `at` only when the
        subscription was inactive, so changing the time of a live one skips no brief.
        Subscribing also clears `blocked`: the chat has just talked to the bot.
        """
        self._changed(chat_id)
        rows = await self._db.write_returning(
            f"""INSERT INTO subscribers
                    (chat_id, delivery_time, timezone, active, blocked, subscribed_at,
                     next_due_at, last_delivered_at, updated_at)
                VALUES (?, ?, ?, 1, 0, ?, ?, NULL, ?)
                ON CONFLICT (chat_id) DO UPDATE SET
                    delivery_time = excluded.delivery_time,
                    timezone = excluded.timezone,
                    subscribed_at = CASE WHEN subscribers.active = 1
                                         THEN subscribers.subscribed_at
                                         ELSE excluded.subscribed_at END,
                    active = 1,
                    blocked = 0,
                    next_due_at = excluded.next_due_at,
                    updated_at = excluded.updated_at
                RETURNING {_COLUMNS}""",
            (chat_id, _hh_mm(delivery_time), timezone, to_db(at), to_db(next_due_at), to_db(at)),
        )
        self._changed(chat_id)  # again: a read while the write ran is not kept
        return _subscriber(rows[0])

    async def get(self, chat_id: int) -> Subscriber | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM subscribers WHERE chat_id = ?", (chat_id,)
        )
        return None if row is None else _subscriber(row)

    async def unsubscribe(self, chat_id: int) -> bool:
        """False when the chat was not subscribed."""
        changed = await self._db.write(
            "UPDATE subscribers SET active = 0 WHERE chat_id = ? AND active = 1", (chat_id,)
        )
        return changed > 0

    async def set_blocked(self, chat_id: int, blocked: bool, *, at: datetime) -> None:
        await self._db.write(
            "UPDATE subscribers SET blocked = ?, updated_at = ? WHERE chat_id = ?",
            (int(blocked), to_db(at), chat_id),
        )

    async def move_zone(self, chat_id: int, old: str, new: str, *, at: datetime) -> None:
        """Move the chat from zone `old` to `new`; a chat that chose another meanwhile stays."""
        self._changed(chat_id)
        await self._db.write(
            """UPDATE subscribers SET timezone = ?, updated_at = ?
                WHERE chat_id = ? AND timezone = ?""",
            (new, to_db(at), chat_id, old),
        )
        self._changed(chat_id)

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: move its subscription, delivery record and language.

        If the new chat already has a subscription (or a language), that one is kept. Where
        both chats have a delivery row for a brief, a "sent" row wins, so nothing is sent
        twice.
        """
        self._changed(old_chat_id)
        self._changed(new_chat_id)
        async with self._db.transaction() as tx:
            chats = {"old": old_chat_id, "new": new_chat_id}
            for sql, names in _MIGRATE:
                await tx.write(sql, tuple(chats[name] for name in names))
        self._changed(old_chat_id)
        self._changed(new_chat_id)

    async def due(
        self,
        now: datetime,
        *,
        limit: int,
        after_chat_id: int | None = None,
        after_due_at: datetime | None = None,
    ) -> list[Subscriber]:
        """Active, unblocked subscribers with next_due_at <= now, by (next_due_at, chat_id).

        One range scan of the partial index subscribers_due. `after_chat_id` alone skips
        chats with an id up to it; with `after_due_at` too, the pair is a keyset cursor:
        rows strictly after (after_due_at, after_chat_id) in the result order.
        """
        sql, params = due_query(
            now,
            limit=limit,
            after_chat_id=after_chat_id,
            after_due_at=after_due_at,
            dialect=self._db.dialect,
        )
        rows = await self._db.fetch_all(sql, params)
        return [_subscriber(r) for r in rows]

    async def claim_due(
        self, now: datetime, *, limit: int, hold_until: datetime
    ) -> list[Subscriber]:
        """Take up to `limit` subscribers due at `now`, as due() orders them, as they were.

        Each is held (next_due_at = hold_until) until its delivery reschedules it, so no
        other run takes it meanwhile; one whose run died is due again at hold_until. On
        PostgreSQL rows another replica is taking at the same moment are skipped.
        """
        if self._db.dialect == "postgresql":
            rows = await self._db.write_returning(
                _CLAIM_LOCKED, (to_db(now), limit, to_db(hold_until))
            )
            return [_subscriber(r) for r in rows]
        sql, params = due_query(now, limit=limit)
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(sql, params)
            await tx.write(
                "UPDATE subscribers SET next_due_at = ?"
                " WHERE chat_id IN (SELECT value FROM json_each(?))",
                (to_db(hold_until), json.dumps([r[0] for r in rows])),
            )
        return [_subscriber(r) for r in rows]

    async def reschedule(
        self, chat_id: int, *, next_due_at: datetime, delivered_at: datetime | None
    ) -> None:
        """Set the next delivery; `delivered_at` None keeps last_delivered_at as it is."""
        await self._db.write(
            """UPDATE subscribers
                  SET next_due_at = ?, last_delivered_at = coalesce(?, last_delivered_at)
                WHERE chat_id = ?""",
            (to_db(next_due_at), to_db_opt(delivered_at), chat_id),
        )

    async def due_by(self, chat_id: int, at: datetime) -> None:
        """Make the chat due no later than `at`; a chat due sooner stays as it is."""
        await self._db.write(
            """UPDATE subscribers
                  SET next_due_at = CASE WHEN next_due_at <= ? THEN next_due_at ELSE ? END
                WHERE chat_id = ?""",
            (to_db(at), to_db(at), chat_id),
        )

    async def active_chats(self, *, after_chat_id: int | None, limit: int) -> list[int]:
        """Chat ids of active, unblocked subscribers above after_chat_id, in order: a push's
        next batch, which needs nothing else of them."""
        rows = await self._db.fetch_all(
            """SELECT chat_id FROM subscribers
                WHERE active = 1 AND blocked = 0 AND chat_id > ?
                ORDER BY chat_id LIMIT ?""",
            (after_chat_id if after_chat_id is not None else -(2**63), limit),
        )
        return [int(r[0]) for r in rows]

    async def counts(self) -> SubscriberCounts:
        row = await self._db.fetch_one(
            """SELECT count(*) FILTER (WHERE active = 1 AND blocked = 0),
                      count(*) FILTER (WHERE blocked = 1),
                      count(*) FILTER (WHERE active = 0 AND blocked = 0)
                 FROM subscribers"""
        )
        assert row is not None  # an aggregate always yields a row
        return SubscriberCounts(active=int(row[0]), blocked=int(row[1]), inactive=int(row[2]))
