"""This process as one of the bot's replicas: its heartbeat, and the work of replicas that
stopped beating, taken over.

Every `briefbot run` registers under an id of its own (storage.replicas) and beats every
HEARTBEAT. What it holds carries that id: the sends it claimed (storage.deliveries) and
the pushes it runs (storage.pushes). A replica not seen for DEAD_AFTER is taken for dead:
at their next beat the living release its claimed sends to be sent again (at most those
it had in flight repeat) and one of them takes over each push it ran, so a push goes on
within HEARTBEAT + DEAD_AFTER of a crash. A replica that stops cleanly leaves at once.

A replica that stalls longer than DEAD_AFTER without dying (a frozen VM) is taken for
dead too, and may repeat the sends it had in flight when it wakes: the same bound.

An SQLite file is served by one bot process, so at start every other replica it
remembers is gone: what they held is taken over at once.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from storage import Storage

log = logging.getLogger(__name__)

HEARTBEAT = timedelta(seconds=5)
DEAD_AFTER = timedelta(seconds=20)
FORGET_AFTER = timedelta(days=1)  # rows of replicas gone this long are deleted


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """Unique per process start, and says where it ran, for logs."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"


class Replica:
    def __init__(
        self,
        storage: Storage,
        *,
        replica_id: str | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.id = replica_id or new_id()
        self._storage = storage
        self._clock = clock

    async def join(self) -> None:
        """Register; on SQLite, forget every other replica (they are gone)."""
        now = self._clock()
        await self._storage.replicas.beat(self.id, at=now)
        if not self._storage.shared_by_replicas:
            await self._storage.replicas.forget(seen_before=now + FORGET_AFTER, but=self.id)
        log.info("replica %s joined", self.id)

    async def beat(self) -> None:
        now = self._clock()
        await self._storage.replicas.beat(self.id, at=now)
        await self._storage.replicas.forget(seen_before=now - FORGET_AFTER)
        if self._storage.send_budget is not None:
            await self._storage.send_budget.forget_turns()  # chats whose turn is past

    def alive_since(self) -> datetime:
        """A replica last seen before this is dead."""
        return self._clock() - DEAD_AFTER

    async def leave(self) -> None:
        """Stopped cleanly: the others take over what is left at their next beat."""
        await self._storage.replicas.leave(self.id)
