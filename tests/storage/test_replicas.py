"""Replicas: heartbeats, and what a stopped replica held (sends, pushes, due chats) going
to the living; on PostgreSQL also the sending budget all replicas share."""

import asyncio
from collections.abc import AsyncIterator
from datetime import time

import asyncpg
import pytest

from storage import Storage
from storage.interface import SendBudgetStore
from storage.postgres import PgStorage
from tests.postgres import migrated_schema, needs_postgres
from tests.storage.conftest import at, make_brief
from tests.storage.test_leases import GRACE, LIVE, LONG_AGO, RAN_OUT, register

INTERRUPTED = "interrupted while sending"
# Seconds a test may take between two statements: bounds, never waits.
SLACK = 5.0
# Float rounding of epoch seconds (about 2e-7 now) in the budget's arithmetic.
EPSILON = 1e-3


async def _subscribe(storage: Storage, chat_id: int, due_minutes: float) -> None:
    await storage.subscribers.subscribe(
        chat_id, delivery_time=time(9), timezone="UTC", next_due_at=at(due_minutes), at=at(0)
    )


async def test_claim_due_takes_due_chats_once_until_hold_until(storage: Storage) -> None:
    for chat_id, minute in ((1, 3), (3, 2), (4, 2), (5, 1), (6, 45), (7, 0), (8, 0)):
        await _subscribe(storage, chat_id, minute)
    await storage.subscribers.unsubscribe(7)
    await storage.subscribers.set_blocked(8, True, at=at(0))
    before = await storage.subscribers.due(at(10), limit=10)
    assert [s.chat_id for s in before] == [5, 3, 4, 1]

    first = await storage.subscribers.claim_due(at(10), limit=3, hold_until=at(30))
    assert first == before[:3]  # in due() order, with the next_due_at they had
    held = await storage.subscribers.get(5)
    assert held is not None
    assert held.next_due_at == at(30)

    rest = await storage.subscribers.claim_due(at(10), limit=10, hold_until=at(30))
    assert rest == before[3:]
    assert await storage.subscribers.claim_due(at(10), limit=10, hold_until=at(30)) == []
    assert await storage.subscribers.due(at(10), limit=10) == []

    # A run that died leaves its chats held: due again at hold_until, not before.
    assert await storage.subscribers.claim_due(at(29), limit=10, hold_until=at(60)) == []
    again = await storage.subscribers.claim_due(at(30), limit=10, hold_until=at(60))
    assert [(s.chat_id, s.next_due_at) for s in again] == [
        (1, at(30)),
        (3, at(30)),
        (4, at(30)),
        (5, at(30)),
    ]


async def _delivery(storage: Storage, brief_id: int, chat_id: int) -> tuple[str, str | None]:
    row = await storage.deliveries.get(brief_id, chat_id)
    assert row is not None
    return row.status, row.last_error


async def test_release_in_flight_spares_the_sends_of_live_replicas(storage: Storage) -> None:
    b = (await storage.briefs.publish(make_brief(), by=None, at=at(0))).id
    await register(storage, live=LIVE, dead=LONG_AGO, late=RAN_OUT)
    assert await storage.deliveries.claim(b, 1, at=at(6), owner="live") is True
    assert await storage.deliveries.claim_many(b, [2, 3], at=at(6), owner="dead") == [2, 3]
    assert await storage.deliveries.claim(b, 4, at=at(6)) is True  # no owner
    assert await storage.deliveries.claim(b, 5, at=at(6), owner="never beat") is True
    assert await storage.deliveries.claim(b, 6, at=at(6), owner="late") is True

    assert await storage.replicas.take_for_dead(grace=GRACE) == ["dead"]
    assert await storage.deliveries.release_in_flight() == 4
    for chat_id in (1, 6):  # a lease that ran out is not death: "late" may still beat
        assert await _delivery(storage, b, chat_id) == ("sending", None)
    for chat_id in (2, 3, 4, 5):
        assert await _delivery(storage, b, chat_id) == ("failed", INTERRUPTED)


async def test_a_reclaimed_send_belongs_to_its_new_owner(storage: Storage) -> None:
    b = (await storage.briefs.publish(make_brief(), by=None, at=at(0))).id
    await register(storage, live=LIVE)
    await storage.deliveries.claim(b, 1, at=at(1), owner="dead")
    await storage.deliveries.release_in_flight()

    assert await storage.deliveries.claim_many(b, [1], at=at(6), owner="live") == [1]
    assert await storage.deliveries.release_in_flight() == 0
    again = await storage.deliveries.get(b, 1)
    assert again is not None
    assert (again.status, again.attempts, again.updated_at) == ("sending", 2, at(6))
    assert await storage.deliveries.still_held("dead", [(b, 1)]) is None
    assert await storage.deliveries.still_held("live", [(b, 1)]) == [(b, 1)]

    # Leaving gives up at once what the replica still holds.
    await storage.replicas.leave("live")
    assert await storage.deliveries.release_in_flight() == 1


