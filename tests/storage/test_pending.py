"""A pending /correct, a paste still arriving, webhook updates taken: shared by every
process on the database (another Storage stands for another replica, or a restart)."""

import asyncio
from collections.abc import Awaitable, Callable

from storage import PastePart, Storage
from tests.storage.conftest import at, make_brief

LIMIT = 100


def part(message_id: int, text: str, *links: tuple[str, str]) -> PastePart:
    return PastePart(message_id, text, tuple(links))


async def add(storage: Storage, chat_id: int, p: PastePart, minutes: float = 0) -> int | None:
    return await storage.pastes.add(
        chat_id, p, at=at(minutes), forget_before=at(minutes - 1), keep_up_to=LIMIT
    )


async def test_a_correction_set_by_one_process_is_taken_once_by_another(
    storage: Storage, reopen: Callable[[], Awaitable[Storage]]
) -> None:
    stored = await storage.briefs.publish(make_brief(), by=1, at=at(0))
    await storage.corrections.set(7, stored.id, at=at(1))
    other = await reopen()
    try:
        taken = await asyncio.gather(
            other.corrections.take(7, since=at(0)), storage.corrections.take(7, since=at(0))
        )
        assert sorted(taken, key=lambda t: t or 0) == [None, stored.id]
        assert await other.corrections.take(7, since=at(0)) is None  # a /correct applies once
    finally:
        await other.close()


async def test_a_later_correct_replaces_the_earlier_and_an_old_one_expires(
    storage: Storage,
) -> None:
    first = await storage.briefs.publish(make_brief("a"), by=1, at=at(0))
    second = await storage.briefs.publish(make_brief("b"), by=1, at=at(0))
    await storage.corrections.set(7, first.id, at=at(1))
    await storage.corrections.set(7, second.id, at=at(2))
    await storage.corrections.set(8, first.id, at=at(1))
    assert await storage.corrections.take(7, since=at(0)) == second.id
    assert await storage.corrections.take(8, since=at(2)) is None  # set before `since`
    await storage.corrections.set(9, first.id, at=at(1))
    await storage.corrections.set(10, first.id, at=at(5))
    assert await storage.corrections.delete_expired(at(3)) == 1
    assert await storage.corrections.take(9, since=at(0)) is None
    assert await storage.corrections.take(10, since=at(0)) == first.id


async def test_paste_parts_from_two_processes_join_in_message_order(
    storage: Storage, reopen: Callable[[], Awaitable[Storage]]
) -> None:
    other = await reopen()
    try:
        later = await add(storage, 5, part(11, "Facts", ("1", "https://b.example")))
        earlier = await add(other, 5, part(10, "Title", ("Title", "https://a.example")))
        await add(storage, 6, part(12, "another chat"))
        assert later is not None
        assert earlier is not None
        assert earlier > later  # numbered by arrival
        assert await storage.pastes.take(5, last=later) == []  # a newer part arrived since
        taken = await asyncio.gather(
            storage.pastes.take(5, last=earlier), other.pastes.take(5, last=earlier)
        )
        assert sorted(taken, key=len) == [
            [],
            [
                part(10, "Title", ("Title", "https://a.example")),
                part(11, "Facts", ("1", "https://b.example")),
            ],
        ]
        six = await add(other, 6, part(13, "more"))
        assert six is not None
        assert await add(storage, 6, part(12, "sent twice by Telegram")) is None
        assert [p.text for p in await storage.pastes.take(6, last=six)] == ["another chat", "more"]
    finally:
        await other.close()


async def test_a_runaway_paste_keeps_no_text_past_the_limit(storage: Storage) -> None:
    last = None
    for n in range(10):
        last = await add(storage, 5, part(n, "x" * 40))
    assert last is not None
    texts = [p.text for p in await storage.pastes.take(5, last=last)]
    assert len(texts) == 10
    assert sum(len(t) + 1 for t in texts) > LIMIT  # still refused as too large
    assert texts[3:] == [""] * 7  # 0..2 kept (41 + 41 + 41 > 100 only after the third)


async def test_parts_of_a_lost_paste_are_forgotten(storage: Storage) -> None:
    await add(storage, 5, part(1, "from a paste whose process stopped"), minutes=0)
    await add(storage, 6, part(2, "another chat, also old"), minutes=0)
    newest = await add(storage, 5, part(3, "a new paste"), minutes=5)
    assert newest is not None
    assert [p.message_id for p in await storage.pastes.take(5, last=newest)] == [3]
    assert await storage.pastes.delete_stale(at(1)) == 1  # chat 6's


async def test_an_update_is_taken_once_across_processes_until_forgotten(
    storage: Storage, reopen: Callable[[], Awaitable[Storage]]
) -> None:
    other = await reopen()
    try:
        firsts = await asyncio.gather(
            storage.updates.first_time(100, at=at(0)), other.updates.first_time(100, at=at(0))
        )
        assert sorted(firsts) == [False, True]
        assert await other.updates.first_time(101, at=at(5))
        assert await storage.updates.forget_before(at(1)) == 1
        assert await other.updates.first_time(100, at=at(6))  # forgotten: new again
        assert not await storage.updates.first_time(101, at=at(6))
    finally:
        await other.close()
