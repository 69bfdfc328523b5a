"""Which engine speaks each language, decided once at start: a Piper voice (VOICE_<LANG>, or
the joe voice beside piper for English), else espeak-ng when it has a voice for that
language, else none; and a language without one is said once in the log.

Each engine is a separate program that reads the text on stdin and writes its audio on
stdout: Piper stays a process of its own (its GPL licence kept apart from the project's),
and no text ever reaches a command line.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.config.audio import AudioSettings, PiperVoice

log = logging.getLogger(__name__)

PIPER = "piper"
ESPEAK = "espeak-ng"
# Seconds of silence Piper puts after each sentence: a newsreader's breath.
SENTENCE_SILENCE = 0.35
# How long `espeak-ng --voices=<lang>` may take at start.
LIST_TIME_LIMIT = 10.0
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_DOCS = "docs/operators/audio.md"


@dataclass(frozen=True, slots=True)
class Voice:
    """How one language is spoken: the engine's command (text on stdin, audio on stdout)
    and what its audio is."""

    language: str
    engine: str  # PIPER or ESPEAK
    command: tuple[str, ...]
    # Piper: raw 16-bit mono samples at this rate; None: a WAV stream (espeak-ng).
    raw_rate: int | None = None
    # espeak-ng reads SSML, so that pauses between segments can be asked for.
    markup: bool = False


@dataclass(frozen=True, slots=True)
class Voices:
    """The voice of every language that has one, and the encoder that makes OGG/Opus."""

    by_language: Mapping[str, Voice] = field(default_factory=dict)
    opusenc: Path | None = None

    def voice(self, language: str) -> Voice | None:
        return self.by_language.get(language)


async def find_voices(settings: AudioSettings, languages: Iterable[str]) -> Voices:
    """The voices for `languages`; one log line for each language left without one (or
    one line in all when no language can have any)."""
    if not settings.enabled:
        log.info("voice notes are off (AUDIO=off)")
        return Voices()
    if settings.opusenc is None:
        log.warning("no voice notes: opusenc is not on PATH (opus-tools; %s)", _DOCS)
        return Voices()
    found: dict[str, Voice] = {}
    for language in dict.fromkeys(languages):
        piper = settings.voices.get(language)
        if settings.piper is not None and piper is not None:
            found[language] = piper_voice(language, settings.piper, piper)
        elif settings.espeak is not None and await espeak_speaks(settings.espeak, language):
            found[language] = espeak_voice(language, settings.espeak)
        else:
            variable = f"VOICE_{language.upper()}"
            lacking = "espeak-ng has no voice for it" if settings.espeak else "no espeak-ng"
            log.warning(
                "no voice notes in %s: no Piper voice (%s), %s", language, variable, lacking
            )
    if found:
        log.info(
            "voice notes: %s",
            ", ".join(f"{code} by {voice.engine}" for code, voice in found.items()),
        )
    return Voices(found, settings.opusenc)


def piper_voice(language: str, piper: Path, voice: PiperVoice) -> Voice:
    command = (
        str(piper),
        "--model",
        str(voice.model),
        "--output-raw",
        "--sentence-silence",
        str(SENTENCE_SILENCE),
    )
    return Voice(language, PIPER, command, raw_rate=voice.sample_rate)


def espeak_voice(language: str, espeak: Path) -> Voice:
    # -b 1: the text is UTF-8; -m: SSML; --stdin: all of it at once, till its end.
    command = (str(espeak), "-v", language, "-b", "1", "-m", "--stdin", "--stdout")
    return Voice(language, ESPEAK, command, markup=True)


async def espeak_speaks(espeak: Path, language: str) -> bool:
    """Whether espeak-ng has a voice of its own for `language` (`--voices=<lang>` lists
    them; MBROLA's, listed too, need voices the machine may not have)."""
    if not _LANGUAGE.fullmatch(language):
        return False
    try:
        process = await asyncio.create_subprocess_exec(
            str(espeak),
            f"--voices={language}",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError as error:
        log.warning("espeak-ng cannot be run: %s", error)
        return False
    try:
        out, _ = await asyncio.wait_for(process.communicate(), LIST_TIME_LIMIT)
    except TimeoutError:
        process.kill()
        await process.wait()
        log.warning("espeak-ng did not list its voices within %g s", LIST_TIME_LIMIT)
        return False
    return process.returncode == 0 and has_voice(out.decode(errors="replace"), language)


def has_voice(listing: str, language: str) -> bool:
    """Whether `espeak-ng --voices` output lists a voice, not MBROLA's, for `language`
    (es, or a variant of it: es-419)."""
    for line in listing.splitlines()[1:]:
        columns = line.split()
        if len(columns) < 5 or columns[4].startswith("mb/"):
            continue
        spoken = columns[1]
        if spoken == language or spoken.startswith(f"{language}-"):
            return True
    return False
