"""The pacer against an injected clock: the global rate, one per second per chat, pauses."""

from __future__ import annotations

import asyncio

from bot.push.pacing import Pacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.stamps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def send(pacer: Pacer, fake: FakeTime, chat_id: int) -> None:
    await pacer.acquire(chat_id)
    fake.stamps.append(fake.now)


async def test_sends_are_spaced_evenly_at_the_global_rate() -> None:
    fake = FakeTime()
    pacer = Pacer(10, clock=fake.clock, sleep=fake.sleep)
    for chat_id in range(50):
        await send(pacer, fake, chat_id)
    gaps = [b - a for a, b in zip(fake.stamps, fake.stamps[1:], strict=False)]
    assert all(abs(gap - 0.1) < 1e-9 for gap in gaps)
    assert abs(fake.stamps[-1] - fake.stamps[0] - 4.9) < 1e-9


async def test_one_chat_gets_at_most_one_message_a_second() -> None:
    fake = FakeTime()
    pacer = Pacer(1000, clock=fake.clock, sleep=fake.sleep)
    for _ in range(4):
        await send(pacer, fake, 7)
    gaps = [b - a for a, b in zip(fake.stamps, fake.stamps[1:], strict=False)]
    assert all(gap >= 1.0 for gap in gaps)


async def test_other_chats_are_not_held_up_by_one_chats_spacing() -> None:
    fake = FakeTime()
    pacer = Pacer(1000, clock=fake.clock, sleep=fake.sleep)
    await send(pacer, fake, 7)
    await send(pacer, fake, 8)
    assert fake.stamps[1] - fake.stamps[0] < 0.01


async def test_a_pause_holds_every_later_send() -> None:
    fake = FakeTime()
    pacer = Pacer(100, clock=fake.clock, sleep=fake.sleep)
    await send(pacer, fake, 1)
    pacer.pause(3.0)
    await send(pacer, fake, 2)
    await send(pacer, fake, 3)
    assert fake.stamps[1] - fake.stamps[0] >= 3.0
    # After the pause the rate resumes evenly, with no burst.
    assert abs(fake.stamps[2] - fake.stamps[1] - 0.01) < 1e-9


async def test_a_late_start_catches_up_only_briefly() -> None:
    """Workers busy for a while may not send the missed slots all at once."""
    fake = FakeTime()
    pacer = Pacer(100, clock=fake.clock, sleep=fake.sleep)
    await send(pacer, fake, 1)
    fake.now += 5.0
    start = fake.now
    for chat_id in range(2, 40):
        await send(pacer, fake, chat_id)
    immediate = sum(1 for stamp in fake.stamps[1:] if stamp == start)
    assert immediate <= 11  # at most CATCH_UP_SECONDS' worth of slots


async def test_concurrent_waiters_take_distinct_slots() -> None:
    fake = FakeTime()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    pacer = Pacer(50, clock=fake.clock, sleep=sleep)
    await asyncio.gather(*(pacer.acquire(chat_id) for chat_id in range(10)))
    assert sorted(round(s, 6) for s in slept) == [round(0.02 * n, 6) for n in range(1, 10)]


async def test_chats_no_longer_waiting_are_forgotten() -> None:
    fake = FakeTime()
    pacer = Pacer(None, clock=fake.clock, sleep=fake.sleep)
    for chat_id in range(5000):
        await pacer.acquire(chat_id)
        fake.now += 0.001
    assert pacer.tracked_chats <= 2100
