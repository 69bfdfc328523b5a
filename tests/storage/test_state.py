from collections.abc import Awaitable, Callable

from storage import Storage
from tests.storage.conftest import at

Reopen = Callable[[], Awaitable[Storage]]


async def test_a_value_survives_a_restart_with_when_it_was_written(reopen: Reopen) -> None:
    async with await reopen() as storage:
        assert await storage.state.get("heartbeat") is None
        await storage.state.put("heartbeat", "1", at=at(0))
        await storage.state.put("heartbeat", "2", at=at(5))
    async with await reopen() as storage:
        assert await storage.state.get("heartbeat") == ("2", at(5))


async def test_put_if_absent_keeps_the_first_value(reopen: Reopen) -> None:
    first = await reopen()
    second = await reopen()
    try:
        assert await first.state.put_if_absent("secret", "a") == "a"
        # Another process generating its own value adopts the one already kept.
        assert await second.state.put_if_absent("secret", "b") == "a"
        assert await second.state.get("secret") is not None
    finally:
        await first.close()
        await second.close()
