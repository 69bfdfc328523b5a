"""Each send confirmed by the database just before its turn to go: the fence that keeps a replica
that stalled past its lease from sending what another replica took over.

A replica's own idea of its lease cannot be trusted: its clock may have stopped with it (a
paused VM). So the worker that is about to send asks the database whether the rows are
still this replica's, under a lease valid by the database's clock
(storage.deliveries.still_held), and sends only if they are. Asked one statement at a time:
the workers that ask while a statement runs are answered together by the next, so the cost
is one statement per batch of sends ready at once, not one per send. A stall after the
answer lets through only the sends already confirmed, at most one per worker: the sends
in flight, the bound a crash has too.

State in memory only: the questions waiting for the next statement, lost on a restart with
the sends that asked them.
"""

from __future__ import annotations

import asyncio
import enum

from storage import Storage

Claimed = tuple[int, int]  # brief_id, chat_id


class Confirmation(enum.Enum):
    SEND = "still this replica's: send it"
    GONE = "no longer this replica's (sent meanwhile, or another's): leave it"
    LOST = "this replica's lease is not valid: it may send nothing it claimed"


class Confirmations:
    def __init__(self, storage: Storage, owner: str) -> None:
        self._storage = storage
        self._owner = owner
        self._lock = asyncio.Lock()
        self._asking: list[tuple[tuple[Claimed, ...], asyncio.Future[Confirmation]]] = []

    async def ask(self, rows: tuple[Claimed, ...]) -> Confirmation:
        """SEND when every one of `rows` is still this replica's to send, now."""
        answer: asyncio.Future[Confirmation] = asyncio.get_running_loop().create_future()
        self._asking.append((rows, answer))
        async with self._lock:  # FIFO: a waiter finds its answer given by an earlier one
            if not answer.done():
                await self._ask()
        return answer.result()

    async def _ask(self) -> None:
        batch, self._asking = self._asking, []
        try:
            held = await self._storage.deliveries.still_held(
                self._owner, [row for rows, _ in batch for row in rows]
            )
        except BaseException:
            self._asking[:0] = batch  # each asker asks again in its own turn
            raise
        mine = set(held or ())
        for rows, answer in batch:
            if answer.done():
                continue
            if held is None:
                answer.set_result(Confirmation.LOST)
            else:
                answer.set_result(Confirmation.SEND if mine.issuperset(rows) else Confirmation.GONE)
