"""Making the voice notes: one loop per process takes the newest brief version that wants
audio (the claim in storage makes each job run once, whichever replica takes it), speaks its
script (script.py) with the language's engine (synthesis.py, in child processes under
`nice`, paused while readers are many: the loop only waits) and keeps the parts
(storage.audio).

Telegram plays a voice note of up to 1 MB inline and shows a larger one as a file to
download, so a brief that comes out larger is spoken again in several voice notes, split
between segments: between facts, never inside one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.audio.script import Segment, script
from bot.core.audio.synthesis import Speech, SynthesisFailed
from bot.core.rendering import Renderer
from storage import AudioJob, AudioPart, Storage

log = logging.getLogger(__name__)

# Telegram shows a voice note larger than this as a file, not a voice message.
VOICE_NOTE_BYTES = 1_000_000
# Each part aimed this far under the limit: a part's size is only estimated before it is
# spoken, from its share of the words.
_AIM = 0.85
# The fewest bytes a character of text makes as speech at 32 kbit/s (bench.audio: Piper
# 228-229, espeak-ng 270): a text surely larger than one voice note is split before it is
# spoken, not spoken whole first and again in parts.
LEAST_BYTES_PER_CHARACTER = 220
# How long a claimed job is this process's: a long brief in several parts, each within the
# synthesis time limit. A replica that dies holding it leaves it to another after this; so
# does one whose engine was paused for its readers longer (yielding.py): the first to finish
# stores the voice note.
JOB_HOLD = timedelta(minutes=10)
# How often the loop looks for work when it found none: briefs published by another
# replica or imported from the command line are found within this.
IDLE = 2.0
# Live briefs without audio wanted at start, newest first.
BACKFILL_LIMIT = 1000


class Speaker(Protocol):
    """What speaks a script: synthesis.Synthesizer, or a test's stand-in."""

    def speaks(self, language: str) -> bool: ...

    async def synthesize(self, segments: Sequence[str], language: str) -> Speech: ...


Clock = Callable[[], datetime]


