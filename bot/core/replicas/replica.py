"""This process as one of the bot's replicas: its lease, and the work of replicas that
lost theirs, taken over.

Every `briefbot run` registers under an id of its own (storage.replicas) and beats every
HEARTBEAT. What it holds carries that id: the sends it claimed (storage.deliveries) and
the pushes it runs (storage.pushes). Each beat renews its lease for LEASE, and the lease
is kept on the database's clock, never the replica's: the database stamps it, and the
database judges it. So a replica whose own clock stops (a paused VM, a suspended host:
time.monotonic stops with them) or runs wrong is judged like any other.

A replica whose lease ran out DEAD_AFTER - LEASE ago (DEAD_AFTER after its last beat) is
taken for dead: at their next beat the living delete its row, release its claimed sends
to be sent again and one of them takes over each push it ran, so a push goes on within
HEARTBEAT + DEAD_AFTER of a crash. A replica that stops cleanly leaves at once.

Nothing is sent on a claim alone: just before each send the database confirms that the
row is still this replica's and its lease still valid (bot/core/push/confirm.py). A replica
that stalled past its lease therefore sends nothing more it claimed, whatever its own
clock says. It learns it at its next send (the database confirms nothing) or its next
beat (its row is gone), and gives up everything it held: its runs are stopped, the
sends it still holds are released (those claimed before, by `generation`, are never
sent), its pushes go to whoever takes them over, and only then it joins again. A run
that dies on an error forfeits the same way (`forfeit`), as what it held may be
stranded. So a stall repeats no more than a crash: the sends already confirmed and on
their way, at most one per sender.
DEAD_AFTER - LEASE is the time a confirmed send has to leave before another replica may
take its row.

Clocks: no replica's own clock decides anything here, so theirs need not agree. The
database server's must run on steadily: a jump forward of more than LEASE - HEARTBEAT
can make a replica forfeit (and take its work up again), one of more than DEAD_AFTER -
HEARTBEAT can have a live replica taken for dead, repeating its sends in flight as a
crash would; a jump back only delays a takeover.

In memory only, per process: `generation` and `owes_give_back`. A restart starts afresh
under a new id; the old id's row, lease run out, is taken for dead.

An SQLite file is served by one bot process, so at start every other replica it
remembers is gone: what they held is taken over at once.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from datetime import timedelta

from storage import Storage

log = logging.getLogger(__name__)

HEARTBEAT = timedelta(seconds=5)
LEASE = timedelta(seconds=15)  # renewed at every beat: two beats may fail in a row
DEAD_AFTER = timedelta(seconds=20)  # after the last beat, by the database's clock


def new_id() -> str:
    """Unique per process start, and says where it ran, for logs."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"


class Replica:
    def __init__(
        self,
        storage: Storage,
        *,
        replica_id: str | None = None,
        lease: timedelta = LEASE,
        dead_after: timedelta = DEAD_AFTER,
    ) -> None:
        """`lease` and `dead_after` are for tests that cannot wait the real ones."""
        self.id = replica_id or new_id()
        self._storage = storage
        self._lease = lease
        self._grace = dead_after - lease
        # Bumped each time it forfeited: what was claimed before is not to be sent.
        self.generation = 0
        # Set when what it holds may be stranded or another's: it lost its lease, or one
        # of its runs died on an error. It sends nothing until it has given all of it back.
        self.owes_give_back = False

    async def join(self) -> None:
        """Register; on SQLite, forget every other replica (they are gone)."""
        await self._storage.replicas.join(self.id, lease=self._lease)
        if not self._storage.shared_by_replicas:
            await self._storage.replicas.forget_all_but(self.id)
        log.info("replica %s joined", self.id)

    async def beat(self) -> None:
        """Renew the lease. A replica whose row is gone was taken for dead: it owes a
        give-back, and sends nothing until `given_back()`."""
        if not await self._storage.replicas.beat(self.id, lease=self._lease):
            self.forfeit("was taken for dead")

    async def take_for_dead(self) -> list[str]:
        """Delete the replicas whose lease ran out GRACE ago: what they held is the
        living's to take (bot/core/replicas/takeover.py)."""
        return await self._storage.replicas.take_for_dead(grace=self._grace)

    async def tidy(self) -> None:
        """Forget chats whose turn is past: after the give-back, so that a failure here
        never holds it up."""
        if self._storage.send_budget is not None:
            await self._storage.send_budget.forget_turns()

    def forfeit(self, why: str) -> None:
        """What it holds may be stranded or another's: stop sending it, and give it all
        back at the next beat. Claims made so far (this generation) are never sent."""
        if not self.owes_give_back:
            log.warning("replica %s %s: giving up what it held", self.id, why)
        self.owes_give_back = True
        self.generation += 1

    async def given_back(self, owed: int) -> None:
        """Everything it held when it was at generation `owed` was given back: it joins
        again (its row may be gone) and may claim and send, in a new generation (nothing
        claimed before is sent). If it forfeited again meanwhile (a run that started
        during the give-back died), it still owes, and the next beat gives back again."""
        if self.generation != owed:
            return
        await self._storage.replicas.join(self.id, lease=self._lease)
        if self.generation != owed:
            return
        self.owes_give_back = False
        self.generation += 1

    def holds(self, generation: int) -> bool:
        """A claim made in `generation` may be sent, as far as this process knows; the
        database has the last word (bot/core/push/confirm.py)."""
        return generation == self.generation and not self.owes_give_back

    async def leave(self) -> None:
        """Stopped cleanly: the others take over what is left at their next beat."""
        await self._storage.replicas.leave(self.id)
