"""Readers first: the rate of updates handled, the decision to pause a speech engine above
AUDIO_YIELD_RATE, and real child processes stopped (SIGSTOP) and continued (SIGCONT) as
readers come and go; a run paused longer than its time limit is not failed for it, and a
run ended while paused leaves nothing stopped or running."""

from __future__ import annotations

import asyncio
import shutil
import sys
import wave
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from bot.core.audio.synthesis import Synthesizer
from bot.core.audio.voices import Voice, Voices
from bot.core.audio.yielding import EngineRun, ReadersFirst
from bot.core.limits.load import UpdateRate
from bot.core.metrics import Metrics
from bot.core.scope import UpdateOutcome
from tests.waiting import eventually

OPUSENC = shutil.which("opusenc")
needs_opusenc = pytest.mark.skipif(
    OPUSENC is None, reason="opusenc is not on PATH: apt-get install opus-tools (.ci/run does)"
)


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Readers:
    """A load the test sets, counting how often it is read: each read is a run looking."""

    def __init__(self, per_second: float = 0.0) -> None:
        self.rate = per_second
        self.reads = 0

    def per_second(self) -> float:
        self.reads += 1
        return self.rate


def test_the_rate_is_the_last_two_seconds_updates_a_second() -> None:
    clock = Clock()
    rate = UpdateRate(clock=clock)
    assert rate.per_second() == 0
    for _ in range(12):  # twelve in 1.2 s
        rate.arrived()
        clock.now += 0.1
    assert rate.per_second() == 6.0
    clock.now += 1.0  # the first ones are more than two seconds old now
    assert rate.per_second() < 6.0
    clock.now += 2.0
    assert rate.per_second() == 0


def test_every_update_handled_is_counted_but_not_those_the_flood_gate_dropped() -> None:
    metrics = Metrics()
    for _ in range(6):
        metrics.update_handled("message", UpdateOutcome.HANDLED, 0.01)
    metrics.update_handled("callback_query", UpdateOutcome.FAILED, 0.01)
    for _ in range(100):
        metrics.update_handled("message", UpdateOutcome.DROPPED, 0.0)
        metrics.update_dropped_unread("message")
    assert metrics.updates.per_second() == 7 / 2  # over two seconds


@pytest.mark.parametrize(
    ("rate", "load", "busy"),
    [(5, 0, False), (5, 5, False), (5, 5.5, True), (5, 400, True), (0, 400, False)],
)
def test_an_engine_waits_only_while_updates_come_faster_than_the_rate(
    rate: float, load: float, busy: bool
) -> None:
    assert ReadersFirst(Readers(load), rate).busy() is busy


def state(pid: int) -> str:
    """The process's state letter: T when stopped, Z or nothing once ended."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


async def child(*command: str) -> asyncio.subprocess.Process:
    """A child process leading a group of its own, as a speech engine's encoder does."""
    return await asyncio.create_subprocess_exec(*command, process_group=0)


async def test_a_child_is_stopped_while_readers_are_many_and_continued_when_they_are_few() -> None:
    readers = Readers()
    process = await child(sys.executable, "-c", "while True: pass")  # busy, never blocked
    try:
        run = ReadersFirst(readers, 5).run(process.pid, [process])
        run.follow_readers()
        assert state(process.pid) != "T"
        assert not run.paused
        readers.rate = 50
        run.follow_readers()
        assert run.paused
        await eventually(lambda: state(process.pid) == "T", "the child stopped")
        readers.rate = 1
        run.follow_readers()
        assert not run.paused
        await eventually(lambda: state(process.pid) == "R", "the child running again")
    finally:
        process.kill()
        await process.wait()


async def test_a_run_ended_while_paused_leaves_its_child_running_again() -> None:
    readers = Readers(50)
    process = await child("sleep", "60")
    run = ReadersFirst(readers, 5).run(process.pid, [process])
    waiting = asyncio.create_task(run.within(600, process.wait()))
    try:
        await eventually(lambda: state(process.pid) == "T", "the child stopped")
        waiting.cancel()  # as the bot's stop cancels the making loop
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert not run.paused
        await eventually(lambda: state(process.pid) == "S", "the child continued (asleep)")
    finally:
        process.kill()
        await process.wait()


