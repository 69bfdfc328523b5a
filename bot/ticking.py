"""The repeating work of a process without Telegram (Matrix alone, bot/alone.py): what
PTB's JobQueue runs when Telegram is served, run here by plain asyncio tasks.

Each job is a function of the services, as the JobQueue's are (bot/telegram/jobs.py), run
at a fixed rate from its first run: a run that takes long delays the next, never doubles
it. A job that fails is logged with its traceback and runs again at its next time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.config import Config
from bot.core.backups import CHECK_INTERVAL, FIRST_CHECK, daily_backup
from bot.core.services import Services
from bot.web import health
from bot.web import metrics as metrics_page

log = logging.getLogger(__name__)

Work = Callable[[Services], Awaitable[None]]
# Hears how late each run started, in seconds (the push tick's lag, for /metrics).
Lateness = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class Repeating:
    name: str
    interval: timedelta
    work: Work
    first: timedelta = timedelta(0)  # the first run, from the start


def plain_jobs(config: Config) -> list[Repeating]:
    """The repeating jobs of plain work either app's process runs (Telegram's by PTB's
    JobQueue, bot/app.py): the figures /metrics shows from the database, the daily backup
    (BACKUP_DIR), and without HTTP_PORT the heartbeat `briefbot health` reads."""
    refresh = metrics_page.REFRESH
    jobs = [Repeating(metrics_page.METRICS_JOB, refresh, metrics_page.count_figures, refresh)]
    if config.backup_dir is not None:
        jobs.append(Repeating("daily-backup", CHECK_INTERVAL, daily_backup, FIRST_CHECK))
    if config.http_port is None:  # else `briefbot health` asks /readyz instead
        beat = timedelta(seconds=1)
        jobs.append(Repeating("heartbeat", health.HEARTBEAT_INTERVAL, health.heartbeat, beat))
    return jobs


class Ticker:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._tasks: list[asyncio.Task[None]] = []

    def every(self, job: Repeating, late: Lateness | None = None) -> None:
        """Run the job's work after its `first`, then every `interval`, until stopped."""
        interval, first = job.interval.total_seconds(), job.first.total_seconds()
        loop = self._run(job.name, interval, job.work, first, late)
        self._tasks.append(asyncio.create_task(loop, name=job.name))

    async def _run(
        self, name: str, interval: float, work: Work, first: float, late: Lateness | None
    ) -> None:
        due = time.monotonic() + first
        while True:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            if late is not None:
                late(max(0.0, time.monotonic() - due))
            try:
                await work(self._services)
            except Exception:
                log.exception("the repeating job %s failed; it runs again in %g s", name, interval)
            # The next time from this one's, skipping those already past.
            due += interval * max(1, -(-(time.monotonic() - due) // interval))

    async def stop(self) -> None:
        """Every job cancelled, and waited for."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