async def test_a_replica_fails_and_gives_back_only_the_sends_it_still_holds(
    storage: Storage,
) -> None:
    b = (await storage.briefs.publish(make_brief(), by=None, at=at(0))).id
    await register(storage, other=LIVE)
    await storage.deliveries.claim_many(b, [1, 2, 3], at=at(1), owner="stalled")
    await storage.deliveries.claim(b, 4, at=at(1), owner="other")
    await storage.deliveries.release_in_flight()  # "stalled" taken for dead
    await storage.deliveries.claim(b, 1, at=at(6), owner="other")  # and its send taken over

    # Failing a send it no longer holds leaves the new owner's claim alone.
    await storage.deliveries.mark_failed(b, 1, "lost its lease", at=at(7), owner="stalled")
    assert await _delivery(storage, b, 1) == ("sending", INTERRUPTED)
    await storage.deliveries.mark_failed(b, 4, "Timed out", at=at(7), owner="other")
    assert await _delivery(storage, b, 4) == ("failed", "Timed out")

    await storage.deliveries.claim(b, 2, at=at(8), owner="stalled")
    assert await storage.deliveries.release_held("stalled") == 1
    assert await _delivery(storage, b, 2) == ("failed", INTERRUPTED)
    assert await _delivery(storage, b, 1) == ("sending", INTERRUPTED)  # "other"'s, kept


async def test_release_makes_a_replicas_unfinished_runs_nobodys(storage: Storage) -> None:
    mine = await storage.pushes.begin(brief_id=None, by=None, total=1, at=at(1), owner="me")
    done = await storage.pushes.begin(brief_id=None, by=None, total=1, at=at(2), owner="me")
    await storage.pushes.finish(done.id, sent=1, failed=0, skipped=0, at=at(3))
    theirs = await storage.pushes.begin(brief_id=None, by=None, total=1, at=at(4), owner="you")
    assert await storage.pushes.release("me") == 1
    await register(storage, you=LIVE, me=LIVE)
    taken = await storage.pushes.take_over("me")
    assert [r.id for r in taken] == [mine.id]  # nobody's: any live replica may take it
    assert theirs.id not in {r.id for r in taken}


async def test_a_run_taken_over_is_not_finished_by_its_former_owner(storage: Storage) -> None:
    run = await storage.pushes.begin(brief_id=None, by=None, total=2, at=at(1), owner="old")
    await register(storage, new=LIVE)
    [taken] = await storage.pushes.take_over("new")
    late = await storage.pushes.finish(run.id, sent=1, failed=0, skipped=0, at=at(11), owner="old")
    assert late is None
    assert [r.id for r in await storage.pushes.unfinished()] == [run.id]
    done = await storage.pushes.finish(run.id, sent=2, failed=0, skipped=0, at=at(12), owner="new")
    assert done is not None
    assert (done.sent, done.finished_at, taken.owner) == (2, at(12), "new")
    with pytest.raises(LookupError):
        await storage.pushes.finish(999, sent=0, failed=0, skipped=0, at=at(13), owner="new")


async def test_begin_stores_the_owner_and_the_progress_message(storage: Storage) -> None:
    run = await storage.pushes.begin(
        brief_id=None, by=5, total=3, at=at(1), owner="r1", progress=(-100200, 42)
    )
    assert (run.owner, run.progress) == ("r1", (-100200, 42))
    assert await storage.pushes.last() == run
    plain = await storage.pushes.begin(brief_id=None, by=None, total=1, at=at(2))
    assert (plain.owner, plain.progress) == (None, None)
    assert await storage.pushes.unfinished() == [run, plain]


