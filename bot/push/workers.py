"""A bounded pool of workers running the jobs a producer queues."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]
Queue = asyncio.Queue[Job | None]


async def run_pool(concurrency: int, produce: Callable[[Queue], Awaitable[None]]) -> None:
    """Run the producer's jobs on `concurrency` workers; the queue is bounded, so the
    producer reads ahead no further than the workers need."""
    queue: Queue = asyncio.Queue(maxsize=2 * concurrency)
    workers = [asyncio.create_task(_work(queue)) for _ in range(concurrency)]
    try:
        await produce(queue)
        for _ in workers:
            await queue.put(None)
        await asyncio.gather(*workers)
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


async def _work(queue: Queue) -> None:
    while True:
        job = await queue.get()
        if job is None:
            return
        try:
            await job()
        except Exception:
            # The failed delivery is already recorded; one chat's bug must not stop the rest.
            log.exception("push: a delivery failed unexpectedly")