class AudioMaker:
    """The making loop of one process: `start` it with the voices found at start (its
    task runs till `stop`), or drive it a job at a time with `make_next`."""

    def __init__(
        self,
        storage: Storage,
        renderer: Renderer,
        *,
        owner: str,
        clock: Clock,
        idle: float = IDLE,
        part_bytes: int = VOICE_NOTE_BYTES,
        bytes_per_character: int = LEAST_BYTES_PER_CHARACTER,
    ) -> None:
        self._storage = storage
        self._part_bytes = part_bytes
        self._bytes_per_character = bytes_per_character
        self._renderer = renderer
        self._owner = owner
        self._clock = clock
        self._idle = idle
        self._speaker: Speaker | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self, speaker: Speaker) -> None:
        """The loop, in a task of its own (one per process)."""
        self._speaker = speaker
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="audio-making")

    async def stop(self) -> None:
        """The loop stopped, and a synthesis under way with it (its processes killed)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def backfill(self) -> int:
        """Every live brief whose current version has no audio and no job: wanted now,
        newest first (imported from the command line, or published before audio)."""
        missing = await self._storage.audio.missing(BACKFILL_LIMIT)
        for brief_id, version in missing:
            await self._storage.audio.want(brief_id, version, at=self._clock())
        if missing:
            log.info("voice notes wanted for %s briefs published without one", len(missing))
        return len(missing)

    async def run(self) -> None:
        """Make voice notes, newest brief first, until cancelled; a failure of one job is
        recorded with it and the loop goes on."""
        while True:
            try:
                worked = await self.make_next()
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must outlive one job's surprise; it is logged whole
                log.exception("making a voice note failed")
                worked = False
            if not worked:
                await asyncio.sleep(self._idle)

    async def make_next(self) -> bool:
        """One job made (or failed with its reason); False when there was none (or the
        maker was not started)."""
        speaker = self._speaker
        if speaker is None:
            return False
        audio = self._storage.audio
        job = await audio.claim_next(self._owner, at=self._clock(), hold=JOB_HOLD)
        if job is None:
            return False
        stored = await self._storage.briefs.get(job.brief_id)
        if stored is None or stored.retracted_at is not None or stored.version != job.version:
            await audio.fail(job.brief_id, job.version, "withdrawn or superseded", at=self._clock())
            return True
        language = stored.brief.language
        if not speaker.speaks(language):
            reason = f"no voice speaks {language!r}"
            await audio.fail(job.brief_id, job.version, reason, status="none", at=self._clock())
            return True
        await self._make(speaker, job, script(stored.brief, self._renderer), language)
        return True

    async def _make(
        self, speaker: Speaker, job: AudioJob, segments: Sequence[Segment], language: str
    ) -> None:
        started = self._clock()
        try:
            speeches = await speak_in_parts(
                speaker.synthesize,
                segments,
                language,
                self._part_bytes,
                least_per_character=self._bytes_per_character,
            )
        except SynthesisFailed as error:
            log.warning("no voice note for brief %s: %s", job.brief_id, error.reason)
            await self._storage.audio.fail(
                job.brief_id, job.version, error.reason, at=self._clock()
            )
            return
        parts = [AudioPart(speech.ogg, speech.duration) for speech in speeches]
        engine = speeches[0].engine
        await self._storage.audio.finish(
            job.brief_id, job.version, parts, engine=engine, at=self._clock()
        )
        seconds = sum(part.duration for part in parts)
        log.info(
            "voice note for brief %s v%s: %s part(s), %.0f s of speech by %s in %.1f s "
            "(%.1f s of it paused while readers were many)",
            job.brief_id,
            job.version,
            len(parts),
            seconds,
            engine,
            (self._clock() - started).total_seconds(),
            sum(speech.paused for speech in speeches),
        )


Synthesize = Callable[[Sequence[str], str], Awaitable[Speech]]


async def speak_in_parts(
    synthesize: Synthesize,
    segments: Sequence[Segment],
    language: str,
    limit: int = VOICE_NOTE_BYTES,
    *,
    least_per_character: int = LEAST_BYTES_PER_CHARACTER,
) -> list[Speech]:
    """The segments as one voice note, or, when that is larger than `limit`, as several,
    each made of whole segments. A single segment larger than the limit stays one part:
    Telegram shows it as a file to play, which is still better than cutting a fact.

    Segments that make more than `limit` even at the fewest bytes a character makes are
    split before they are spoken; others are spoken whole, and split only if they turn out
    too large."""
    least = sum(len(s.text) for s in segments) * least_per_character
    if least > limit and len(segments) > 1:
        count = max(2, math.ceil(least / (limit * _AIM)))
        return await _in_parts(synthesize, split_segments(segments, count), language, limit)
    speech = await synthesize([s.text for s in segments], language)
    if len(speech.ogg) <= limit or len(segments) < 2:
        if len(speech.ogg) > limit:
            log.warning("one segment makes %s bytes: sent as a file", len(speech.ogg))
        return [speech]
    count = max(2, math.ceil(len(speech.ogg) / (limit * _AIM)))
    # Once one run of this engine said too much for its estimate, the parts are only
    # measured after they are spoken.
    return await _in_parts(synthesize, split_segments(segments, count), language, limit)


async def _in_parts(
    synthesize: Synthesize, groups: Sequence[Sequence[Segment]], language: str, limit: int
) -> list[Speech]:
    parts: list[Speech] = []
    for group in groups:
        parts.extend(
            await speak_in_parts(synthesize, group, language, limit, least_per_character=0)
        )
    return parts


def split_segments(segments: Sequence[Segment], count: int) -> list[Sequence[Segment]]:
    """`segments` in at most `count` runs of whole segments, each about as long as the
    others (by characters, which the speech's length follows); none empty."""
    count = max(1, min(count, len(segments)))
    total = sum(len(s.text) for s in segments)
    groups: list[Sequence[Segment]] = []
    start, spoken = 0, 0
    for index, segment in enumerate(segments):
        spoken += len(segment.text)
        left = len(segments) - index - 1
        wanted = count - len(groups) - 1  # groups still to make after this one
        full = spoken * count >= total * (len(groups) + 1)
        if wanted > 0 and (full or left == wanted) and left >= wanted:
            groups.append(segments[start : index + 1])
            start = index + 1
    groups.append(segments[start:])
    return [group for group in groups if group]
