"""The Matrix adapter's store, as the bot uses it (storage/interface.py re-exports it):
storage/matrix.py's MatrixRepo serves it on both engines."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class MatrixStore(Protocol):  # storage/matrix.py MatrixRepo
    """What the Matrix adapter keeps, shared by every replica.

    Ids. `id_of` gives the integer id a room (`!...`) or user (`@...`) name stands for in
    the core: at least MATRIX_ID_BASE (2**53, above every Telegram id), the same for ever,
    made the first time the name is asked for; replicas asking for a new name at once get
    one id. A name that is not a plausible Matrix id (its sigil, a localpart, ':' and a
    server name; a room's may have no server, from room version 12; at most 255
    characters) is refused with ValueError. `name_of` is the reverse (None for an id no
    name has, a Telegram id included).

    Events. `remember_event` gives the integer message id (unique, never handed out
    again) of an event the bot sent in a room, by the room's id; the same event
    remembered again keeps its message id. A chat id `id_of` never gave is refused
    (ValueError; ConstraintError, a ValueError, for one in the Matrix range). `event_of`
    is the reverse, None unless the message id is that room's.

    Taken. `take_event` records an event id as handled, in one statement: True for
    exactly one caller per event id, whichever replica, until `forget_events_before`
    (events taken before `at`; how many) forgets it.

    Sync. One replica syncs at a time, under a lease judged by the database's clock,
    never a replica's. `take_sync_lease` holds it for `owner` for `seconds` from now
    (negative: one already run out, as a stalled holder's would be) when nobody holds it,
    when `owner` does (a renewal; also once it ran out, if nobody took it meanwhile), or
    when the holder's time ran out; False otherwise. ValueError past MAX_LEASE_SECONDS.
    `save_sync_token` keeps the sync's position only while `owner` holds an unexpired
    lease, in the same statement that checks it, so a replica that stalled past its lease
    cannot move the position back under the one that took over; False when it did not.
    `release_sync_lease` lets go of it if `owner` holds it. `sync_token` is the position
    kept (None before the first).

    Told. `mark_told` records that a room was told `what` (the adapter's word, 1 to
    TOLD_CHARS characters): True the first time only, whichever replica asks.
    """

    async def id_of(self, name: str) -> int: ...
    async def name_of(self, matrix_id: int) -> str | None: ...
    async def remember_event(self, chat_id: int, event_id: str) -> int: ...
    async def event_of(self, chat_id: int, message_id: int) -> str | None: ...
    async def take_event(self, event_id: str, at: datetime) -> bool: ...
    async def forget_events_before(self, at: datetime) -> int: ...
    async def sync_token(self) -> str | None: ...
    async def save_sync_token(self, token: str, owner: str) -> bool: ...
    async def take_sync_lease(self, owner: str, seconds: float) -> bool: ...
    async def release_sync_lease(self, owner: str) -> None: ...
    async def mark_told(self, room_chat_id: int, what: str, at: datetime) -> bool: ...
