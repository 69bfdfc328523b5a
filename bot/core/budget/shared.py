"""Telegram's limits as one budget for every replica: slots and turns kept in the database.

With several replicas (PostgreSQL), each one's Pacer (bot/core/budget/pacing.py) takes its global
slots and each chat's turns from here instead of from its own memory, so all of them
together never send more than the rate, nor faster than a chat takes, whichever replica
sends. A replica reserves a few slots at a time (a twentieth of a second's worth), so
the global rate costs the database a couple of dozen statements a second however fast
the bot sends (each message's chat turn is one more short statement), and a reply on
another replica waits about that long behind the push. A 429 seen by any replica pushes
every replica's next slot past the pause.

Slots are placed on this replica's clock by the least offset between the clocks seen in
recent answers, so replicas whose answers come back at different speeds still agree on
them within the difference of their quickest round trips (on one network, well inside
the Pacer's 2% margin); the Pacer's own last second keeps what one replica sends from
ever bunching.

If the database does not answer within ASK_TIMEOUT, a send is counted by this replica
alone, and the database is left alone for BACKOFF: while it is down every replica counts
alone (with N replicas, up to N times the rate; but claims need the database too, so the
push stops, and only replies go).

Kept in memory: the slots this replica reserved and has not used yet. Lost with a
restart or a crash: those slots go unused, which costs rate, never exceeds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from storage.interface import SendBudgetStore

log = logging.getLogger(__name__)
_T = TypeVar("_T")


class Unavailable(Exception):
    """The shared budget did not answer: the send is counted by this replica alone."""


# Slots reserved per statement: this much of a second's rate.
RESERVE_SECONDS = 0.05
# A send waits no longer than this on the database for its slot or its chat's turn; after
# a failure the replica counts alone for BACKOFF before asking again (one warning each).
ASK_TIMEOUT = 1.0
BACKOFF = 5.0
# A slot reached later than this is given up rather than used: sends taken late bunch up
# with the other replicas' next ones. Within the Pacer's 2% window margin at any rate.
LATE_SECONDS = 0.01
OFFSET_SAMPLES = 256


async def _within(seconds: float, work: Awaitable[_T]) -> _T:
    """`work`'s result, or TimeoutError after `seconds`, however long the work then takes
    to stop: asyncpg, cancelled on a connection gone silent, waits for the server."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        task.cancel()
        task.add_done_callback(_forget)
        raise TimeoutError(f"no answer within {seconds} s")
    return task.result()


def _forget(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so that asyncio does not report it


class SharedLimits:
    def __init__(
        self,
        budget: SendBudgetStore,
        interval: float,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`interval`: seconds between two global slots (the Pacer's, margin included)."""
        self._budget = budget
        self._interval = interval
        self._count = max(1, math.ceil(rate * RESERVE_SECONDS))
        self._clock = clock
        self._slots: deque[float] = deque()  # this replica's, on its own clock, in order
        # Recent estimates of the clocks' offset, each taken from one answer: ten seconds'
        # worth or more, little enough that the two clocks' drift never adds up.
        self._offsets: deque[float] = deque(maxlen=OFFSET_SAMPLES)
        self._pauses: set[asyncio.Task[None]] = set()
        self._retry_at = 0.0  # while the clock is before it, the database is not asked
        self._down = False

    async def _ask(self, call: Callable[[], Awaitable[_T]]) -> _T:
        """The database's answer, or Unavailable at once while it is known to be down."""
        if self._clock() < self._retry_at:
            raise Unavailable("the shared budget failed moments ago")
        try:
            answer = await _within(ASK_TIMEOUT, call())
        except Exception as error:
            if not self._down:
                log.warning(
                    "shared sending budget unavailable (%s: %s); this replica counts its "
                    "sends alone until it answers",
                    type(error).__name__,
                    error,
                )
            self._down, self._retry_at = True, self._clock() + BACKOFF
            raise Unavailable(str(error)) from error
        if self._down:
            log.warning("shared sending budget answers again")
            self._down = False
        return answer

    async def next_slot(self) -> float:
        """When the next slot this replica holds starts, on the local clock; reserves more
        when none is left."""
        now = self._clock()
        while self._slots and self._slots[0] < now - LATE_SECONDS:
            self._slots.popleft()
        if not self._slots:
            first, server_now = await self._ask(
                lambda: self._budget.slots(self._count, self._interval)
            )
            base = first + self._offset(self._clock() - server_now)
            self._slots.extend(base + n * self._interval for n in range(self._count))
        return self._slots[0]

    def _offset(self, sample: float) -> float:
        """The local clock less the server's, as it arrived with an answer: late by the
        way back, never early. The least of the recent ones is the truest (as NTP takes
        it): one answer held up would otherwise shift its slots later than the next
        batch's, and a second could then hold more than the rate."""
        self._offsets.append(sample)
        return min(self._offsets)

    def spend(self) -> None:
        """The slot next_slot() named is taken."""
        self._slots.popleft()

    async def chat_wait(self, chat_id: int, interval: float) -> float:
        """Reserve the chat's next turn, `interval` after its previous: seconds until it."""
        return await self._ask(lambda: self._budget.chat_turn(chat_id, interval))

    def pause(self, seconds: float) -> None:
        """Every replica's next slot waits `seconds`: written in the background, as the
        caller is a send that must not wait on the database to back off."""
        self._slots.clear()
        task = asyncio.get_running_loop().create_task(self._pause(seconds))
        self._pauses.add(task)
        task.add_done_callback(self._pauses.discard)

    async def _pause(self, seconds: float) -> None:
        # Unanswered: this replica pauses anyway (the Pacer's own); the others hear 429s.
        with contextlib.suppress(Unavailable):
            await self._ask(lambda: self._budget.pause(seconds))
