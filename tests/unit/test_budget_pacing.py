"""The shared budget against an injected clock: the global rate, each chat's turn, priority
for replies, pauses."""

from __future__ import annotations

import asyncio
import itertools

from bot.core.budget.pacing import CATCH_UP_SECONDS, WINDOW_SECONDS, Pacer
from tests.fakebot.limits import busiest_window


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.stamps: list[float] = []
        self.order: list[str] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        # Others run first, at the time they were woken; then the clock moves on.
        await asyncio.sleep(0)
        self.now += seconds


async def send(pacer: Pacer, fake: FakeTime, chat_id: int | None, *, urgent: bool = False) -> None:
    await pacer.acquire(chat_id, urgent=urgent)
    fake.stamps.append(fake.now)
    fake.order.append("reply" if urgent else "push")


def gaps(stamps: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(stamps)]


async def test_sends_are_spaced_evenly_at_the_global_rate() -> None:
    fake = FakeTime()
    pacer = Pacer(10, clock=fake.clock, sleep=fake.sleep)
    for chat_id in range(50):
        await send(pacer, fake, chat_id)
    spacing = WINDOW_SECONDS / 10
    assert all(abs(gap - spacing) < 1e-9 for gap in gaps(fake.stamps))
    assert busiest_window(fake.stamps) <= 10


async def test_a_push_gives_one_chat_at_most_one_message_a_second() -> None:
    fake = FakeTime()
    pacer = Pacer(1000, clock=fake.clock, sleep=fake.sleep)
    for _ in range(4):
        await send(pacer, fake, 7)
    assert all(gap >= 1.0 for gap in gaps(fake.stamps))


async def test_a_reply_may_come_in_a_short_burst_then_one_a_second() -> None:
    fake = FakeTime()
    pacer = Pacer(1000, clock=fake.clock, sleep=fake.sleep)
    for _ in range(5):
        await send(pacer, fake, 7, urgent=True)
    # Telegram takes a short burst in a chat: a reply cut in three arrives at once.
    assert fake.stamps[2] - fake.stamps[0] <= 0.1
    assert all(gap >= 1.0 for gap in gaps(fake.stamps)[2:])


async def test_a_group_gets_twenty_messages_at_once_then_one_every_three_seconds() -> None:
    fake = FakeTime()
    pacer = Pacer(1000, clock=fake.clock, sleep=fake.sleep)
    for _ in range(30):
        await send(pacer, fake, -100, urgent=True)
    assert busiest_window(fake.stamps, span=0.5) == 20
    assert all(gap >= 3.0 for gap in gaps(fake.stamps)[20:])


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
    await send(pacer, fake, 2, urgent=True)
    await send(pacer, fake, 3)
    await send(pacer, fake, 4)
    assert fake.stamps[1] - fake.stamps[0] >= 3.0
    assert fake.stamps[2] - fake.stamps[0] >= 3.0
    # After the pause the push resumes evenly, with no burst.
    assert abs(fake.stamps[3] - fake.stamps[2] - WINDOW_SECONDS / 100) < 1e-9


async def test_replies_go_at_once_while_the_last_second_has_room() -> None:
    fake = FakeTime()
    pacer = Pacer(10, clock=fake.clock, sleep=fake.sleep)
    for chat_id in range(10):
        await send(pacer, fake, chat_id, urgent=True)
    await send(pacer, fake, 99, urgent=True)
    assert fake.stamps[:10] == [100.0] * 10
    assert fake.stamps[10] == 100.0 + WINDOW_SECONDS


async def test_a_late_start_catches_up_only_briefly_and_never_over_the_rate() -> None:
    """Workers busy for a while may not send the missed slots all at once."""
    fake = FakeTime()
    pacer = Pacer(100, clock=fake.clock, sleep=fake.sleep)
    for chat_id in range(90):
        await send(pacer, fake, chat_id)
    fake.now += 0.5
    start = fake.now
    for chat_id in range(100, 200):
        await send(pacer, fake, chat_id)
    immediate = sum(1 for stamp in fake.stamps if stamp == start)
    assert immediate <= CATCH_UP_SECONDS * 100 + 1
    assert busiest_window(fake.stamps) <= 100


async def test_waiting_replies_go_before_the_waiting_push() -> None:
    fake = FakeTime()
    pacer = Pacer(10, clock=fake.clock, sleep=fake.sleep)
    pushes = [asyncio.create_task(send(pacer, fake, chat)) for chat in range(1, 21)]
    await asyncio.sleep(0)  # the push's workers all wait for their slots
    replies = [asyncio.create_task(send(pacer, fake, chat, urgent=True)) for chat in (31, 32)]
    await asyncio.gather(*pushes, *replies)
    # The first push message took the free slot; both replies take the next two.
    assert fake.order[:3] == ["push", "reply", "reply"]
    assert busiest_window(fake.stamps) <= 10


async def test_concurrent_waiters_take_distinct_slots() -> None:
    fake = FakeTime()
    pacer = Pacer(50, clock=fake.clock, sleep=fake.sleep)
    await asyncio.gather(*(send(pacer, fake, chat_id) for chat_id in range(10)))
    assert len(set(fake.stamps)) == 10


async def test_a_cancelled_waiter_gives_up_its_turn() -> None:
    fake = FakeTime()
    pacer = Pacer(10, clock=fake.clock, sleep=fake.sleep)
    await send(pacer, fake, 1)
    gone = asyncio.create_task(send(pacer, fake, 2))
    await asyncio.sleep(0)
    gone.cancel()
    await send(pacer, fake, 3)
    assert len(fake.stamps) == 2


async def test_backlog_tells_how_long_a_reply_to_the_chat_would_wait() -> None:
    fake = FakeTime()
    pacer = Pacer(1000, clock=fake.clock, sleep=fake.sleep)
    assert pacer.backlog(7) == 0.0
    for _ in range(2):
        await pacer.acquire(7, urgent=True)
    waiting = [asyncio.create_task(pacer.acquire(7, urgent=True)) for _ in range(3)]
    await asyncio.sleep(0)
    assert pacer.backlog(7) >= 3.0
    assert pacer.backlog(8) == 0.0
    await asyncio.gather(*waiting)


async def test_chats_no_longer_waiting_are_forgotten() -> None:
    fake = FakeTime()
    pacer = Pacer(None, clock=fake.clock, sleep=fake.sleep)
    for chat_id in range(5000):
        await pacer.acquire(chat_id)
        fake.now += 0.001
    assert pacer.tracked_chats <= 2100
