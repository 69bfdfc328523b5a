"""A voice note made from text: the language's engine (bot/core/audio/voices.py) piped into
`opusenc --speech --bitrate 32`, both child processes in a process group of their own,
under `nice`, paused while readers are many (yielding.py), within a time limit of running
time, a bounded number at a time.

Nothing runs on the event loop but the waiting; the text goes on the engine's stdin, never
on a command line; a run that fails, takes too long or is cancelled leaves no process
behind, and says why in one SynthesisFailed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from bot.config.audio import NICENESS_DEFAULT
from bot.core.audio.ogg import opus_duration
from bot.core.audio.voices import Voice, Voices
from bot.core.audio.yielding import Quiet, ReadersFirst

# A brief of 600 words takes about 30 s with Piper on a 2-core machine; twice that and more
# is an engine stuck, not a long brief. Time paused for readers is not counted (yielding.py).
TIME_LIMIT = 120.0
BITRATE_KBPS = 32
# espeak-ng's pause between segments, longer than its own between sentences (about 0.4 s);
# Piper pauses after every sentence instead.
SEGMENT_PAUSE_MS = 800
# What an engine says on stderr that a failure quotes: its last line, this long at most.
_REASON_CHARS = 300
_SENTENCE_END = ".!?…。؟"


@dataclass(frozen=True, slots=True)
class Speech:
    ogg: bytes  # OGG/Opus, mono, 32 kbit/s
    duration: float  # seconds
    engine: str  # what spoke it: "piper" or "espeak-ng"
    paused: float = 0.0  # seconds the engine was paused for readers


class SynthesisFailed(Exception):
    """No voice note: the reason says why (no voice for the language, the engine failed
    or took too long, what it wrote was not OGG/Opus)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def default_synthesis_concurrency() -> int:
    """One synthesis at a time for every two cores: Piper keeps both busy on its own."""
    return max(1, (os.cpu_count() or 2) // 2)


def _below_readers(niceness: int) -> tuple[str, ...]:
    """The command that runs the engines below everything else: SCHED_IDLE (chrt --idle),
    where a core goes to them only when no other process wants it, else nice(1).
    AUDIO_NICENESS=0 runs them as any other process. Measured with bench.audio on 2 cores,
    neither keeps readers' answers within 1.2x of idle while Piper speaks (1.5-1.6x under
    SCHED_IDLE, 1.4-1.7x under nice -n 10; pinning Piper to one core changed nothing): what
    slows them is not the scheduler but the memory and caches the model's inference fills."""
    if not niceness:
        return ()
    chrt, nice = shutil.which("chrt"), shutil.which("nice")
    if chrt:
        return (chrt, "--idle", "0")
    return (nice, "-n", str(niceness)) if nice else ()


class Synthesizer:
    """Makes voice notes with `voices`, at most `concurrency` at a time (the others wait
    their turn), each within `time_limit` seconds of running once started, paused while
    `readers` are many (by default never)."""

    def __init__(
        self,
        voices: Voices,
        *,
        concurrency: int | None = None,
        time_limit: float = TIME_LIMIT,
        niceness: int = NICENESS_DEFAULT,
        readers: ReadersFirst | None = None,
    ) -> None:
        self.voices = voices
        self.time_limit = time_limit
        self._readers = ReadersFirst(Quiet(), 0) if readers is None else readers
        self._turns = asyncio.Semaphore(concurrency or default_synthesis_concurrency())
        self._nice = _below_readers(niceness)

    def speaks(self, language: str) -> bool:
        return self.voices.opusenc is not None and self.voices.voice(language) is not None

    async def synthesize(self, segments: Sequence[str], language: str) -> Speech:
        """The segments (title, summary, each fact ...) spoken in order with a pause
        between them, as one OGG/Opus voice note."""
        voice = self.voices.voice(language)
        if voice is None or self.voices.opusenc is None:
            raise SynthesisFailed(f"no voice speaks {language!r}")
        text = engine_input(segments, voice)
        async with self._turns:
            ogg, paused = await self._run(voice, _encoder(self.voices.opusenc, voice), text)
        try:
            duration = opus_duration(ogg)
        except ValueError as error:
            raise SynthesisFailed(f"opusenc wrote no valid OGG/Opus: {error}") from None
        return Speech(ogg, duration, voice.engine, paused)

    async def _run(
        self, voice: Voice, encoding: tuple[str, ...], text: bytes
    ) -> tuple[bytes, float]:
        """The engine's audio through opusenc: the OGG/Opus it wrote, and the seconds it
        was paused for readers."""
        command, encode = (*self._nice, *voice.command), (*self._nice, *encoding)
        engine, encoder = await _start(command, encode, voice.engine)
        run = self._readers.run(encoder.pid, (engine, encoder))  # the encoder leads the group
        try:
            (_, said), (ogg, encoded) = await run.within(
                self.time_limit,
                asyncio.gather(engine.communicate(text), encoder.communicate()),
            )
        except TimeoutError:
            raise SynthesisFailed(
                f"{voice.engine} ran longer than {self.time_limit:g} s and was stopped"
            ) from None
        finally:
            await _end(engine, encoder)
        if engine.returncode != 0:
            raise SynthesisFailed(f"{voice.engine} failed ({_exit(engine, said)})")
        if encoder.returncode != 0:
            raise SynthesisFailed(f"opusenc failed ({_exit(encoder, encoded)})")
        return ogg, run.paused_seconds()


def _encoder(opusenc: Path, voice: Voice) -> tuple[str, ...]:
    """opusenc reading the engine's audio on stdin (raw samples from Piper, WAV from
    espeak-ng), writing OGG/Opus on stdout."""
    raw: tuple[str, ...] = ()
    if voice.raw_rate is not None:
        raw = ("--raw", "--raw-rate", str(voice.raw_rate), "--raw-chan", "1", "--raw-bits", "16")
    bitrate = ("--bitrate", str(BITRATE_KBPS))
    return (str(opusenc), "--speech", *bitrate, "--quiet", *raw, "-", "-")


async def _start(
    command: Sequence[str], encode: Sequence[str], name: str
) -> tuple[asyncio.subprocess.Process, asyncio.subprocess.Process]:
    """The encoder, leading a new process group, then the engine in that group writing into
    it through a pipe. The encoder comes first: it waits for its input's end, so it is
    there when the engine joins its group."""
    pipe = asyncio.subprocess.PIPE
    read_end, write_end = os.pipe()
    try:
        try:
            encoder = await asyncio.create_subprocess_exec(
                *encode, stdin=read_end, stdout=pipe, stderr=pipe, process_group=0
            )
        except OSError as error:
            raise SynthesisFailed(f"opusenc cannot be run: {error}") from None
        try:
            engine = await asyncio.create_subprocess_exec(
                *command,
                stdin=pipe,
                stdout=write_end,
                stderr=pipe,
                process_group=encoder.pid,
                env={**os.environ, "PYTHONIOENCODING": "utf-8"},  # Piper reads its stdin so
            )
        except BaseException as error:
            _kill(encoder.pid)
            await encoder.wait()
            if isinstance(error, OSError):
                raise SynthesisFailed(f"{name} cannot be run: {error}") from None
            raise
    finally:
        # The children hold their own ends: the encoder sees its input end with the engine.
        os.close(read_end)
        os.close(write_end)
    return engine, encoder


async def _end(*processes: asyncio.subprocess.Process) -> None:
    """Nothing outlives a run: a group still running (a time limit, a cancellation) is
    killed whole and reaped, paused or not (SIGKILL ends a stopped process too). A group
    whose processes have all been reaped is left alone: its number may be another's by now."""
    running = [process for process in processes if process.returncode is None]
    if running:
        _kill(processes[-1].pid)  # the encoder leads the group
        await asyncio.gather(*(process.wait() for process in running))


def _kill(group: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(group, signal.SIGKILL)


def _exit(process: asyncio.subprocess.Process, stderr: bytes) -> str:
    lines = stderr.decode(errors="replace").strip().splitlines()
    said = f": {lines[-1][:_REASON_CHARS]}" if lines else ""
    return f"exit status {process.returncode}{said}"


def engine_input(segments: Sequence[str], voice: Voice) -> bytes:
    """What the engine reads on stdin: for Piper one line, each segment a sentence of its
    own; for espeak-ng SSML with a pause between segments. Control characters are dropped,
    whitespace is one space, and nothing but the words is said."""
    spoken = [clean for segment in segments if (clean := _plain(segment))]
    if not spoken:
        raise SynthesisFailed("nothing to say: every segment is empty")
    if voice.markup:
        pause = f'<break time="{SEGMENT_PAUSE_MS}ms"/>'
        text = f"<speak>{pause.join(escape(segment) for segment in spoken)}</speak>"
    else:
        # Piper reads [[ ... ]] as phonemes: never from a brief.
        ended = (s if s.endswith(tuple(_SENTENCE_END)) else f"{s}." for s in spoken)
        text = " ".join(ended).replace("[[", "[ [").replace("]]", "] ]")
    return f"{text}\n".encode(errors="replace")


def _plain(segment: str) -> str:
    kept = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in segment
    )
    return re.sub(r"\s+", " ", kept).strip()
