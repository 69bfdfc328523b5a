"""Storage.exclusive: one block at a time, in this process and, on PostgreSQL, in every
replica (a second connection stands for another replica)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg

from storage import Storage
from storage.opening import DatabaseLocation, open_storage
from tests.postgres import migrated_schema, needs_postgres
from tests.waiting import eventually_async

NAME = "replace-copies"


async def overlap(
    first: Storage, second: Storage, asked: Callable[[], Awaitable[bool]]
) -> list[str]:
    """Two blocks holding one name, the second asked for while the first runs."""
    events: list[str] = []
    inside, leave = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with first.exclusive(NAME):
            events.append("first in")
            inside.set()
            await leave.wait()
            events.append("first out")

    async def wait_turn() -> None:
        await inside.wait()
        async with second.exclusive(NAME):
            events.append("second in")

    holder, waiter = asyncio.create_task(hold()), asyncio.create_task(wait_turn())
    async with asyncio.timeout(10):
        await inside.wait()
        # The second is waiting for the lock, not still on its way to ask.
        await eventually_async(asked, "the second block asking for the lock")
        leave.set()
        await asyncio.gather(holder, waiter)
    return events


async def test_one_block_at_a_time_in_one_process(storage: Storage) -> None:
    async def asked() -> bool:
        for _ in range(10):  # no I/O on the way to an in-process lock
            await asyncio.sleep(0)
        return True

    assert await overlap(storage, storage, asked) == ["first in", "first out", "second in"]


@needs_postgres
async def test_one_block_at_a_time_across_replicas() -> None:
    async with migrated_schema() as url:
        location = DatabaseLocation(url=url)
        watcher = await asyncpg.connect(url)

        async def asked() -> bool:
            waiting = await watcher.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            return bool(waiting)

        try:
            async with await open_storage(location) as one, await open_storage(location) as two:
                events = await overlap(one, two, asked)
        finally:
            await watcher.close()
    assert events == ["first in", "first out", "second in"]