async def test_a_reaped_group_is_never_signalled() -> None:
    process = await child("true")
    await process.wait()
    run = ReadersFirst(Readers(50), 5).run(process.pid, [process])
    run.follow_readers()
    assert not run.paused  # its number may be another group's by now


async def ran_past(run_of: Callable[[], EngineRun | None], readers: Readers, clock: Clock) -> None:
    """The clock moved past any time limit while the run is paused, then two more looks by
    the run: the limit was weighed at least once with the clock moved on."""
    await eventually(lambda: (run := run_of()) is not None and run.paused, "the run paused")
    clock.now += 10_000
    seen = readers.reads
    await eventually(lambda: readers.reads >= seen + 2, "the run to look again")


async def test_time_paused_is_not_counted_against_the_limit() -> None:
    clock, readers = Clock(), Readers(50)
    process = await child("sleep", "60")
    run = ReadersFirst(readers, 5, every=0.01, clock=clock).run(process.pid, [process])
    waiting = asyncio.create_task(run.within(1.0, process.wait()))
    try:
        await ran_past(lambda: run, readers, clock)
        assert not waiting.done()
        assert run.paused_seconds() == 10_000
        assert run.ran_seconds() == 0
        readers.rate = 0
        await eventually(lambda: not run.paused, "the run continued")
        clock.now += 1.0  # and now it has run its whole limit
        with pytest.raises(TimeoutError):
            await waiting
    finally:
        process.kill()
        await process.wait()


def engine(tmp_path: Path, body: str) -> Voice:
    """An engine that is a shell script (stdin: the text), speaking WAV like espeak-ng."""
    script = tmp_path / "engine.sh"
    script.write_text(body, encoding="utf-8")
    return Voice("xx", "fake", ("sh", str(script)))


def half_a_second(tmp_path: Path) -> Path:
    sound = tmp_path / "sound.wav"
    with wave.open(str(sound), "wb") as writing:
        writing.setnchannels(1)
        writing.setsampwidth(2)
        writing.setframerate(16000)
        writing.writeframes(bytes(16000))
    return sound


class Recorded(ReadersFirst):
    """ReadersFirst keeping the last run it made, for the test to watch."""

    last: EngineRun | None = None

    def run(self, group: int, processes: Sequence[asyncio.subprocess.Process]) -> EngineRun:
        self.last = super().run(group, processes)
        return self.last


@needs_opusenc
async def test_a_voice_note_paused_past_its_time_limit_is_made_all_the_same(
    tmp_path: Path,
) -> None:
    clock, readers = Clock(), Readers(50)
    sound = half_a_second(tmp_path)
    voice = engine(tmp_path, f"cat > /dev/null\ncat {sound}\n")
    yielding = Recorded(readers, 5, every=0.01, clock=clock)
    speaking = Synthesizer(
        Voices({"xx": voice}, Path(OPUSENC or "")), time_limit=1.0, readers=yielding
    )
    task = asyncio.create_task(speaking.synthesize(["words"], "xx"))
    await ran_past(lambda: yielding.last, readers, clock)
    assert not task.done()
    readers.rate = 0  # readers gone: it goes on, and is not failed for the time it waited
    speech = await task
    assert round(speech.duration, 2) == 0.5
    assert speech.paused >= 10_000


@needs_opusenc
async def test_a_voice_note_cancelled_while_paused_leaves_no_process(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    voice = engine(tmp_path, f"echo $$ > {pids}.tmp; mv {pids}.tmp {pids}\nsleep 60\n")
    readers = Readers()
    yielding = Recorded(readers, 5)
    speaking = Synthesizer(Voices({"xx": voice}, Path(OPUSENC or "")), readers=yielding)
    task = asyncio.create_task(speaking.synthesize(["words"], "xx"))
    await eventually(pids.exists, "the engine to start")
    shell = int(pids.read_text())
    readers.rate = 50
    await eventually(lambda: state(shell) == "T", "the engine stopped")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await eventually(lambda: state(shell) in ("", "Z"), "the engine gone")
