import sqlite3
from datetime import time
from pathlib import Path

import pytest

from storage import Storage, Subscriber, SubscriberCounts
from storage.db import to_db
from storage.subscribers import due_query
from tests.storage.conftest import T0, at, make_brief

NINE = time(9, 0)


async def subscribe(storage: Storage, chat_id: int, due_minutes: float) -> Subscriber:
    return await storage.subscribers.subscribe(
        chat_id, delivery_time=NINE, timezone="Europe/Moscow", next_due_at=at(due_minutes), at=at(0)
    )


async def test_subscribe_then_get(storage: Storage) -> None:
    sub = await storage.subscribers.subscribe(
        -100123, delivery_time=time(7, 30), timezone="Asia/Kolkata", next_due_at=at(60), at=at(0)
    )
    assert sub == Subscriber(
        chat_id=-100123,
        delivery_time=time(7, 30),
        timezone="Asia/Kolkata",
        active=True,
        blocked=False,
        subscribed_at=at(0),
        next_due_at=at(60),
        last_delivered_at=None,
    )
    assert await storage.subscribers.get(-100123) == sub
    assert await storage.subscribers.get(1) is None


async def test_delivery_time_with_seconds_is_refused(storage: Storage) -> None:
    with pytest.raises(ValueError, match="minute"):
        await storage.subscribers.subscribe(
            1, delivery_time=time(9, 0, 30), timezone="UTC", next_due_at=at(0), at=at(0)
        )


async def test_resubscribing_keeps_last_delivered_and_changes_the_time(storage: Storage) -> None:
    await subscribe(storage, 1, 10)
    await storage.subscribers.reschedule(1, next_due_at=at(100), delivered_at=at(10))
    assert await storage.subscribers.unsubscribe(1) is True
    assert await storage.subscribers.unsubscribe(1) is False
    off = await storage.subscribers.get(1)
    assert off is not None
    assert not off.active

    again = await storage.subscribers.subscribe(
        1, delivery_time=time(18, 5), timezone="UTC", next_due_at=at(200), at=at(150)
    )

    assert again.active
    assert again.delivery_time == time(18, 5)
    assert again.timezone == "UTC"
    assert again.next_due_at == at(200)
    assert again.last_delivered_at == at(10)
    assert again.subscribed_at == at(150)


async def test_changing_the_time_of_a_live_subscription_keeps_subscribed_at(
    storage: Storage,
) -> None:
    await subscribe(storage, 1, 10)
    changed = await storage.subscribers.subscribe(
        1, delivery_time=time(6, 0), timezone="UTC", next_due_at=at(20), at=at(5)
    )
    assert changed.subscribed_at == at(0)
    assert changed.delivery_time == time(6, 0)


async def test_blocked_chats_are_not_due_until_they_subscribe_again(storage: Storage) -> None:
    await subscribe(storage, 1, 0)
    await storage.subscribers.set_blocked(1, True, at=at(1))
    blocked = await storage.subscribers.get(1)
    assert blocked is not None
    assert blocked.blocked
    assert await storage.subscribers.due(at(10), limit=10) == []
    assert await storage.subscribers.active_chats(after_chat_id=None, limit=10) == []

    await storage.subscribers.set_blocked(1, False, at=at(2))
    assert [s.chat_id for s in await storage.subscribers.due(at(10), limit=10)] == [1]
    await storage.subscribers.set_blocked(1, True, at=at(3))
    await subscribe(storage, 1, 0)
    assert [s.chat_id for s in await storage.subscribers.due(at(10), limit=10)] == [1]


