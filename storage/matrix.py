"""What the Matrix adapter keeps (migration 16, storage/matrix_schema.py): the integer ids
that stand for Matrix rooms, users and the events the bot sent, the events taken, the
sync's position and which replica syncs, and what a room was told once.

Its SQL reads alike on both engines: the same class serves SQLite and, through
storage.postgres.db.PortableSql, PostgreSQL. What each method promises is said on the
Protocol, storage.matrix_interface.MatrixStore.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from storage.cache import LRU
from storage.db import to_db
from storage.matrix_schema import MATRIX_ID_BASE
from storage.sql import Sql, portable

# The spec's limit for user, room and event ids alike, in bytes; the patterns below take
# ASCII only, so characters are bytes.
MATRIX_ID_CHARS = 255
# What a room may be told once is the adapter's own word ("encrypted"), never input.
TOLD_CHARS = 64
# The longest a sync lease may be asked for: a replica renews it every few seconds, and a
# holder that died keeps every other replica from syncing until it runs out.
MAX_LEASE_SECONDS = 3600.0
# Ids that fit a column: above this no row can exist, and the drivers refuse to send it.
_BIGGEST_ID = 2**63 - 1

# A server name: a DNS name or IPv4 address, or an IPv6 literal, then maybe a port.
_SERVER = r"(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
# The localpart (or a room's opaque id) ends at the first ':' (the server name may have
# more). Historical user ids may hold any printable ASCII but ':', so that is what is taken.
_LOCAL = r"[\x21-\x39\x3B-\x7E]+"
_USER = re.compile(rf"@{_LOCAL}:{_SERVER}")
# Room ids from room version 12 on are the sigil and a hash, with no server name.
_ROOM = re.compile(rf"!{_LOCAL}(?::{_SERVER})?")
_EVENT = re.compile(r"\$[\x21-\x7E]+")

_ID = portable("SELECT id FROM matrix_names WHERE name = ?")
# DO NOTHING, then read: replicas making the same name at once all get the one row (on
# PostgreSQL the second insert waits for the first's commit, then does nothing).
_MAKE_ID = portable(
    "INSERT INTO matrix_names (name) VALUES (?) ON CONFLICT (name) DO NOTHING RETURNING id"
)
_NAME = portable("SELECT name FROM matrix_names WHERE id = ?")

_EVENT_ID = portable("SELECT id FROM matrix_events WHERE chat_id = ? AND event_id = ?")
_REMEMBER = portable(
    "INSERT INTO matrix_events (chat_id, event_id) VALUES (?, ?)"
    " ON CONFLICT (chat_id, event_id) DO NOTHING RETURNING id"
)
_EVENT_OF = portable("SELECT event_id FROM matrix_events WHERE id = ? AND chat_id = ?")

# The primary key decides between replicas: one insert wins, the others do nothing.
_TAKE = portable(
    "INSERT INTO matrix_taken_events (event_id, taken_at) VALUES (?, ?)"
    " ON CONFLICT (event_id) DO NOTHING"
)
_FORGET = portable("DELETE FROM matrix_taken_events WHERE taken_at < ?")

_TOKEN = portable("SELECT token FROM matrix_sync")
_TELL = portable(
    "INSERT INTO matrix_told (chat_id, what, told_at) VALUES (?, ?, ?)"
    " ON CONFLICT (chat_id, what) DO NOTHING"
)


def check_name(name: str) -> str:
    """`name` if it reads as a Matrix room (`!`) or user (`@`) id, else ValueError."""
    if len(name) > MATRIX_ID_CHARS or not (_USER.fullmatch(name) or _ROOM.fullmatch(name)):
        raise ValueError(f"not a Matrix room or user id: {name[:80]!r}")
    return name


def _check_event(event_id: str) -> str:
    if len(event_id) > MATRIX_ID_CHARS or not _EVENT.fullmatch(event_id):
        raise ValueError(f"not a Matrix event id: {event_id[:80]!r}")
    return event_id


def _micros(seconds: float) -> int:
    if not math.isfinite(seconds) or abs(seconds) > MAX_LEASE_SECONDS:
        raise ValueError(f"a sync lease of {seconds!r} s: at most {MAX_LEASE_SECONDS:g} s")
    return round(seconds * 1_000_000)


def _is_matrix(chat_id: int) -> bool:
    return MATRIX_ID_BASE <= chat_id <= _BIGGEST_ID


def _check_room(chat_id: int) -> int:
    # One not in matrix_names is refused by the foreign key (ConstraintError, a ValueError
    # too); this refuses, alike on both engines, what no row can have.
    if not _is_matrix(chat_id):
        raise ValueError(f"{chat_id} is not a Matrix id (storage.matrix.MatrixRepo.id_of)")
    return chat_id


# Name and id pairs kept in memory: a pair never changes once made (rows are never updated
# or deleted), so what one replica keeps is true whatever the others write, and the
# adapter's every event (its room, its sender) costs no read once both were seen.
NAMES_KEPT = 20_000


class MatrixRepo:
    def __init__(self, db: Sql) -> None:
        self._db = db
        self._ids: LRU[str, int] = LRU(NAMES_KEPT)
        self._names: LRU[int, str] = LRU(NAMES_KEPT)
        # `now` is the engine's constant clock expression, never input: safe to splice.
        # The lease is taken when nobody holds it, by its holder (renewed, even once it ran
        # out, if nobody took it meanwhile), or from a holder whose time ran out; the row
        # is made by the first take. The WHERE is judged on the row as it is when the
        # statement gets it: on PostgreSQL, after a concurrent take's commit.
        now = db.now
        self._take = portable(f"""
