"""Several replicas' Pacers sharing one budget (bot/core/budget/shared.py), against an injected
clock: together they keep Telegram's global rate and each chat's turn, and a 429 heard by
one holds them all. The budget here keeps the same two times as the PostgreSQL one
(storage/postgres/send_budget.py, tested against the database in tests/storage)."""

from __future__ import annotations

import asyncio
import gc
import heapq
import itertools
from collections.abc import Awaitable
from typing import Any

import pytest

from bot.core.budget import shared
from bot.core.budget.pacing import WINDOW_SECONDS, Pacer
from tests.fakebot.limits import busiest_window


class VirtualTime:
    """A clock that moves only when every task is asleep: to the earliest wake-up."""

    def __init__(self) -> None:
        self.now = 100.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._numbers = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._numbers), future))
        await future

    async def run(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        while not task.done():
            for _ in range(20):  # nothing here waits on I/O: yielding lets all run
                await asyncio.sleep(0)
            if self._sleepers and not task.done():
                wake, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, wake)
                future.set_result(None)
        await task


class MemoryBudget:
    """send_budget and chat_turns, on the fake clock (the "server's")."""

    def __init__(self, fake: VirtualTime) -> None:
        self._fake = fake
        self.next_at = 0.0
        self.turns: dict[int, float] = {}
        self.down = False
        self.hangs = False
        self.thawed = asyncio.Event()
        self.asked = 0
        self.reservations = 0
        self.answers_held = [0.0]

    async def _check(self) -> None:
        self.asked += 1
        if self.hangs:
            # A connection gone silent: as asyncpg's, the call outlives its cancellation
            # (it waits for the server) until the database thaws.
            try:
                await self.thawed.wait()
            except asyncio.CancelledError:
                await self.thawed.wait()
                raise
        if self.down:
            raise ConnectionError("the database is gone")

    async def slots(self, count: int, interval: float) -> tuple[float, float]:
        await self._check()
        self.reservations += 1
        now = self._fake.now
        first = max(self.next_at, now)
        self.next_at = first + count * interval
        # An answer held up on its way back: the server's now is older by then.
        held = self.answers_held[self.reservations % len(self.answers_held)]
        return first, now - held

    async def pause(self, seconds: float) -> None:
        await self._check()
        self.next_at = max(self.next_at, self._fake.now + seconds)

    async def chat_turn(self, chat_id: int, interval: float) -> float:
        await self._check()
        now = self._fake.now
        full = max(self.turns.get(chat_id, now), now)
        self.turns[chat_id] = full + interval
        return full - now

    async def forget_turns(self) -> int:
        return 0


def replicas(fake: VirtualTime, budget: MemoryBudget, rate: float, count: int) -> list[Pacer]:
    pacers = [Pacer(rate, clock=fake.clock, sleep=fake.sleep) for _ in range(count)]
    for pacer in pacers:
        pacer.share(budget)
    return pacers


async def push(pacer: Pacer, fake: VirtualTime, chats: range, stamps: list[float]) -> None:
    for chat_id in chats:
        await pacer.acquire(chat_id)
        stamps.append(fake.now)


@pytest.mark.parametrize("rate", [30, 1000])
async def test_three_replicas_pushing_together_keep_one_global_rate(rate: int) -> None:
    fake, stamps = VirtualTime(), list[float]()
    budget = MemoryBudget(fake)
    pacers = replicas(fake, budget, rate, 3)
    per_replica = 2 * rate  # two seconds' worth each
    await fake.run(
        asyncio.gather(
            *(
                push(p, fake, range(n * per_replica, (n + 1) * per_replica), stamps)
                for n, p in enumerate(pacers)
            )
        )
    )
    assert busiest_window(stamps) <= rate
    # Alone, each would send at the full rate; together the three take three times as long.
    elapsed = max(stamps) - min(stamps)
    assert elapsed >= (3 * per_replica - 1) * WINDOW_SECONDS / rate * 0.999
    # Slots are reserved a few at a time, not one statement per message.
    assert budget.reservations < len(stamps) / 1.4


async def test_a_chat_gets_one_message_a_second_whichever_replica_sends() -> None:
    fake, stamps = VirtualTime(), list[float]()
    budget = MemoryBudget(fake)
    first, second = replicas(fake, budget, 1000, 2)
    await fake.run(
        asyncio.gather(
            push(first, fake, range(7, 8), stamps),
            push(second, fake, range(7, 8), stamps),
            push(first, fake, range(7, 8), stamps),
        )
    )
    assert [round(b - a, 6) for a, b in itertools.pairwise(sorted(stamps))] == [1.0, 1.0]


async def test_a_429_heard_by_one_replica_holds_the_others() -> None:
    fake = VirtualTime()
    budget = MemoryBudget(fake)
    first, second = replicas(fake, budget, 30, 2)
    first.pause(5)
    await asyncio.sleep(0)  # the pause is written in the background
    start = fake.now
    await fake.run(second.acquire(99))
    assert fake.now - start >= 5