async def test_take_over_hands_over_the_runs_of_dead_replicas(storage: Storage) -> None:
    await register(storage, dead=LONG_AGO, live=LIVE, new=LIVE, other=LIVE)
    assert await storage.replicas.take_for_dead(grace=GRACE) == ["dead"]
    orphan = await storage.pushes.begin(brief_id=None, by=None, total=1, at=at(1))
    dead = await storage.pushes.begin(
        brief_id=None, by=5, total=2, at=at(2), owner="dead", progress=(5, 77)
    )
    live = await storage.pushes.begin(brief_id=None, by=None, total=3, at=at(3), owner="live")
    done = await storage.pushes.begin(brief_id=None, by=None, total=4, at=at(4), owner="dead")
    await storage.pushes.finish(done.id, sent=4, failed=0, skipped=0, at=at(5))

    taken = await storage.pushes.take_over("new")
    assert [(r.id, r.owner, r.progress) for r in taken] == [
        (orphan.id, "new", None),
        (dead.id, "new", (5, 77)),
    ]
    assert await storage.pushes.take_over("other") == []
    owners = {r.id: r.owner for r in await storage.pushes.unfinished()}
    assert owners == {orphan.id: "new", dead.id: "new", live.id: "live"}

    # Once "live" is taken for dead its run is handed over too, and only then.
    for replica in ("live", "new"):
        await storage.replicas.join(replica, lease=LONG_AGO)
    assert await storage.pushes.take_over("other") == []
    assert await storage.replicas.take_for_dead(grace=GRACE) == ["live", "new"]
    taken = await storage.pushes.take_over("other")
    assert {r.id for r in taken} == {orphan.id, dead.id, live.id}


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with migrated_schema() as url:
        yield url


@needs_postgres
async def test_claim_due_leaves_the_chats_another_replica_is_claiming(pg_url: str) -> None:
    async with await PgStorage.connect(pg_url) as pg:
        for chat_id in range(1, 7):
            await _subscribe(pg, chat_id, chat_id)
        other = await asyncpg.connect(pg_url)
        try:
            async with other.transaction():  # another replica, mid-claim of chats 1 and 2
                await other.execute("SELECT 1 FROM subscribers WHERE chat_id <= 2 FOR UPDATE")
                # A guard, not a measure: waiting for the lock would hang here.
                claim = pg.subscribers.claim_due(at(10), limit=3, hold_until=at(30))
                mine = await asyncio.wait_for(claim, 30)
        finally:
            await other.close()
        assert [s.chat_id for s in mine] == [3, 4, 5]
        rest = await pg.subscribers.claim_due(at(10), limit=10, hold_until=at(30))
        assert [s.chat_id for s in rest] == [1, 2, 6]


@pytest.fixture
async def budget(pg_url: str) -> AsyncIterator[SendBudgetStore]:
    async with await PgStorage.connect(pg_url) as pg:
        assert pg.send_budget is not None  # PostgreSQL shares the budget
        yield pg.send_budget


@needs_postgres
async def test_slots_are_consecutive_and_never_overlap(budget: SendBudgetStore) -> None:
    first, now = await budget.slots(3, 0.5)
    assert now - EPSILON <= first <= now + EPSILON  # an idle budget's first slot is now
    second, _ = await budget.slots(2, 0.5)
    assert second >= first + 3 * 0.5 - EPSILON
    third, now = await budget.slots(1, 0.5)
    assert third >= second + 2 * 0.5 - EPSILON
    assert third <= max(first + 2.5, now) + EPSILON  # no gap left between reservations


@needs_postgres
async def test_a_pause_holds_every_slot_back(budget: SendBudgetStore) -> None:
    _, before = await budget.slots(1, 0.0)
    await budget.pause(60)
    first, now = await budget.slots(1, 0.0)
    assert before + 60 - EPSILON <= first <= now + 60 + EPSILON

    await budget.pause(1)  # a shorter pause does not bring the next slot forward
    later, _ = await budget.slots(1, 0.0)
    assert later >= first - EPSILON


@needs_postgres
async def test_chat_turns_are_an_interval_apart_and_per_chat(budget: SendBudgetStore) -> None:
    assert abs(await budget.chat_turn(1, 60)) <= EPSILON
    assert 60 - SLACK <= await budget.chat_turn(1, 60) <= 60 + EPSILON
    assert 120 - SLACK <= await budget.chat_turn(1, 60) <= 120 + EPSILON
    assert abs(await budget.chat_turn(2, 60)) <= EPSILON  # another chat waits for none


@needs_postgres
async def test_forget_turns_drops_only_the_chats_whose_turn_has_come(
    budget: SendBudgetStore,
) -> None:
    await budget.chat_turn(1, 0.0)  # whole again at once
    await budget.chat_turn(2, 60)
    assert await budget.forget_turns() == 1
    assert await budget.forget_turns() == 0
    assert 60 - SLACK <= await budget.chat_turn(2, 60) <= 60 + EPSILON  # still remembered
