"""One budget for everything the bot sends: Telegram's global rate, shared by priority.

Telegram counts every message a bot sends against one global limit (30 a second, up to
1000 with paid broadcasts) and about one a second in each chat (20 a minute in a group).
Replies to readers (through PTB, bot/telegram/rate_limiter.py) and the push
(bot/core/push/engine.py)
draw on this one Pacer: a reply to someone waiting goes before any push message still
waiting, and the push takes what remains. Never more than `rate` sends start within any
WINDOW_SECONDS: a reply goes as soon as that leaves room, the push's messages are also
spaced evenly, so it never bursts, not even to catch up after a stall.
A RetryAfter from any send pauses every send for the advised time.

Kept in memory, per process. After a restart the budget starts unspent; Telegram may
still count the last second, which costs at most one 429 and its pause. Several replicas
(PostgreSQL) share one budget instead: `share()` makes the Pacer take its global slots and
each chat's turns from the database (bot/core/budget/shared.py), and keep only the order of its
own waiters (replies first) and the pauses it heard itself. If the database does not
answer within a second, sends fall back to this process's own count for a few seconds
(bot/core/budget/shared.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.core.budget.shared import SharedLimits, Unavailable
from storage.interface import SendBudgetStore

log = logging.getLogger(__name__)

PER_CHAT_INTERVAL = 1.0
# A group takes 20 messages a minute; the push keeps to one every three seconds.
GROUP_INTERVAL = 3.0
# Replies may use a chat's short burst (a reply cut into three messages arrives at once),
# its last message held back a tenth of a second so that jitter on the way cannot make
# Telegram count one too many.
PRIVATE_BURST = 3
GROUP_BURST = 20
BURST_SLACK = 0.1
# How far behind the schedule the pacer may fall and still catch up: a short burst after
# the workers were all busy, so the long-run rate holds.
CATCH_UP_SECONDS = 0.1
# At most `rate` sends start within this span: a second, and a margin for the way there
# (a reply through PTB takes a few milliseconds longer than a push message through its
# lean client, more under load), so the server never counts more than `rate` in any one
# second either. With 1% the server once counted 31 at 30/s in bench.fairness.
WINDOW_SECONDS = 1.02
_URGENT, _BULK = 0, 1


class Turns(Protocol):
    """What a sender waits on: a turn for a chat, and a pause when the app asks to wait.
    One Pacer is one app's budget; with two apps (Telegram and Matrix) the composition
    root routes each chat to its app's Pacer (bot/routing.py), so that one app's "wait"
    pauses only its own sends."""

    async def acquire(self, chat_id: int | None, *, urgent: bool = False) -> None: ...

    def pause(self, seconds: float, chat_id: int | None = None) -> None: ...


class Pacer:
    def __init__(
        self,
        rate: float | None,
        *,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_pause: Callable[[float], None] | None = None,
    ) -> None:
        """`rate` None: no global limit (benchmarks measuring the engine's own cost).
        `on_pause` hears how many seconds each pause adds to the time every send is held."""
        self._on_pause = on_pause
        self._rate = rate
        self._shared: SharedLimits | None = None
        self._interval = WINDOW_SECONDS / rate if rate else 0.0
        self._per_chat = per_chat_interval
        self._clock = clock
        self._sleep = sleep
        self._next = clock()
        self._resume_at = 0.0
        # When the last `rate` sends started: the oldest bounds the next.
        self._recent: deque[float] | None = deque(maxlen=max(1, int(rate))) if rate else None
        self._waiting: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque())
        self._dispatcher: asyncio.Task[None] | None = None
        # Per chat, when its allowance is whole again (a "theoretical arrival time").
        self._chats: dict[int, float] = {}
        self._prune_at = 1024

    def share(self, budget: SendBudgetStore) -> None:
        """From now on, spend the budget every replica shares (bot/core/budget/shared.py)."""
        if self._rate:
            self._shared = SharedLimits(budget, self._interval, self._rate, clock=self._clock)

    async def acquire(self, chat_id: int | None, *, urgent: bool = False) -> None:
        """Wait for this chat's turn, then for a global slot; urgent sends go first."""
        interval = 0.0
        shared = self._shared
        if chat_id is not None:
            interval, wait = await self._turn(chat_id, urgent)
            if wait > 0:
                await self._sleep(wait)
        if shared is None and self._slot_now(urgent):
            return
        await self._wait_for_slot(urgent)
        if chat_id is not None:
            # Spaced from when it actually went, however long the global turn took.
            sent = self._clock() + interval
            if self._chats.get(chat_id, 0.0) < sent:
                self._chats[chat_id] = sent

    def pause(self, seconds: float, chat_id: int | None = None) -> None:
        """The app asked to wait (a send to `chat_id`, when known): no slot is handed out
        before then."""
        now = self._clock()
        held = max(self._resume_at, now)
        self._resume_at = max(held, now + seconds)
        if self._shared is not None:
            self._shared.pause(seconds)
        if self._on_pause is not None:
            # Only the added time: 429s to sends made at once ask for the same wait.
            self._on_pause(self._resume_at - held)

    def backlog(self, chat_id: int) -> float:
        """Seconds a reply to this chat would wait for its turn in the chat."""
        _, tolerance = self._allowance(chat_id, True)
        return max(0.0, self._chats.get(chat_id, 0.0) - tolerance - self._clock())

    @property
    def tracked_chats(self) -> int:
        return len(self._chats)

    # -- per chat -------------------------------------------------------------------------

    def _allowance(self, chat_id: int, urgent: bool) -> tuple[float, float]:
        """The chat's spacing, and how far ahead of it a send may go (its burst)."""
        interval, burst = (
            (self._per_chat, PRIVATE_BURST) if chat_id > 0 else (GROUP_INTERVAL, GROUP_BURST)
        )
        tolerance = (burst - 1) * interval - BURST_SLACK if urgent else 0.0
        return interval, tolerance

    async def _turn(self, chat_id: int, urgent: bool) -> tuple[float, float]:
        """The chat's spacing, and how long until its turn: from the shared budget when
        there is one."""
        if self._shared is not None:
            interval, tolerance = self._allowance(chat_id, urgent)
            try:
                wait = await self._shared.chat_wait(chat_id, interval)
            except Unavailable:
                pass  # counted here alone (shared.py logs it once)
            else:
                # Kept here too, as the database told it (every replica's sends counted),
                # for backlog(): flood control drops a chat whose replies wait too long.
                # This replica's own last send to the chat, spaced from when it actually
                # went, bounds the turn as well.
                now = self._clock()
                wait = max(wait, self._chats.get(chat_id, now) - now)
                self._chats[chat_id] = now + wait + interval
                if len(self._chats) > self._prune_at:
                    self._prune(now)
                return interval, wait - tolerance
        return self._chat_turn(chat_id, urgent)

    def _chat_turn(self, chat_id: int, urgent: bool) -> tuple[float, float]:
        """Reserves the chat's next turn: its spacing, and how long until the turn."""
        interval, tolerance = self._allowance(chat_id, urgent)
        now = self._clock()
        full = max(self._chats.get(chat_id, now), now)
        self._chats[chat_id] = full + interval  # reserved before waiting: turns keep order
        if len(self._chats) > self._prune_at:
            self._prune(now)
        return interval, full - tolerance - now

    def _prune(self, now: float) -> None:
        # A chat whose allowance is whole again is as good as one never seen.
        self._chats = {chat: full for chat, full in self._chats.items() if full > now}
        self._prune_at = max(1024, 2 * len(self._chats))

    # -- the global rate ------------------------------------------------------------------

    def _slot_now(self, urgent: bool) -> bool:
        """Takes a slot at once if one is free and nobody waits ahead (for a reply: no other
        reply; the push never overtakes one)."""
        if self._waiting[_URGENT if urgent else _BULK] or (not urgent and self._waiting[_URGENT]):
            return False
        now = self._clock()
        slot = self._free_slot(now, urgent)
        if slot > now:
            return False
        self._take(slot, now, urgent)
        return True

    async def _wait_for_slot(self, urgent: bool) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[_URGENT if urgent else _BULK].append(future)
        if self._dispatcher is None:
            self._dispatcher = asyncio.create_task(self._dispatch())
        await future

    def _free_slot(self, now: float, urgent: bool) -> float:
        """The earliest a send may start: a reply as soon as the last second has room, the
        push also at its even spacing."""
        slot = self._resume_at
        if not urgent:
            slot = max(slot, self._next, now - CATCH_UP_SECONDS)
        recent = self._recent
        if recent is not None and len(recent) == recent.maxlen:
            slot = max(slot, recent[0] + WINDOW_SECONDS)
        return slot

    def _take(self, slot: float, now: float, urgent: bool) -> None:
        if not urgent:
            self._next = max(slot, now - CATCH_UP_SECONDS) + self._interval
        if self._recent is not None:
            self._recent.append(max(slot, now))

    async def _dispatch(self) -> None:
        """Hands out slots in turn, urgent waiters first, until no one waits."""
        try:
            while (queue := self._first_waiting()) is not None:
                urgent = queue is self._waiting[_URGENT]
                shared = await self._shared_slot()
                now = self._clock()
                # Shared slots are the rate; this replica's own last second also bounds
                # them, so that what it sends never bunches, whatever the slots' timing.
                slot = self._free_slot(now, urgent) if shared is None else self._within(shared)
                if slot > now:
                    await self._sleep(slot - now)
                    continue  # someone more urgent may have come meanwhile
                if queue[0].done():
                    continue  # its sender stopped while the slot was asked for: the next's
                if shared is None:
                    self._take(slot, now, urgent)
                else:
                    self._shared_taken(max(slot, now))
                queue.popleft().set_result(None)
        finally:
            self._dispatcher = None

    async def _shared_slot(self) -> float | None:
        """The next slot this replica holds in the shared budget, or not before a pause
        it heard; None when not shared, or when the database cannot answer."""
        if self._shared is None:
            return None
        try:
            return max(self._resume_at, await self._shared.next_slot())
        except Unavailable:
            return None  # counted here alone (shared.py logs it once)

    def _within(self, slot: float) -> float:
        """`slot`, or later if this replica's last second is full."""
        recent = self._recent
        if recent is not None and len(recent) == recent.maxlen:
            return max(slot, recent[0] + WINDOW_SECONDS)
        return slot

    def _shared_taken(self, sent: float) -> None:
        assert self._shared is not None
        self._shared.spend()
        if self._recent is not None:
            self._recent.append(sent)

    def _first_waiting(self) -> deque[asyncio.Future[None]] | None:
        """The queue whose head goes next: urgent before bulk."""
        for queue in self._waiting:
            while queue and queue[0].done():  # a waiter cancelled meanwhile gives up its turn
                queue.popleft()
            if queue:
                return queue
        return None
