"""A replica sends only under its lease (bot/core/replicas/replica.py), which the database keeps and
judges: the engine and real storage, a recording sender, and the replica's lease set in
the database as the test needs it."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.core.budget.pacing import Pacer
from bot.core.chat import Reply
from bot.core.push.delivery import RETRY_LATER, LeaseLost
from bot.core.push.engine import PushEngine, default_concurrency
from bot.core.push.tally import Outcome
from bot.core.rendering import Renderer
from bot.core.replicas.replica import Replica
from bot.core.replicas.takeover import keep_alive
from storage import Storage
from tests.e2e.push.conftest import example_brief
from tests.e2e.push.parts import Parts
from tests.e2e.push.test_schedule_clock import RecordingSender
from tests.waiting import eventually_async

CHAT = 42
REPLY = Reply(["Bridge · the summary"])


# A heartbeat's lease that ran out a minute ago, or an hour ago (long taken for dead).
RAN_OUT = timedelta(minutes=-1)
LONG_AGO = timedelta(hours=-1)


async def stalls(storage: Storage, replica: Replica, lease: timedelta = RAN_OUT) -> None:
    """The replica froze after a heartbeat whose lease has run out since: the database
    holds that lease, and whatever the replica's own clocks say, the database judges it."""
    await storage.replicas.join(replica.id, lease=lease)


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    async with await Storage.open(tmp_path / "lease.db") as opened:
        yield opened


async def replica_engine(
    storage: Storage, name: str
) -> tuple[Replica, PushEngine, RecordingSender]:
    replica = Replica(storage, replica_id=name)
    await replica.join()
    sender = RecordingSender()
    engine = PushEngine(sender, storage, Renderer(), rate=None, pacer=Pacer(None), lease=replica)
    return replica, engine, sender


async def subscribe_not_due(storage: Storage, chats: list[int]) -> None:
    """Subscribed now, due tomorrow: only a push sends to them."""
    now = datetime.now(UTC)
    for chat_id in chats:
        await storage.subscribers.subscribe(
            chat_id,
            delivery_time=time(8, 0),
            timezone="UTC",
            next_due_at=now + timedelta(days=1),
            at=now,
        )


async def wired(
    storage: Storage, *, rate: float | None = None
) -> tuple[Parts, Replica, PushEngine, RecordingSender]:
    """The push's parts as bot/telegram/push_jobs.py's build_push wires them, for one replica;
    and what it sends."""
    renderer = Renderer()
    replica = Replica(storage, replica_id="only")
    await replica.join()
    sender = RecordingSender()
    engine = PushEngine(
        sender,
        storage,
        renderer,
        rate=rate,
        pacer=Pacer(rate),
        lease=replica,
        on_failure=functools.partial(replica.forfeit, "had a run fail"),
    )
    return Parts(storage, renderer, replica, engine), replica, engine, sender


async def test_a_replica_whose_lease_ran_out_sends_nothing_it_claimed_before(
    storage: Storage,
) -> None:
    stored = await storage.briefs.publish(example_brief("Bridge"), by=None, at=datetime.now(UTC))
    replica, engine, sender = await replica_engine(storage, "stalled")
    [claim] = await engine.delivery.claim_chats(stored.id, [CHAT])
    await stalls(storage, replica)  # no heartbeat for a whole lease
    with pytest.raises(LeaseLost):
        await engine.delivery.send(claim, REPLY)
    assert sender.sent == []
    record = await storage.deliveries.get(stored.id, CHAT)
    assert record is not None
    assert record.status == "failed"  # given back: whoever claims it next sends it
    # It learnt it from the database: it owes a give-back, and claims nothing until then,
    # not even once a heartbeat renewed its lease.
    assert replica.owes_give_back
    await replica.beat()
    with pytest.raises(LeaseLost):
        await engine.delivery.claim_chats(stored.id, [CHAT])
    assert sender.sent == []
    await replica.given_back(replica.generation)  # what the heartbeat does once it gave back
    [again] = await engine.delivery.claim_chats(stored.id, [CHAT])
    _, outcome = await engine.delivery.send(again, REPLY)
    assert outcome is Outcome.SENT
    assert len(sender.sent) == 1


async def test_a_replica_whose_run_failed_sends_nothing_until_it_gave_back(
    storage: Storage,
) -> None:
    stored = await storage.briefs.publish(example_brief("Bridge"), by=None, at=datetime.now(UTC))
    replica, engine, sender = await replica_engine(storage, "failing")
    [claim] = await engine.delivery.claim_chats(stored.id, [CHAT])
    replica.forfeit("had a run fail")  # what the engine reports when a run dies on an error
    with pytest.raises(LeaseLost):
        await engine.delivery.send(claim, REPLY)
    assert sender.sent == []
    await replica.beat()  # a beat alone does not end it: the give-back does
    assert replica.owes_give_back


