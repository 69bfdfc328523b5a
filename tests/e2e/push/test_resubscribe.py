"""Subscribing again to what a chat already has changes nothing, not even an owed delivery."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.core.subscriptions.subscribing import Request, subscribe
from storage import Storage


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    opened = await Storage.open(tmp_path / "briefbot.db")
    yield opened
    await opened.close()


async def test_the_same_time_and_zone_again_keeps_an_owed_delivery(storage: Storage) -> None:
    morning = Request(time(7, 30), "Europe/Berlin")
    monday = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    first = await subscribe(storage, 42, morning, now=monday)
    assert first.next_due_at == datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
    # The bot was down at 07:30; at 09:00 the reader taps the same setting again.
    later = monday + timedelta(hours=4)
    again = await subscribe(storage, 42, morning, now=later)
    assert again.next_due_at == first.next_due_at  # still owed today, not moved to tomorrow
    moved = await subscribe(storage, 42, Request(time(11, 30), "Europe/Berlin"), now=later)
    assert moved.next_due_at == datetime(2026, 11, 23, 10, 30, tzinfo=UTC)  # a change applies