INSERT INTO matrix_sync (only_row, token, owner, lease_until) VALUES (1, NULL, ?, {now} + ?)
ON CONFLICT (only_row) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
 WHERE matrix_sync.owner IS NULL OR matrix_sync.owner = excluded.owner
    OR matrix_sync.lease_until <= {now}
""")
        self._save = portable(
            f"UPDATE matrix_sync SET token = ? WHERE owner = ? AND lease_until > {now}"
        )
        self._release = portable(
            f"UPDATE matrix_sync SET owner = NULL, lease_until = {now} WHERE owner = ?"
        )

    def _keep(self, name: str, matrix_id: int) -> int:
        self._ids.put(name, matrix_id)
        self._names.put(matrix_id, name)
        return matrix_id

    async def id_of(self, name: str) -> int:
        known = self._ids.get(name)
        if known is not None:
            return known
        check_name(name)
        # A name met before is one read; only a new one writes.
        row = await self._db.fetch_one(_ID, (name,))
        if row is None:
            async with self._db.transaction() as tx:
                made = await tx.write_returning(_MAKE_ID, (name,))
                row = made[0] if made else await tx.fetch_one(_ID, (name,))
        assert row is not None, "made here, or by the insert ours did nothing after"
        return self._keep(name, int(row[0]))

    async def name_of(self, matrix_id: int) -> str | None:
        known = self._names.get(matrix_id)
        if known is not None:
            return known
        if not _is_matrix(matrix_id):
            return None  # a Telegram id, or none a row can have
        row = await self._db.fetch_one(_NAME, (matrix_id,))
        if row is None:
            return None  # not kept: the id may be handed out later
        self._keep(str(row[0]), matrix_id)
        return str(row[0])

    async def remember_event(self, chat_id: int, event_id: str) -> int:
        _check_room(chat_id)
        _check_event(event_id)
        async with self._db.transaction() as tx:
            made = await tx.write_returning(_REMEMBER, (chat_id, event_id))
            row = made[0] if made else await tx.fetch_one(_EVENT_ID, (chat_id, event_id))
        assert row is not None, "made here, or by the insert ours did nothing after"
        return int(row[0])

    async def event_of(self, chat_id: int, message_id: int) -> str | None:
        if not (_is_matrix(chat_id) and 0 < message_id <= _BIGGEST_ID):
            return None
        row = await self._db.fetch_one(_EVENT_OF, (message_id, chat_id))
        return None if row is None else str(row[0])

    async def take_event(self, event_id: str, at: datetime) -> bool:
        _check_event(event_id)
        return await self._db.write(_TAKE, (event_id, to_db(at))) > 0

    async def forget_events_before(self, at: datetime) -> int:
        return await self._db.write(_FORGET, (to_db(at),))

    async def sync_token(self) -> str | None:
        row = await self._db.fetch_one(_TOKEN)
        return None if row is None or row[0] is None else str(row[0])

    async def save_sync_token(self, token: str, owner: str) -> bool:
        return await self._db.write(self._save, (token, owner)) > 0

    async def take_sync_lease(self, owner: str, seconds: float) -> bool:
        return await self._db.write(self._take, (owner, _micros(seconds))) > 0

    async def release_sync_lease(self, owner: str) -> None:
        await self._db.write(self._release, (owner,))

    async def mark_told(self, room_chat_id: int, what: str, at: datetime) -> bool:
        _check_room(room_chat_id)
        if not 0 < len(what) <= TOLD_CHARS:
            raise ValueError(f"what a room is told: 1 to {TOLD_CHARS} characters, not {what!r}")
        return await self._db.write(_TELL, (room_chat_id, what, to_db(at))) > 0


__all__ = ["MATRIX_ID_BASE", "MAX_LEASE_SECONDS", "TOLD_CHARS", "MatrixRepo", "check_name"]
