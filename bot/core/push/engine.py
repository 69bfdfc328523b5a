"""The delivery engine: the daily schedule and admins' pushes, run in the background.

What each run does lives beside this module: the daily delivery (`daily`), an admin's
push (`broadcast`), the one claim-send-record path both go through (`delivery`), the
grouped sent marks (`marks`) and the worker pool (`workers`). The engine owns their
tasks: it starts them, lets one scheduled run go at a time, and stops them all on close.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, TypeVar

from bot.core.budget.pacing import Pacer, Turns
from bot.core.metrics import Metrics
from bot.core.push.broadcast import PROGRESS_EVERY, Broadcast, ProgressCallback
from bot.core.push.daily import DailyRun
from bot.core.push.delivery import RETRY_DELAYS, Delivery, Lease, LeaseLost
from bot.core.push.sending import PushSender
from bot.core.push.tally import Tally
from bot.core.rendering import Renderer
from bot.core.subscriptions.timing import utc_now
from storage import PushRun, Storage, StoredBrief

log = logging.getLogger(__name__)
_T = TypeVar("_T")


def default_concurrency(rate: float | None) -> int:
    # Enough workers to keep the rate while some wait out a chat's one-second spacing.
    return 32 if not rate else max(8, min(64, math.ceil(rate * 1.5)))


class PushEngine:
    def __init__(
        self,
        sender: PushSender,
        storage: Storage,
        renderer: Renderer,
        *,
        rate: float | None,
        concurrency: int | None = None,
        clock: Callable[[], datetime] = utc_now,
        pacer: Turns | None = None,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        metrics: Metrics | None = None,
        lease: Lease | None = None,
        on_failure: Callable[[], None] | None = None,
    ) -> None:
        """`lease`: this replica, whose id its claims and push runs carry, and whose lease
        every send needs (bot/core/push/delivery.py). `on_failure` hears of a run that died on
        an error: its claims and its push are left as they were, for the replica to give
        back (bot/core/replicas/replica.py, forfeit)."""
        self._on_failure = on_failure
        self._storage = storage
        self._metrics = metrics or Metrics()  # without one, counted where nobody reads
        self._renderer = renderer
        self._concurrency = concurrency or default_concurrency(rate)
        self._clock = clock
        self._delivery = Delivery(
            sender, storage, pacer or Pacer(rate), clock, retry_delays, lease=lease
        )
        self._schedule_lock = asyncio.Lock()
        # Runs in progress, in this process: closing cancels them; their claims left
        # "sending" and the pushes are taken over once this replica has left.
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def delivery(self) -> Delivery:
        """The one claim-send-record path, for other senders of briefs (channel posts)."""
        return self._delivery

    def trigger_due(self) -> None:
        """Start a scheduled delivery in the background unless one is running."""
        if not self._schedule_lock.locked():
            self._spawn(self.deliver_due())

    def start_push(
        self,
        stored: StoredBrief,
        *,
        by: int | None,
        on_progress: ProgressCallback | None = None,
        run: PushRun | None = None,
        reports_to: tuple[int, int] | None = None,
    ) -> asyncio.Task[PushRun]:
        return self._spawn(
            self.push(stored, by=by, on_progress=on_progress, run=run, reports_to=reports_to)
        )

    async def deliver_due(self) -> Tally:
        """Deliver to every subscriber due now, after any run already in progress."""
        async with self._schedule_lock:
            daily = DailyRun(self._delivery, self._storage, self._renderer, self._clock)
            with self._metrics.push_run(daily.tally):
                return await daily.run(self._concurrency, self._on_failure)

    async def push(
        self,
        stored: StoredBrief,
        *,
        by: int | None,
        on_progress: ProgressCallback | None = None,
        progress_every: float = PROGRESS_EVERY,
        run: PushRun | None = None,
        reports_to: tuple[int, int] | None = None,
    ) -> PushRun:
        """Send the brief now to every active subscriber who has not received it.

        `run` continues a push interrupted by a restart, under the same record.
        `reports_to` is the (chat_id, message_id) of the progress message, recorded so
        that a replica taking the push over edits it on.
        """
        broadcast = Broadcast(self._delivery, self._storage, self._renderer, stored, self._clock)
        with self._metrics.push_run(broadcast.tally):
            return await broadcast.run(
                self._concurrency,
                by=by,
                run=run,
                on_progress=on_progress,
                progress_every=progress_every,
                reports_to=reports_to,
                on_error=self._on_failure,
            )

    async def stop_runs(self) -> None:
        """Stop every run in progress; their claims left "sending" and their push runs are
        for the caller to give back."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        """Stop what is running; claims left "sending" are released at the next start."""
        await self.stop_runs()
        await self._delivery.close()

    def _spawn(self, work: Coroutine[Any, Any, _T]) -> asyncio.Task[_T]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled() or (error := task.exception()) is None:
            return
        if isinstance(error, LeaseLost):
            log.warning("push: stopped, as this replica lost its lease; another carries on")
        else:
            log.error("push: background delivery failed", exc_info=error)
        if self._on_failure is not None:
            self._on_failure()
