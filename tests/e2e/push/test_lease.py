"""A replica sends only under its lease (bot/replicas.py): the engine and real storage, a
recording sender, and the replica's clock in the test's hands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.push.engine import PushEngine
from bot.push.pacing import Pacer
from bot.push.tally import Outcome
from bot.reading import Reply
from bot.rendering import Renderer
from bot.replicas import DEAD_AFTER, LEASE, Replica
from storage import Storage
from tests.e2e.push.conftest import example_brief
from tests.e2e.push.test_schedule_clock import RecordingSender

CHAT = 42
REPLY = Reply(["Bridge · the summary"])


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    async with await Storage.open(tmp_path / "lease.db") as opened:
        yield opened


async def replica_engine(
    storage: Storage, name: str, monotonic: Monotonic
) -> tuple[Replica, PushEngine, RecordingSender]:
    replica = Replica(storage, replica_id=name, monotonic=monotonic)
    await replica.join()
    sender = RecordingSender()
    engine = PushEngine(sender, storage, Renderer(), rate=None, pacer=Pacer(None), lease=replica)
    return replica, engine, sender


async def test_a_replica_whose_lease_ran_out_sends_nothing_it_claimed_before(
    storage: Storage,
) -> None:
    stored = await storage.briefs.publish(example_brief("Bridge"), by=None, at=datetime.now(UTC))
    clock = Monotonic()
    replica, engine, sender = await replica_engine(storage, "stalled", clock)
    [claim] = await engine.delivery.claim_chats(stored.id, [CHAT])
    clock.now += LEASE  # it froze: no heartbeat written for a whole lease
    _, outcome = await engine.delivery.send(claim, REPLY)
    assert outcome is Outcome.FAILED
    assert sender.sent == []
    record = await storage.deliveries.get(stored.id, CHAT)
    assert record is not None
    assert record.status == "failed"  # given back: whoever claims it next sends it
    # Its next heartbeat tells it so; what it claims from then on it may send.
    assert await replica.beat() is True
    [again] = await engine.delivery.claim_chats(stored.id, [CHAT])
    _, outcome = await engine.delivery.send(again, REPLY)
    assert outcome is Outcome.SENT
    assert len(sender.sent) == 1


async def test_a_stalled_replica_leaves_alone_a_send_another_replica_took_over(
    storage: Storage,
) -> None:
    stored = await storage.briefs.publish(example_brief("Bridge"), by=None, at=datetime.now(UTC))
    stalled_clock, live_clock = Monotonic(), Monotonic()
    _, stalled, stalled_sender = await replica_engine(storage, "stalled", stalled_clock)
    [claim] = await stalled.delivery.claim_chats(stored.id, [CHAT])
    # The others take it for dead, release its send, and one of them claims it.
    live, engine, _ = await replica_engine(storage, "live", live_clock)
    later = datetime.now(UTC) + DEAD_AFTER + timedelta(seconds=1)
    await storage.replicas.beat(live.id, at=later)
    assert await storage.deliveries.release_in_flight(alive_since=later - DEAD_AFTER) == 1
    [taken] = await engine.delivery.claim_chats(stored.id, [CHAT])
    # The stalled one wakes: it neither sends nor marks the row the live one now holds.
    stalled_clock.now += LEASE + 1
    _, outcome = await stalled.delivery.send(claim, REPLY)
    assert outcome is Outcome.FAILED
    assert stalled_sender.sent == []
    record = await storage.deliveries.get(stored.id, CHAT)
    assert record is not None
    assert record.status == "sending"
    assert taken.chat_id == CHAT