async def test_a_stalled_replica_leaves_alone_a_send_another_replica_took_over(
    storage: Storage,
) -> None:
    stored = await storage.briefs.publish(example_brief("Bridge"), by=None, at=datetime.now(UTC))
    stalled_replica, stalled, stalled_sender = await replica_engine(storage, "stalled")
    [claim] = await stalled.delivery.claim_chats(stored.id, [CHAT])
    # The others take it for dead, release its send, and one of them claims it.
    live, engine, _ = await replica_engine(storage, "live")
    await stalls(storage, stalled_replica, LONG_AGO)
    assert await live.take_for_dead() == ["stalled"]
    assert await storage.deliveries.release_in_flight() == 1
    [taken] = await engine.delivery.claim_chats(stored.id, [CHAT])
    # The stalled one wakes, its own clocks having stopped with it: it neither sends nor
    # marks the row the live one now holds.
    with pytest.raises(LeaseLost):
        await stalled.delivery.send(claim, REPLY)
    assert stalled_sender.sent == []
    record = await storage.deliveries.get(stored.id, CHAT)
    assert record is not None
    assert record.status == "sending"
    assert taken.chat_id == CHAT


async def test_a_push_that_died_on_a_database_error_is_given_back_and_resumed(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = await storage.briefs.publish(example_brief("Bridge"), by=None, at=datetime.now(UTC))
    chats = list(range(1000, 1700))  # more than a batch: the error strikes midway
    await subscribe_not_due(storage, chats)
    data, replica, engine, sender = await wired(storage)
    batches = storage.subscribers.active_chats
    calls = 0

    async def blip(*, after_chat_id: int | None, limit: int) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ConnectionResetError("the database went away for a moment")
        return await batches(after_chat_id=after_chat_id, limit=limit)

    monkeypatch.setattr(storage.subscribers, "active_chats", blip)
    with pytest.raises(ConnectionResetError):
        await engine.start_push(stored, by=None)
    assert replica.owes_give_back  # its claims and its run would be stranded
    unfinished = await storage.pushes.unfinished()
    assert [run.owner for run in unfinished] == ["only"]

    await keep_alive(data)  # the next heartbeat
    assert not replica.owes_give_back
    assert len(await storage.pushes.unfinished()) == 1  # taken over, running again
    await eventually_async(lambda: _finished(storage), "the resumed push to finish", within=30)
    copies = Counter(chat for chat, _ in sender.sent)
    assert sorted(copies) == chats
    # Only sends whose mark was not yet written when the run died go twice.
    assert sum(copies.values()) - len(chats) <= default_concurrency(None)


async def _finished(storage: Storage) -> bool:
    return not await storage.pushes.unfinished()


async def test_a_chat_whose_brief_a_dead_replica_holds_is_due_again_within_the_minute(
    storage: Storage,
) -> None:
    now = datetime.now(UTC)
    stored = await storage.briefs.publish(example_brief("Bridge"), by=None, at=now)
    await storage.subscribers.subscribe(
        CHAT, delivery_time=time(8, 0), timezone="UTC", next_due_at=now, at=now - timedelta(2)
    )
    # A replica claimed it and died before sending; the living have not released it yet.
    assert await storage.deliveries.claim(stored.id, CHAT, at=now, owner="dead")
    _, engine, sender = await replica_engine(storage, "live")
    await engine.deliver_due()
    assert sender.sent == []
    subscriber = await storage.subscribers.get(CHAT)
    assert subscriber is not None
    assert subscriber.next_due_at <= datetime.now(UTC) + RETRY_LATER  # not tomorrow

    assert await storage.deliveries.release_in_flight() == 1  # "dead" is not registered
    await storage.subscribers.due_by(CHAT, datetime.now(UTC))  # the minute has passed
    await engine.deliver_due()
    assert [chat for chat, _ in sender.sent] == [CHAT]


async def test_a_push_on_a_replica_that_lost_its_lease_stops_and_goes_on_after_the_give_back(
    storage: Storage,
) -> None:
    stored = await storage.briefs.publish(example_brief("Bridge"), by=None, at=datetime.now(UTC))
    chats = list(range(2000, 2600))
    await subscribe_not_due(storage, chats)
    data, replica, engine, sender = await wired(storage)
    await stalls(storage, replica)  # frozen before it began: it may send nothing
    with pytest.raises(LeaseLost):
        await engine.start_push(stored, by=None)
    assert sender.sent == []
    [run] = await storage.pushes.unfinished()  # not closed as if done: still to be sent
    assert run.finished_at is None

    await keep_alive(data)  # gives back, takes the push over, resumes it
    await eventually_async(lambda: _finished(storage), "the resumed push to finish")
    assert sorted(chat for chat, _ in sender.sent) == chats


async def test_a_push_started_during_a_give_back_reaches_each_chat_once(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = await storage.briefs.publish(example_brief("Bridge"), by=None, at=datetime.now(UTC))
    chats = list(range(3000, 3040))
    await subscribe_not_due(storage, chats)
    data, replica, engine, sender = await wired(storage, rate=20.0)
    replica.forfeit("had a run fail")  # some run died: the next beat gives back
    release_held = storage.deliveries.release_held

    async def admin_pushes_meanwhile(owner: str) -> int:
        # An admin's /push arrives while the heartbeat gives back: it claims nothing (the
        # replica owes), and its run stops at once.
        with pytest.raises(LeaseLost):
            await engine.start_push(stored, by=None)
        return await release_held(owner)

    monkeypatch.setattr(storage.deliveries, "release_held", admin_pushes_meanwhile)
    await keep_alive(data)
    assert replica.owes_give_back  # a run died during the give-back: it gives back again
    monkeypatch.setattr(storage.deliveries, "release_held", release_held)
    await keep_alive(data)  # and takes the admin's push over
    assert not replica.owes_give_back
    await eventually_async(lambda: _finished(storage), "the push to finish", within=30)
    assert sorted(chat for chat, _ in sender.sent) == chats  # each once