async def test_without_the_database_a_replica_still_sends_counting_alone() -> None:
    fake, stamps = VirtualTime(), list[float]()
    budget = MemoryBudget(fake)
    [pacer] = replicas(fake, budget, 10, 1)
    budget.down = True
    await fake.run(push(pacer, fake, range(20), stamps))
    assert len(stamps) == 20
    assert busiest_window(stamps) <= 10


async def test_replies_waiting_on_another_replicas_turns_count_as_this_ones_backlog() -> None:
    fake = VirtualTime()
    budget = MemoryBudget(fake)
    first, second = replicas(fake, budget, 1000, 2)
    # Time stands still: the first replica's replies take the chat's turns for seconds
    # ahead and sleep until them.
    waiting = [asyncio.create_task(first.acquire(7, urgent=True)) for _ in range(6)]
    for _ in range(10):
        await asyncio.sleep(0)
    assert second.backlog(7) == 0.0  # not yet asked: this replica knows nothing of it
    waiting.append(asyncio.create_task(second.acquire(7, urgent=True)))
    for _ in range(10):
        await asyncio.sleep(0)
    assert not waiting[-1].done()  # the second replica's reply waits its turn
    assert second.backlog(7) > 3.0  # flood control (MAX_BACKLOG) now drops its excess
    for task in waiting:
        task.cancel()


async def test_answers_held_up_on_their_way_back_do_not_bunch_the_slots() -> None:
    fake, stamps = VirtualTime(), list[float]()
    budget = MemoryBudget(fake)
    budget.answers_held = [0.0, 0.06, 0.0, 0.0, 0.045]  # a few held for tens of ms
    [pacer] = replicas(fake, budget, 30, 1)
    await fake.run(push(pacer, fake, range(300), stamps))
    assert busiest_window(stamps) <= 30


async def test_a_silent_database_holds_a_send_a_moment_then_is_left_alone_a_while(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(shared, "ASK_TIMEOUT", 0.01)  # real seconds: the loop's own timer
    fake, stamps = VirtualTime(), list[float]()
    budget = MemoryBudget(fake)
    [pacer] = replicas(fake, budget, 10, 1)
    budget.hangs = True
    async with asyncio.timeout(10):  # a send held until the thaw would hang the test
        await fake.run(push(pacer, fake, range(20), stamps))
    budget.thawed.set()
    assert len(stamps) == 20  # every send went, counted here alone
    assert busiest_window(stamps) <= 10
    assert budget.asked == 1  # then BACKOFF without asking (20 sends took under 5 s)
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1


async def test_a_chats_turn_counts_from_when_its_last_message_went() -> None:
    fake, stamps = VirtualTime(), list[float]()
    budget = MemoryBudget(fake)
    [pacer] = replicas(fake, budget, 10, 1)
    chat = list[float]()

    async def reply_in_two_parts() -> None:  # the second asked for once the first went
        for _ in range(2):
            await pacer.acquire(7)
            chat.append(fake.now)

    # Thirty other chats' messages queue first: the first part waits three seconds for
    # its global slot, far past its turn in the chat.
    others = [push(pacer, fake, range(n, n + 1), stamps) for n in range(100, 130)]
    await fake.run(asyncio.gather(*others, reply_in_two_parts()))
    assert chat[0] - 100.0 >= 2.9
    assert chat[1] - chat[0] >= 1.0


async def test_the_chats_a_replica_remembers_are_pruned() -> None:
    fake, stamps = VirtualTime(), list[float]()
    budget = MemoryBudget(fake)
    [pacer] = replicas(fake, budget, 1000, 1)
    await fake.run(push(pacer, fake, range(5000), stamps))
    assert pacer.tracked_chats < 2500


class SlotsHeldUp(MemoryBudget):
    """Chats' turns answered at once; a reservation of slots waits for `answer`."""

    def __init__(self, fake: VirtualTime) -> None:
        super().__init__(fake)
        self.answer = asyncio.Event()

    async def slots(self, count: int, interval: float) -> tuple[float, float]:
        await self.answer.wait()
        return await super().slots(count, interval)


async def test_a_send_stopped_while_its_slot_is_asked_for_leaves_the_pacer_sound() -> None:
    fake = VirtualTime()
    budget = SlotsHeldUp(fake)
    [pacer] = replicas(fake, budget, 30, 1)
    failures: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _, context: failures.append(context))
    stopped = asyncio.create_task(pacer.acquire(1))
    for _ in range(20):  # its turn in the chat taken, it waits for a slot
        await asyncio.sleep(0)
    stopped.cancel()  # its run stopped meanwhile: a replica giving back what it held
    budget.answer.set()
    await fake.run(pacer.acquire(2))  # the next send still gets its turn
    gc.collect()  # a task that failed unseen reports it now
    assert failures == []
