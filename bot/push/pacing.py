"""Spacing sends within Telegram's limits: a global rate and one message per second per chat.

Slots are handed out in order, evenly spaced at the global rate, so a push runs at the
configured rate rather than in bursts. A worker that finds every slot taken sleeps until
its own; a RetryAfter answer pushes every later slot back by the advised time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

PER_CHAT_INTERVAL = 1.0
# How far behind the schedule the pacer may fall and still catch up: a short burst after
# the workers were all busy, so the long-run rate holds without exceeding one second's worth.
CATCH_UP_SECONDS = 0.1


class Pacer:
    def __init__(
        self,
        rate: float | None,
        *,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`rate` None: no global limit (benchmarks measuring the engine's own cost)."""
        self._interval = 1.0 / rate if rate else 0.0
        self._per_chat = per_chat_interval
        self._clock = clock
        self._sleep = sleep
        self._next = clock()
        self._resume_at = 0.0
        self._chats: dict[int, float] = {}
        self._prune_at = 1024

    async def acquire(self, chat_id: int) -> None:
        """Wait for this chat's turn, then for a global slot."""
        chat_ready = self._chats.get(chat_id, 0.0)
        now = self._clock()
        if chat_ready > now:
            await self._sleep(chat_ready - now)
            now = self._clock()
        slot = max(self._next, now - CATCH_UP_SECONDS, self._resume_at)
        self._next = slot + self._interval
        self._chats[chat_id] = max(slot, now) + self._per_chat
        if len(self._chats) > self._prune_at:
            self._prune(now)
        if slot > now:
            await self._sleep(slot - now)

    def pause(self, seconds: float) -> None:
        """Telegram asked to wait: no slot is handed out before then."""
        self._resume_at = max(self._resume_at, self._clock() + seconds)

    @property
    def tracked_chats(self) -> int:
        return len(self._chats)

    def _prune(self, now: float) -> None:
        # Only chats sent to within the last second matter: at most about `rate` of them.
        self._chats = {chat: ready for chat, ready in self._chats.items() if ready > now}
        self._prune_at = max(1024, 2 * len(self._chats))
