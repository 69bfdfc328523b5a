"""Readers first: a speech engine that runs while readers are many is paused until they are
few again.

Neither the idle scheduling class nor one core kept readers' answers within 1.2x of idle
while Piper spoke on 2 cores (bench.audio: 1.5-1.6x): its inference fills the memory and
caches readers' answers need, and only an engine that does nothing leaves them alone. So
while more than AUDIO_YIELD_RATE updates a second are handled (over the last two seconds,
bot/core/limits/load.py), the running engine's process group is stopped (SIGSTOP) and
continued (SIGCONT) once they fall to it again; 0 never pauses. A voice note then waits
for a quieter moment: under readers that never fall below the rate it waits as long as
they last (the operator's choice: a higher rate, or 0).

The time limit of a synthesis counts only the time its engine ran: a pause may last as
long as a busy hour, and a job killed for it would be failed for good, with no voice note
at all. A paused group is always continued when its run ends, whatever ends it (done,
failed, out of time, cancelled by the bot's stop); a group being killed is killed
stopped or not (SIGKILL ends a stopped process as well).

What is kept: whether each run is paused and for how long, in memory, for the run's life.
A bot that stops kills its engines, paused or not (synthesis.py); one killed outright
leaves a paused group with no parent in its session, which the kernel continues with a
SIGHUP that ends it. Either way the job is taken again when its hold runs out
(bot/core/audio/making.py), and a new process starts with no pause. Each replica pauses
its own engine by its own readers' load; a job paused past its hold (JOB_HOLD) may be
taken by another replica, whose readers may be fewer: the first to finish stores it, and
the other's finish finds it done (storage.audio).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

# How often a run looks at the readers' load: a pause starts within this of their rise.
CHECK_EVERY = 0.1
_T = TypeVar("_T")


class Load(Protocol):
    """The updates a second this process is handling (bot/core/limits/load.UpdateRate)."""

    def per_second(self) -> float: ...


class Quiet:
    """No load at all: for a synthesizer with no readers to give way to (a benchmark's)."""

    def per_second(self) -> float:
        return 0.0


class ReadersFirst:
    """Gives way to readers above `rate` updates a second (0: never)."""

    def __init__(
        self,
        load: Load,
        rate: float,
        *,
        every: float = CHECK_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self._load = load
        self._every = every
        self._clock = clock

    def busy(self) -> bool:
        """Whether readers are many enough that an engine must wait."""
        return self.rate > 0 and self._load.per_second() > self.rate

    def run(self, group: int, processes: Sequence[asyncio.subprocess.Process]) -> EngineRun:
        """The engine's run, `group` being its process group and `processes` the children
        in it (so that a group whose processes are all reaped is never signalled: its
        number may be another's by then)."""
        return EngineRun(self, group, processes, every=self._every, clock=self._clock)


class EngineRun:
    """One run of an engine, paused while readers are many; `within` waits for it."""

    def __init__(
        self,
        readers: ReadersFirst,
        group: int,
        processes: Sequence[asyncio.subprocess.Process],
        *,
        every: float,
        clock: Callable[[], float],
    ) -> None:
        self._readers = readers
        self._group = group
        self._processes = processes
        self._every = every
        self._clock = clock
        self._started = clock()
        self._paused_at: float | None = None
        self._paused_before = 0.0  # seconds paused before the current pause

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def paused_seconds(self) -> float:
        current = 0.0 if self._paused_at is None else self._clock() - self._paused_at
        return self._paused_before + current

    def ran_seconds(self) -> float:
        return self._clock() - self._started - self.paused_seconds()

    async def within(self, limit: float, work: Awaitable[_T]) -> _T:
        """`work`'s result, the engine paused and continued as readers come and go;
        TimeoutError once it has run `limit` seconds, paused time not counted. The group
        is running again when this returns or raises, if any of it still lives."""
        task = asyncio.ensure_future(work)
        try:
            while not task.done():
                self.follow_readers()
                left = limit - self.ran_seconds()
                if left <= 0:
                    raise TimeoutError
                # Paused, `left` stays as it is: the run wakes each `every` to see whether
                # readers left.
                await asyncio.wait({task}, timeout=min(left, self._every))
            return task.result()
        finally:
            self.resume()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def follow_readers(self) -> None:
        """Paused if readers are many, running if not."""
        if self._readers.busy():
            self.pause()
        else:
            self.resume()

    def pause(self) -> None:
        if self._paused_at is None and self._signal(signal.SIGSTOP):
            self._paused_at = self._clock()

    def resume(self) -> None:
        if self._paused_at is None:
            return
        self._signal(signal.SIGCONT)
        self._paused_before += self._clock() - self._paused_at
        self._paused_at = None

    def _signal(self, sent: signal.Signals) -> bool:
        """Whether the group was signalled: not once every process in it is reaped."""
        if all(process.returncode is not None for process in self._processes):
            return False
        try:
            os.killpg(self._group, sent)
        except ProcessLookupError:  # exited, not yet reaped
            return False
        return True
