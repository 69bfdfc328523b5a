"""This process as one of the bot's replicas: its heartbeat, and the work of replicas that
stopped beating, taken over.

Every `briefbot run` registers under an id of its own (storage.replicas) and beats every
HEARTBEAT. What it holds carries that id: the sends it claimed (storage.deliveries) and
the pushes it runs (storage.pushes). A replica not seen for DEAD_AFTER is taken for dead:
at their next beat the living release its claimed sends to be sent again (at most those
it had in flight repeat) and one of them takes over each push it ran, so a push goes on
within HEARTBEAT + DEAD_AFTER of a crash. A replica that stops cleanly leaves at once.

A replica claims and sends only under its lease: for LEASE after a heartbeat began, a
time within which no other replica can have taken it for dead. One that stalls (a frozen
VM, a database it cannot reach) claims and sends nothing more once its lease runs out; at
its next beat it learns it may have been taken for dead, and gives up everything it held:
its runs are stopped, the sends it claimed are released (those claimed before, by
`generation`, are never sent), and its pushes go to whoever takes them over. A run that
dies on an error forfeits the same way (`forfeit`), as what it held may be stranded. So
a stall repeats no more than a crash: the sends already in flight. Replicas' clocks must
agree within DEAD_AFTER - LEASE (NTP keeps them within milliseconds).

An SQLite file is served by one bot process, so at start every other replica it
remembers is gone: what they held is taken over at once.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from storage import Storage

log = logging.getLogger(__name__)

HEARTBEAT = timedelta(seconds=5)
DEAD_AFTER = timedelta(seconds=20)
LEASE = 15.0  # seconds: DEAD_AFTER less a heartbeat, a margin for slow writes and clocks
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
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.id = replica_id or new_id()
        self._storage = storage
        self._clock = clock
        self._monotonic = monotonic
        # Bumped each time the lease was lost: what was claimed before is not to be sent.
        self.generation = 0
        self._beat_began: float | None = None  # the last heartbeat that renewed the lease
        # Set when what it holds may be stranded: its lease ran out, or one of its runs
        # died on an error. It sends nothing until it has given all of that back.
        self.owes_give_back = False

    async def join(self) -> None:
        """Register; on SQLite, forget every other replica (they are gone)."""
        began, now = self._monotonic(), self._clock()
        await self._storage.replicas.beat(self.id, at=now)
        self._beat_began = began
        if not self._storage.shared_by_replicas:
            await self._storage.replicas.forget(seen_before=now + FORGET_AFTER, but=self.id)
        log.info("replica %s joined", self.id)

    async def beat(self) -> None:
        """Say it is alive. The lease is renewed only while nothing is owed: a replica
        whose lease ran out meanwhile (others may have taken over what it held) owes a
        give-back first, and sends nothing until `given_back()`."""
        began, now = self._monotonic(), self._clock()
        if not self.holds_lease() and not self.owes_give_back:
            self.forfeit("missed its heartbeats")
        await self._storage.replicas.beat(self.id, at=now)
        if not self.owes_give_back:
            self._beat_began = began

    async def tidy(self) -> None:
        """Forget replicas long gone, and chats whose turn is past: after the give-back,
        so that a failure here never holds it up."""
        await self._storage.replicas.forget(seen_before=self._clock() - FORGET_AFTER)
        if self._storage.send_budget is not None:
            await self._storage.send_budget.forget_turns()

    def forfeit(self, why: str) -> None:
        """What it holds may be stranded: stop sending it, and give it all back at the
        next beat. Claims made so far (this generation) are never sent."""
        if not self.owes_give_back:
            log.warning("replica %s %s: giving up what it held", self.id, why)
        self.owes_give_back = True
        self.generation += 1
        self._beat_began = None

    def given_back(self, owed: int) -> None:
        """Everything it held when it was at generation `owed` was given back: it may
        claim and send again, in a new generation (nothing claimed before is sent). If
        it forfeited again meanwhile (a run that started during the give-back died), it
        still owes, and the next beat gives back again."""
        if self.generation != owed:
            return
        self.owes_give_back = False
        self.generation += 1
        self._beat_began = self._monotonic()

    def holds_lease(self) -> bool:
        """No other replica can have taken this one for dead yet."""
        began = self._beat_began
        return began is not None and self._monotonic() - began < LEASE

    def holds(self, generation: int) -> bool:
        """A claim made in `generation` may be sent now."""
        return generation == self.generation and self.holds_lease()

    def alive_since(self) -> datetime:
        """A replica last seen before this is dead."""
        return self._clock() - DEAD_AFTER

    async def leave(self) -> None:
        """Stopped cleanly: the others take over what is left at their next beat."""
        await self._storage.replicas.leave(self.id)