async def test_due_is_ordered_by_time_then_chat_and_pages(storage: Storage) -> None:
    for chat_id, minutes in [(5, 3), (2, 3), (9, 1), (4, 7), (1, 50)]:
        await subscribe(storage, chat_id, minutes)
    await subscribe(storage, 3, 2)
    await storage.subscribers.unsubscribe(3)

    due = await storage.subscribers.due(at(10), limit=10)

    assert [(s.chat_id, s.next_due_at) for s in due] == [
        (9, at(1)),
        (2, at(3)),
        (5, at(3)),
        (4, at(7)),
    ]
    assert [s.chat_id for s in await storage.subscribers.due(at(10), limit=2)] == [9, 2]
    assert [s.chat_id for s in await storage.subscribers.due(at(3), limit=10)] == [9, 2, 5]
    assert [
        s.chat_id for s in await storage.subscribers.due(at(10), limit=10, after_chat_id=4)
    ] == [
        9,
        5,
    ]
    keyset = await storage.subscribers.due(at(10), limit=10, after_chat_id=2, after_due_at=at(3))
    assert [s.chat_id for s in keyset] == [5, 4]


async def test_reschedule_moves_the_chat_out_of_due(storage: Storage) -> None:
    await subscribe(storage, 1, 0)
    await storage.subscribers.reschedule(1, next_due_at=at(1440), delivered_at=None)
    assert await storage.subscribers.due(at(10), limit=10) == []
    sub = await storage.subscribers.get(1)
    assert sub is not None
    assert sub.last_delivered_at is None
    await storage.subscribers.reschedule(1, next_due_at=at(2880), delivered_at=at(1440))
    sub = await storage.subscribers.get(1)
    assert sub is not None
    assert (sub.next_due_at, sub.last_delivered_at) == (at(2880), at(1440))


async def test_active_chats_page_by_chat_id(storage: Storage) -> None:
    for chat_id in (-1003, -5, 8, 2, 40):
        await subscribe(storage, chat_id, 0)
    await storage.subscribers.unsubscribe(2)

    assert await storage.subscribers.active_chats(after_chat_id=None, limit=2) == [-1003, -5]
    assert await storage.subscribers.active_chats(after_chat_id=-5, limit=10) == [8, 40]


async def test_counts(storage: Storage) -> None:
    assert await storage.subscribers.counts() == SubscriberCounts(active=0, blocked=0, inactive=0)
    for chat_id in range(1, 7):
        await subscribe(storage, chat_id, 0)
    await storage.subscribers.unsubscribe(1)
    await storage.subscribers.unsubscribe(2)
    await storage.subscribers.set_blocked(2, True, at=at(1))
    await storage.subscribers.set_blocked(3, True, at=at(1))
    assert await storage.subscribers.counts() == SubscriberCounts(active=3, blocked=2, inactive=1)


async def test_migrate_moves_subscription_and_deliveries(storage: Storage) -> None:
    b1 = await storage.briefs.publish(make_brief("1"), by=None, at=at(0))
    b2 = await storage.briefs.publish(make_brief("2"), by=None, at=at(1))
    await subscribe(storage, -42, 5)
    await storage.subscribers.reschedule(-42, next_due_at=at(5), delivered_at=at(2))
    await storage.deliveries.claim(b1.id, -42, at=at(2))
    await storage.deliveries.mark_sent(b1.id, -42, [7, 8], at=at(2))
    await storage.deliveries.claim(b2.id, -42, at=at(2))
    await storage.deliveries.mark_failed(b2.id, -42, "group migrated", at=at(2))

    await storage.subscribers.migrate(-42, -100042)

    assert await storage.subscribers.get(-42) is None
    moved = await storage.subscribers.get(-100042)
    assert moved is not None
    assert (moved.next_due_at, moved.last_delivered_at) == (at(5), at(2))
    assert await storage.deliveries.get(b1.id, -42) is None
    sent = await storage.deliveries.get(b1.id, -100042)
    assert sent is not None
    assert (sent.status, sent.message_ids) == ("sent", (7, 8))
    assert await storage.deliveries.undelivered(-100042, [b1.id, b2.id]) == [b2.id]
    assert await storage.deliveries.claim(b1.id, -100042, at=at(3)) is False
    assert await storage.deliveries.claim(b2.id, -100042, at=at(3)) is True


