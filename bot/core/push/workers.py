"""A bounded pool of workers running the jobs a producer queues."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]
Queue = asyncio.Queue[Job | None]


async def run_pool(
    concurrency: int,
    produce: Callable[[Queue], Awaitable[None]],
    on_error: Callable[[], None] | None = None,
) -> None:
    """Run the producer's jobs on `concurrency` workers; the queue is bounded, so the
    producer reads ahead no further than the workers need. `on_error` hears of a job that
    raised: what it held (a claim it could not record) may be stranded."""
    queue: Queue = asyncio.Queue(maxsize=2 * concurrency)
    workers = [asyncio.create_task(_work(queue, on_error)) for _ in range(concurrency)]
    try:
        await produce(queue)
        for _ in workers:
            await queue.put(None)
        await asyncio.gather(*workers)
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


async def _work(queue: Queue, on_error: Callable[[], None] | None) -> None:
    while True:
        job = await queue.get()
        if job is None:
            return
        try:
            await job()
        except Exception:
            # One chat's bug must not stop the rest; but its claim may be left "sending"
            # (recording the outcome is what failed), so the caller hears of it.
            log.exception("push: a delivery failed unexpectedly")
            if on_error is not None:
                on_error()
