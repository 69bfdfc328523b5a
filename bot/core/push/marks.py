"""Sent marks written to the delivery record in groups, each sender waiting for its own."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import datetime

from storage import Storage

# How long a commit of sent marks waits for more: at 1000 messages/s, five make one commit.
GATHER_SECONDS = 0.005
Sent = tuple[int, int, list[int]]  # brief_id, chat_id, message ids


class SentMarks:
    """Group commit of sends to the delivery record.

    Each worker waits until its own send is committed, so the crash bound is unchanged;
    marks that arrive while one commit runs go together in the next. One commit per
    message would cost about 0.2 ms of CPU each, as much as the send itself, so a commit
    first waits GATHER_SECONDS for the sends finishing meanwhile. Marks not yet committed
    live only in memory: a crash loses them, and their rows, still "sending", are sent
    again once this replica is taken for dead (bot/core/replicas/replica.py), by another replica or
    at the next start (the documented crash bound).
    """

    def __init__(self, storage: Storage, clock: Callable[[], datetime]) -> None:
        self._storage = storage
        self._clock = clock
        self._lock = asyncio.Lock()
        self._pending: list[tuple[int, Sent]] = []
        self._numbers = itertools.count(1)
        self._committed = 0

    async def record(self, sent: list[Sent]) -> None:
        last = 0
        for row in sent:
            last = next(self._numbers)
            self._pending.append((last, row))
        async with self._lock:  # FIFO: a waiter finds its rows committed by an earlier one
            if last <= self._committed:
                return
            await asyncio.sleep(GATHER_SECONDS)
            batch, self._pending = self._pending, []
            try:
                await self._storage.deliveries.mark_sent_many(
                    [row for _, row in batch], at=self._clock()
                )
            except BaseException:
                self._pending[:0] = batch  # their own workers will write them
                raise
            self._committed = max(self._committed, batch[-1][0])