async def test_migrate_onto_an_existing_chat_keeps_its_subscription_and_sent_rows(
    storage: Storage,
) -> None:
    b = await storage.briefs.publish(make_brief(), by=None, at=at(0))
    await subscribe(storage, -1, 5)
    await storage.subscribers.subscribe(
        -1001, delivery_time=time(20, 0), timezone="UTC", next_due_at=at(9), at=at(1)
    )
    await storage.deliveries.mark_failed(b.id, -1, "x", at=at(1))
    await storage.deliveries.mark_sent(b.id, -1001, [5], at=at(1))

    await storage.subscribers.migrate(-1, -1001)

    assert await storage.subscribers.get(-1) is None
    kept = await storage.subscribers.get(-1001)
    assert kept is not None
    assert kept.delivery_time == time(20, 0)
    assert await storage.deliveries.get(b.id, -1) is None
    d = await storage.deliveries.get(b.id, -1001)
    assert d is not None
    assert d.status == "sent"


def _plan(db_path: Path, sql: str, params: tuple[int, ...]) -> str:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    conn.close()
    return " | ".join(str(r[3]) for r in rows)


@pytest.mark.parametrize(
    ("after_chat_id", "after_due"), [(None, None), (5, None), (5, 3.0)], ids=str
)
async def test_due_searches_the_partial_index_without_sorting(
    storage: Storage, db_path: Path, after_chat_id: int | None, after_due: float | None
) -> None:
    sql, params = due_query(
        at(10),
        limit=100,
        after_chat_id=after_chat_id,
        after_due_at=None if after_due is None else at(after_due),
    )
    plan = _plan(db_path, sql, params)
    assert "USING INDEX subscribers_due (next_due_at" in plan
    assert "SCAN" not in plan
    assert "TEMP B-TREE" not in plan


def _fill(db_path: Path, rows: int) -> None:
    """Many subscribers, most not due, some unsubscribed or blocked, in one fast statement."""
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            """WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
               INSERT INTO subscribers (chat_id, delivery_time, timezone, active, blocked,
                                        subscribed_at, next_due_at, last_delivered_at, updated_at)
               SELECT i, '09:00', 'UTC', i % 10 != 0, i % 17 = 0, ?, ? + (i % 1440) * 60000000,
                      NULL, ?
                 FROM n""",
            (rows, to_db(T0), to_db(T0), to_db(T0)),
        )
    conn.close()


async def test_due_reads_the_earliest_due_in_order_among_many(
    storage: Storage, db_path: Path
) -> None:
    # How fast this stays with a million subscribers is measured by `bench.push due`; that
    # it takes the index, never a scan, is checked from its query plan above.
    _fill(db_path, 20_000)
    assert (await storage.subscribers.counts()).active > 16_000

    due = await storage.subscribers.due(at(30), limit=100)

    assert len(due) == 100
    assert all(s.active and not s.blocked and s.next_due_at <= at(30) for s in due)
    assert [(s.next_due_at, s.chat_id) for s in due] == sorted(
        (s.next_due_at, s.chat_id) for s in due
    )


async def test_due_by_brings_the_next_delivery_forward_never_back(storage: Storage) -> None:
    await subscribe(storage, 1, 60)
    await subscribe(storage, 2, 1)

    await storage.subscribers.due_by(1, at(5))
    await storage.subscribers.due_by(2, at(5))

    first, second = await storage.subscribers.get(1), await storage.subscribers.get(2)
    assert first is not None
    assert second is not None
    assert (first.next_due_at, second.next_due_at) == (at(5), at(1))


async def test_a_zone_is_moved_only_from_the_zone_named(storage: Storage) -> None:
    await subscribe(storage, 1, 10)
    await subscribe(storage, 2, 10)
    await storage.subscribers.move_zone(1, "Europe/Moscow", "UTC", at=at(5))
    # A chat that chose another zone meanwhile keeps it.
    await storage.subscribers.move_zone(2, "Mars/Olympus_Mons", "UTC", at=at(5))
    moved, kept = await storage.subscribers.get(1), await storage.subscribers.get(2)
    assert moved is not None
    assert kept is not None
    assert (moved.timezone, kept.timezone) == ("UTC", "Europe/Moscow")
    assert moved.next_due_at == at(10)
