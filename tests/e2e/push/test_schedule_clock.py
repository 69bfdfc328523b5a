"""The schedule against an injected clock: the engine and real storage, a recording sender.

Time zones, daylight saving on both ends, and catching up after downtime, on chosen days.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.core.budget.pacing import Pacer
from bot.core.chat import Keyboard
from bot.core.push.engine import PushEngine
from bot.core.rendering import Renderer
from bot.core.subscriptions.timing import next_due, zone
from bot.telegram.push_sender import Sender
from storage import Storage
from tests.e2e.push.conftest import example_brief

CHAT = 42


class RecordingSender(Sender):
    def __init__(self) -> None:
        super().__init__("http://unused/bot", "0:x", paid=False, connections=1)
        self.sent: list[tuple[int, str]] = []

    async def send(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        self.sent.append((chat_id, re.sub(r"<[^>]+>", "", text.splitlines()[0])))
        return len(self.sent)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    async with await Storage.open(tmp_path / "schedule.db") as opened:
        yield opened


def utc(*parts: int) -> datetime:
    year, month, day, hour, minute = parts
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def schedule(
    storage: Storage, clock: Clock, at: time, zone_name: str
) -> tuple[PushEngine, RecordingSender]:
    await storage.subscribers.subscribe(
        CHAT,
        delivery_time=at,
        timezone=zone_name,
        next_due_at=next_due(at, zone(zone_name), clock.now),
        at=clock.now,
    )
    sender = RecordingSender()
    engine = PushEngine(sender, storage, Renderer(), rate=None, clock=clock, pacer=Pacer(None))
    return engine, sender


async def publish(storage: Storage, title: str, at: datetime) -> None:
    await storage.briefs.publish(example_brief(title), by=None, at=at)


async def tick_at(engine: PushEngine, clock: Clock, moment: datetime) -> None:
    clock.now = moment
    await engine.deliver_due()


async def test_delivered_at_local_time_in_summer_and_winter(storage: Storage) -> None:
    clock = Clock(utc(2026, 7, 14, 12, 0))
    engine, sender = await schedule(storage, clock, time(7, 30), "Europe/Berlin")
    await publish(storage, "Summer story", utc(2026, 7, 14, 20, 0))
    await tick_at(engine, clock, utc(2026, 7, 15, 5, 29))  # 07:29 CEST
    assert sender.sent == []
    await tick_at(engine, clock, utc(2026, 7, 15, 5, 30))  # 07:30 CEST
    assert sender.sent == [(CHAT, "Summer story")]
    # Winter: 07:30 in Berlin is 06:30 UTC.
    await publish(storage, "Winter story", utc(2026, 12, 1, 20, 0))
    await tick_at(engine, clock, utc(2026, 12, 1, 21, 0))  # a daily tick somewhere between
    await tick_at(engine, clock, utc(2026, 12, 2, 6, 29))
    assert len(sender.sent) == 2  # the catch-up at 21:00 sent it; 06:29 sends nothing more
    subscriber = await storage.subscribers.get(CHAT)
    assert subscriber is not None
    assert subscriber.next_due_at == utc(2026, 12, 2, 6, 30)


async def test_spring_forward_delivers_at_the_next_valid_minute(storage: Storage) -> None:
    clock = Clock(utc(2026, 3, 28, 12, 0))
    engine, sender = await schedule(storage, clock, time(2, 30), "Europe/Berlin")
    await publish(storage, "Gap day", utc(2026, 3, 28, 18, 0))
    await tick_at(engine, clock, utc(2026, 3, 29, 0, 59))  # 01:59 CET, before the gap
    assert sender.sent == []
    await tick_at(engine, clock, utc(2026, 3, 29, 1, 0))  # 03:00 CEST, the gap's end
    assert sender.sent == [(CHAT, "Gap day")]
    subscriber = await storage.subscribers.get(CHAT)
    assert subscriber is not None
    assert subscriber.next_due_at == utc(2026, 3, 30, 0, 30)  # 02:30 CEST the next day


async def test_the_repeated_autumn_hour_delivers_once(storage: Storage) -> None:
    clock = Clock(utc(2026, 10, 24, 12, 0))
    engine, sender = await schedule(storage, clock, time(2, 30), "Europe/Berlin")
    await publish(storage, "Long night", utc(2026, 10, 24, 18, 0))
    await tick_at(engine, clock, utc(2026, 10, 25, 0, 30))  # first 02:30 (CEST)
    await publish(storage, "Between the two", utc(2026, 10, 25, 0, 45))
    await tick_at(engine, clock, utc(2026, 10, 25, 1, 30))  # second 02:30 (CET)
    assert sender.sent == [(CHAT, "Long night")]
    await tick_at(engine, clock, utc(2026, 10, 26, 1, 30))  # 02:30 CET the next day
    assert sender.sent == [(CHAT, "Long night"), (CHAT, "Between the two")]


async def test_after_a_delivery_the_next_is_the_next_day_at_the_local_time(
    storage: Storage,
) -> None:
    """The next 08:00 there, not 24 hours on: the eve of a change of clocks has 25 hours."""
    clock = Clock(utc(2026, 10, 24, 5, 0))  # 07:00 CEST; at 03:00 tomorrow it is 02:00 CET
    engine, sender = await schedule(storage, clock, time(8, 0), "Europe/Berlin")
    await publish(storage, "Bridge vote", utc(2026, 10, 24, 5, 30))
    await tick_at(engine, clock, utc(2026, 10, 24, 6, 0))  # 08:00 CEST
    assert sender.sent == [(CHAT, "Bridge vote")]
    subscriber = await storage.subscribers.get(CHAT)
    assert subscriber is not None
    assert subscriber.last_delivered_at == utc(2026, 10, 24, 6, 0)
    assert subscriber.next_due_at == utc(2026, 10, 25, 7, 0)  # 08:00 CET
    assert subscriber.next_due_at - clock.now == timedelta(hours=25)


async def test_new_york_springs_forward_too(storage: Storage) -> None:
    clock = Clock(utc(2026, 3, 7, 12, 0))
    engine, sender = await schedule(storage, clock, time(2, 15), "America/New_York")
    await publish(storage, "Eastern", utc(2026, 3, 7, 20, 0))
    await tick_at(engine, clock, utc(2026, 3, 8, 6, 59))
    assert sender.sent == []
    await tick_at(engine, clock, utc(2026, 3, 8, 7, 0))  # 03:00 EDT
    assert sender.sent == [(CHAT, "Eastern")]


async def test_down_for_days_catches_up_once_on_start(storage: Storage) -> None:
    clock = Clock(utc(2026, 5, 1, 12, 0))
    engine, sender = await schedule(storage, clock, time(8, 0), "UTC")
    for day in (1, 2, 3):
        await publish(storage, f"Day {day}", utc(2026, 5, day, 18, 0))
    # The bot was down from 1 May to 4 May 10:00: one delivery with all three, then 5 May.
    await tick_at(engine, clock, utc(2026, 5, 4, 10, 0))
    await tick_at(engine, clock, utc(2026, 5, 4, 10, 1))
    assert sender.sent == [(CHAT, "Day 1"), (CHAT, "Day 2"), (CHAT, "Day 3")]
    subscriber = await storage.subscribers.get(CHAT)
    assert subscriber is not None
    assert subscriber.next_due_at == utc(2026, 5, 5, 8, 0)
    assert subscriber.last_delivered_at == utc(2026, 5, 4, 10, 0)


async def test_a_day_with_nothing_new_sends_nothing_and_moves_on(storage: Storage) -> None:
    clock = Clock(utc(2026, 5, 1, 12, 0))
    engine, sender = await schedule(storage, clock, time(8, 0), "Asia/Tokyo")
    await tick_at(engine, clock, utc(2026, 5, 1, 23, 0))  # 08:00 in Tokyo on 2 May
    assert sender.sent == []
    subscriber = await storage.subscribers.get(CHAT)
    assert subscriber is not None
    assert subscriber.next_due_at == utc(2026, 5, 2, 23, 0)
    assert subscriber.next_due_at - clock.now == timedelta(days=1)


async def test_a_reader_who_comes_back_does_not_get_what_was_published_while_away(
    storage: Storage,
) -> None:
    clock = Clock(utc(2026, 5, 1, 12, 0))
    engine, sender = await schedule(storage, clock, time(8, 0), "UTC")
    await publish(storage, "Day 1", utc(2026, 5, 1, 18, 0))
    await tick_at(engine, clock, utc(2026, 5, 2, 8, 0))
    assert await storage.subscribers.unsubscribe(CHAT)
    await publish(storage, "While away", utc(2026, 5, 3, 12, 0))
    # Back on 5 May at noon; a new subscriber then gets that day's briefs at 08:00 on the 6th.
    await storage.subscribers.subscribe(
        CHAT,
        delivery_time=time(8, 0),
        timezone="UTC",
        next_due_at=utc(2026, 5, 6, 8, 0),
        at=utc(2026, 5, 5, 12, 0),
    )
    await publish(storage, "Back", utc(2026, 5, 5, 13, 0))
    await tick_at(engine, clock, utc(2026, 5, 6, 8, 0))
    assert sender.sent == [(CHAT, "Day 1"), (CHAT, "Back")]


async def test_a_chat_that_blocked_the_bot_gets_what_it_missed_once_unblocked(
    storage: Storage,
) -> None:
    clock = Clock(utc(2026, 5, 1, 12, 0))
    engine, sender = await schedule(storage, clock, time(8, 0), "UTC")
    await tick_at(engine, clock, utc(2026, 5, 2, 8, 0))
    await storage.subscribers.set_blocked(CHAT, True, at=utc(2026, 5, 2, 9, 0))
    await publish(storage, "While blocked", utc(2026, 5, 3, 12, 0))
    await tick_at(engine, clock, utc(2026, 5, 4, 8, 0))
    # Unblocked by /subscribe on the 5th: the subscription never stopped.
    await storage.subscribers.subscribe(
        CHAT,
        delivery_time=time(8, 0),
        timezone="UTC",
        next_due_at=utc(2026, 5, 6, 8, 0),
        at=utc(2026, 5, 5, 12, 0),
    )
    await tick_at(engine, clock, utc(2026, 5, 6, 8, 0))
    assert sender.sent == [(CHAT, "While blocked")]
