"""Listening to a brief, end to end: the real engines make the voice note in the background
(skipped, with the reason, where the machine has none), readers get it by button, command
and deep link, corrections and withdrawals reach the voice notes already out, and an
editor's own recording replaces the generated one, also when it was sent in reply to the
preview before publishing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.audio.making import AudioMaker
from storage import Storage, StoredBrief
from tests.e2e.conftest import ADMIN_ID, AppFactory, press, publish_file, say
from tests.fakebot import FakeBotApi, FakeUser, SentMessage
from tests.fakebot.ogg import check_ogg_opus, ogg_opus
from tests.waiting import eventually, eventually_async

# The engines CI installs (.ci/run): espeak-ng speaks English where Piper is not on PATH.
ENGINES = ("espeak-ng", "opusenc")
needs_engines = pytest.mark.skipif(
    any(shutil.which(program) is None for program in ENGINES),
    reason="voice notes need espeak-ng and opusenc (apt-get install espeak-ng opus-tools)",
)
# Synthesis of a whole brief with espeak-ng takes a second or two; Piper on 2 cores, 20 s.
MADE_WITHIN = 60.0
TITLE = "Northfield Council Approves Harbor Bridge Toll"  # harbor-bridge-vote.txt's


@pytest.fixture
async def published(db_path: Path, briefs_dir: Path) -> StoredBrief:
    """Published from the command line before the bot starts: the backfill wants it."""
    return await publish_file(db_path, briefs_dir / "harbor-bridge-vote.txt")


async def made(storage: Storage, brief_id: int, version: int, kind: str = "generated") -> None:
    async def ready() -> bool:
        audio = await storage.audio.current(brief_id, version)
        return audio is not None and bool(audio.parts) and audio.kind == kind

    await eventually_async(ready, f"brief {brief_id} v{version}'s voice note", within=MADE_WITHIN)


async def remembered(storage: Storage, stored: StoredBrief) -> None:
    async def known() -> bool:
        audio = await storage.audio.current(stored.id, stored.version)
        return audio is not None and all(part.file_id for part in audio.parts)

    await eventually_async(known, "the voice note's file_id kept")


async def listen(server: FakeBotApi, reader: FakeUser, message: SentMessage) -> SentMessage:
    """Press Listen under `message`; the voice note that comes."""
    before = len(server.voices(reader.id))
    await press(server, reader, message, "Listen")
    await eventually(lambda: len(server.voices(reader.id)) > before, "a voice note")
    return server.voices(reader.id)[before].message


@needs_engines
async def test_listen_sends_the_voice_note_once_uploaded_then_by_file_id(
    server: FakeBotApi, make_app: AppFactory, published: StoredBrief, storage: Storage
) -> None:
    reader = server.user(42, "Ada")
    async with make_app(AUDIO="on"):
        await made(storage, published.id, published.version)
        [summary] = await say(server, reader, "/brief")
        first = await listen(server, reader, summary)
        assert first.text.splitlines()[0] == published.brief.title
        sent = server.voices(reader.id)[0]
        info = check_ogg_opus(sent.content)
        assert info.channels == 1
        assert info.seconds > 20  # title, summary, three facts and two narratives
        assert len(sent.content) < 1_000_000
        await remembered(storage, published)  # Telegram's file_id, kept once it answered
        await listen(server, reader, summary)
        assert (server.voice_uploads, server.voice_reuses) == (1, 1)
        # A channel post's Listen is a deep link into the private chat.
        before = len(server.voices(reader.id))
        await server.send_text(reader, "/start b1-listen")
        await eventually(lambda: len(server.voices(reader.id)) > before, "a linked voice note")


@needs_engines
async def test_a_correction_remakes_it_and_a_retraction_withdraws_the_old_ones(
    server: FakeBotApi,
    make_app: AppFactory,
    published: StoredBrief,
    storage: Storage,
    briefs_dir: Path,
) -> None:
    reader, admin = server.user(42, "Ada"), server.user(ADMIN_ID, "Editor")
    async with make_app(AUDIO="on"):
        await made(storage, published.id, 1)
        [summary] = await say(server, reader, "/brief")
        voice = await listen(server, reader, summary)
        await say(server, admin, "/correct 1")
        lines = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8").splitlines()
        corrected = "\n".join(["Harbor Bridge Vote Delayed to March", *lines[1:]])
        _, details = await say(server, admin, corrected, expect=2)
        await press(server, admin, details, "Publish", expect=2)
        await eventually(lambda: _current(server, voice).edits == 1, "the old voice note edited")
        assert "Corrected since this recording" in _current(server, voice).text
        await made(storage, published.id, 2)
        again = await listen(server, reader, _current(server, voice))
        assert again.text.splitlines()[0] == "Harbor Bridge Vote Delayed to March"
        await say(server, admin, "/retract 1")
        # Withdrawn: deleted, sound and all, as Telegram lets the bot within 48 hours.
        await eventually(
            lambda: not server.voices(reader.id), "the voice notes deleted", detail=server.dump
        )
        assert len(server.voices(reader.id, include_deleted=True)) == 2


def _current(server: FakeBotApi, message: SentMessage) -> SentMessage:
    [now] = [v.message for v in server.voices(message.chat_id) if v.message is message]
    return now


@needs_engines
async def test_an_editors_recording_replaces_the_generated_one_until_removed(
    server: FakeBotApi, make_app: AppFactory, published: StoredBrief, storage: Storage
) -> None:
    reader, admin = server.user(42, "Ada"), server.user(ADMIN_ID, "Editor")
    async with make_app(AUDIO="on"):
        await made(storage, published.id, 1)
        [summary] = await say(server, admin, "/brief 1")
        before = len(server.sent(admin.id))
        recording = ogg_opus(4.0)
        await server.send_voice(admin, recording, reply_to=summary)
        [kept] = (await server.wait_sent(admin.id, before + 1))[before:]
        assert "Your recording is now brief #1's voice note" in kept.text
        await made(storage, published.id, 1, kind="recorded")
        await server.send_text(reader, "/listen 1")
        await eventually(lambda: len(server.voices(reader.id)) == 1, "the recording")
        heard = server.voices(reader.id)[0]
        assert heard.content == recording
        assert "Read by Editor" in heard.message.text
        [removed] = await say(server, admin, "/unrecord 1")
        assert "readers hear the generated voice note again" in removed.text
        await server.send_text(reader, "/listen 1")
        await eventually(lambda: len(server.voices(reader.id)) == 2, "the generated one")
        assert "Read by" not in server.voices(reader.id)[1].message.text
        # An MP3 is not converted: the editor is asked for a voice message.
        before = len(server.sent(admin.id))
        await server.send_audio(admin, b"ID3" + bytes(200), reply_to=summary)
        [refused] = (await server.wait_sent(admin.id, before + 1))[before:]
        assert "Send a voice message instead" in refused.text


async def test_a_recording_in_reply_to_a_preview_is_the_published_brief_s(
    server: FakeBotApi, make_app: AppFactory, briefs_dir: Path
) -> None:
    # No engine needed: an editor's recording is served with AUDIO=off too.
    reader, admin = server.user(42, "Ada"), server.user(ADMIN_ID, "Editor")
    upload = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8")
    async with make_app(AUDIO="off"):
        _, details = await say(server, admin, upload, expect=2)
        before = len(server.sent(admin.id))
        recording = ogg_opus(4.0)
        await server.send_voice(admin, recording, reply_to=details)  # the Publish button's
        [kept] = (await server.wait_sent(admin.id, before + 1))[before:]
        assert f"kept with the draft “{TITLE}”" in kept.text
        await say(server, reader, "/listen 1")  # not published yet: no brief, no voice note
        assert not server.voices(reader.id)
        await press(server, admin, details, "Publish", expect=1)
        await server.send_text(reader, "/listen 1")
        await eventually(lambda: len(server.voices(reader.id)) == 1, "the recording")
        heard = server.voices(reader.id)[0]
        assert heard.content == recording
        assert heard.message.text.splitlines()[0] == TITLE
        assert "Read by Editor" in heard.message.text


async def test_a_correction_s_preview_takes_its_own_recording(
    server: FakeBotApi,
    make_app: AppFactory,
    published: StoredBrief,
    briefs_dir: Path,
) -> None:
    reader, admin = server.user(42, "Ada"), server.user(ADMIN_ID, "Editor")
    lines = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8").splitlines()
    async with make_app(AUDIO="off"):
        await say(server, admin, "/correct 1")
        # The same title as the published brief: the reply to the preview's summary (no
        # buttons) is the correction's, not the version readers have now.
        corrected = [lines[0], f"{lines[1]} The council delays the toll by a month.", *lines[2:]]
        summary, details = await say(server, admin, "\n".join(corrected), expect=2)
        assert summary.text.splitlines()[0] == published.brief.title
        before = len(server.sent(admin.id))
        recording = ogg_opus(5.0)
        await server.send_voice(admin, recording, reply_to=summary)
        [kept] = (await server.wait_sent(admin.id, before + 1))[before:]
        assert "Your recording is kept with the draft" in kept.text
        [before_publish] = await say(server, reader, "/listen 1")
        assert "has no voice note" in before_publish.text  # version 1 has none
        await press(server, admin, details, "Publish", expect=1)
        await server.send_text(reader, "/listen 1")
        await eventually(lambda: len(server.voices(reader.id)) == 1, "the recording")
        heard = server.voices(reader.id)[0]
        assert heard.content == recording
        assert "Read by Editor" in heard.message.text


async def test_a_recording_for_a_discarded_draft_is_refused(
    server: FakeBotApi, make_app: AppFactory, briefs_dir: Path
) -> None:
    admin = server.user(ADMIN_ID, "Editor")
    upload = (briefs_dir / "coastal-wind-farm.txt").read_text(encoding="utf-8")
    async with make_app(AUDIO="off"):
        summary, details = await say(server, admin, upload, expect=2)
        await press(server, admin, details, "Discard", expect=1)
        before = len(server.sent(admin.id))
        await server.send_voice(admin, ogg_opus(2.0), reply_to=summary)
        [refused] = (await server.wait_sent(admin.id, before + 1))[before:]
        assert "reply with a voice message to the published brief" in refused.text
        assert "or to the preview of a draft before you publish it" in refused.text


async def test_listen_before_the_voice_note_is_made_says_it_is_being_made(
    server: FakeBotApi,
    make_app: AppFactory,
    published: StoredBrief,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No loop makes it: as in the moment between a publish and its voice note.
    monkeypatch.setattr(AudioMaker, "start", lambda self, speaker: None)
    reader = server.user(42, "Ada")
    async with make_app(AUDIO="on"):
        [answer] = await say(server, reader, "/listen 1")
        assert "The voice note of brief #1 is being made" in answer.text
        assert not server.voices(reader.id)


async def test_without_audio_listen_says_there_is_none(
    server: FakeBotApi, make_app: AppFactory, published: StoredBrief
) -> None:
    reader = server.user(42, "Ada")
    async with make_app(AUDIO="off"):
        [answer] = await say(server, reader, "/listen")
        assert "Brief #1 has no voice note" in answer.text
