"""Whether the bot can serve: the signals /readyz reads, kept in one small object.

The transport notes each answer of the Bot API (`bot_api_answered`), the push scheduler
each tick (`ticked`); the database is asked when /readyz is. In memory, per process: a
restart begins with no answer and no tick yet, so a new process is not ready until its
first call to Telegram has been answered; each replica judges only itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from storage import Storage, StorageError

BOT_API_FRESH = 60.0  # seconds: an older last answer means the Bot API is out of reach
# Three ticks of the push scheduler (bot/telegram/push_jobs.py PUSH_TICK, 20 s): one late tick is
# the event loop busy for a moment, three are a scheduler that stopped.
TICK_LATE = 60.0
DATABASE_TIMEOUT = 2.0


class Readiness:
    def __init__(
        self,
        *,
        tick_late: float = TICK_LATE,
        bot_api_fresh: float = BOT_API_FRESH,
        clock: Callable[[], float] = time.monotonic,
        api: str = "the Bot API",
    ) -> None:
        """`api`: what must have answered, in words: the Bot API, or with Matrix alone the
        homeserver (its sync stream, or its whoami while another replica reads it)."""
        self._clock = clock
        self._api = api
        self._tick_late = tick_late
        self._bot_api_fresh = bot_api_fresh
        self.started_at = clock()
        # time.monotonic() of the last HTTP answer from the Bot API (any status below 500),
        # None before the first: what the metrics read as the last Bot API answer too.
        self.bot_api_answered_at: float | None = None
        self.ticked_at: float | None = None  # the scheduler's last tick, or its start
        self.serving = False  # from when the bot takes updates (polling or webhook)
        self.stopping = False

    def bot_api_answered(self) -> None:
        self.bot_api_answered_at = self._clock()

    def ticked(self) -> None:
        self.ticked_at = self._clock()

    def seconds_since_bot_api_answer(self) -> float | None:
        answered = self.bot_api_answered_at
        return None if answered is None else self._clock() - answered

    async def problems(self, storage: Storage | None) -> list[str]:
        """What keeps the bot from serving, in a few words each; empty when it is ready."""
        found = []
        if self.stopping:
            found.append("the bot is stopping")
        elif not self.serving:
            found.append("the bot is starting")
        database = await _database_problem(storage)
        if database:
            found.append(database)
        since = self.seconds_since_bot_api_answer()
        if since is None:
            found.append(f"{self._api} has not answered yet")
        elif since > self._bot_api_fresh:
            found.append(f"{self._api} has not answered for {since:.0f} s")
        if self.ticked_at is None:
            found.append("the push scheduler has not started")
        elif self._clock() - self.ticked_at > self._tick_late:
            found.append(f"the push scheduler is late ({self._clock() - self.ticked_at:.0f} s)")
        return found


async def _database_problem(storage: Storage | None) -> str | None:
    if storage is None:
        return "the database is not open"
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT):
            await storage.ping()
    except TimeoutError:
        return f"the database did not answer within {DATABASE_TIMEOUT:g} s"
    except StorageError as error:
        return f"the database failed ({error})"
    return None
