"""Waiting in tests for what the test says it waits for, never for a fixed time."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
POLL_SECONDS = 0.01


async def eventually(
    check: Callable[[], T],
    what: str,
    *,
    within: float = 5.0,
    detail: Callable[[], str] = lambda: "",
) -> T:
    """Check until the result is truthy, and return it; fail naming `what` after `within` s."""
    deadline = time.monotonic() + within
    while not (result := check()):
        if time.monotonic() > deadline:
            extra = detail()
            raise AssertionError(f"timed out after {within}s waiting for {what}\n{extra}".strip())
        await asyncio.sleep(POLL_SECONDS)
    return result


async def eventually_async(
    check: Callable[[], Awaitable[T]], what: str, *, within: float = 5.0
) -> T:
    """`eventually` for a check that must await (a read of the database, say)."""
    deadline = time.monotonic() + within
    while not (result := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(POLL_SECONDS)
    return result


@contextmanager
def without_gc_pauses() -> Iterator[None]:
    """No garbage collection in the block: for a test whose own loop measures timing (the
    fake server stamps requests as its handlers run), where a collection of the many
    objects a large test holds would stall it for a tenth of a second."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class LoopLag:
    """The longest this event loop was late to wake a sleeper, while in the block: how far
    a fake server running on it may have stamped a request after it arrived."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LoopLag:
        self._task = asyncio.create_task(self._watch())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()

    async def _watch(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(POLL_SECONDS)
            self.worst = max(self.worst, time.monotonic() - before - POLL_SECONDS)
