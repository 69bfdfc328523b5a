"""Voice notes of briefs (storage/audio.py) on both engines: the jobs that make them, one
replica at a time; the audio readers get; the copies sent."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from storage import AudioJob, AudioPart, Storage, VoiceCopy
from tests.storage.conftest import at, make_brief

Reopen = Callable[[], Awaitable[Storage]]
HOLD = timedelta(minutes=5)
# Two voice notes of a long brief, the first the size of a few minutes of speech.
PARTS = (AudioPart(bytes(range(256)) * 1200, 95.5), AudioPart(b"OggS\x00second", 12.25))


async def _published(storage: Storage, tag: str = "a", minute: float = 0) -> int:
    return (await storage.briefs.publish(make_brief(tag), by=1, at=at(minute))).id


async def test_a_wanted_voice_note_is_claimed_made_and_heard(storage: Storage) -> None:
    brief = await _published(storage)
    assert await storage.audio.current(brief, 1) is None
    assert await storage.audio.want(brief, 1, at=at(1))
    assert not await storage.audio.want(brief, 1, at=at(2))  # asked twice, one job
    waiting = await storage.audio.current(brief, 1)
    assert waiting is not None
    assert (waiting.status, waiting.parts, waiting.ready) == ("pending", (), False)

    assert await storage.audio.claim_next("r1", at=at(3), hold=HOLD) == AudioJob(brief, 1, 1)
    assert await storage.audio.finish(brief, 1, PARTS, engine="piper", at=at(4))
    heard = await storage.audio.current(brief, 1)
    assert heard is not None
    assert (heard.kind, heard.engine, heard.status, heard.ready) == (
        "generated", "piper", "done", True,
    )  # fmt: skip
    assert [(p.part, p.data, p.duration, p.file_id) for p in heard.parts] == [
        (0, PARTS[0].data, 95.5, None),
        (1, PARTS[1].data, 12.25, None),
    ]
    # Done: nothing more to claim, and a late second finish changes nothing.
    assert await storage.audio.claim_next("r1", at=at(5), hold=HOLD) is None
    assert not await storage.audio.finish(brief, 1, PARTS[1:], engine="espeak-ng", at=at(6))
    again = await storage.audio.current(brief, 1)
    assert again is not None
    assert (again.engine, len(again.parts)) == ("piper", 2)
    assert not await storage.audio.want(brief, 1, at=at(7))


async def test_the_newest_brief_is_claimed_first(storage: Storage) -> None:
    briefs = [await _published(storage, tag, minute) for minute, tag in enumerate("abc")]
    for brief in briefs:
        await storage.audio.want(brief, 1, at=at(5))
    claimed = [await storage.audio.claim_next("r1", at=at(6), hold=HOLD) for _ in range(4)]
    assert [job.brief_id if job else None for job in claimed] == [*reversed(briefs), None]


async def test_a_held_job_is_not_claimed_again_until_its_hold_runs_out(
    storage: Storage,
) -> None:
    brief = await _published(storage)
    await storage.audio.want(brief, 1, at=at(0))
    assert await storage.audio.claim_next("dead", at=at(1), hold=HOLD) == AudioJob(brief, 1, 1)
    assert await storage.audio.claim_next("r2", at=at(5), hold=HOLD) is None
    # The holder died: its job is taken again once the hold has passed.
    assert await storage.audio.claim_next("r2", at=at(6), hold=HOLD) == AudioJob(brief, 1, 2)
    assert await storage.audio.finish(brief, 1, PARTS[1:], engine="piper", at=at(7))
    # The first holder, not dead after all, finishes late: the audio stays the second's.
    assert not await storage.audio.finish(brief, 1, PARTS, engine="piper", at=at(8))
    heard = await storage.audio.current(brief, 1)
    assert heard is not None
    assert [p.data for p in heard.parts] == [PARTS[1].data]


async def test_replicas_claiming_at_once_get_each_job_once(
    storage: Storage, reopen: Reopen
) -> None:
    briefs = [await _published(storage, tag, minute) for minute, tag in enumerate("abc")]
    for brief in briefs:
        await storage.audio.want(brief, 1, at=at(5))
    other = await reopen()
    try:
        claims = await asyncio.gather(
            *(
                replica.audio.claim_next(f"r{n}", at=at(6), hold=HOLD)
                for n in range(4)
                for replica in (storage, other)
            )
        )
    finally:
        await other.close()
    got = sorted(job.brief_id for job in claims if job is not None)
    assert got == sorted(briefs)


async def test_a_failure_is_kept_and_may_put_the_job_back(storage: Storage) -> None:
    brief = await _published(storage)
    await storage.audio.want(brief, 1, at=at(0))
    await storage.audio.claim_next("r1", at=at(1), hold=HOLD)
    await storage.audio.fail(brief, 1, "piper exited 1: " + "x" * 5000, at=at(2))
    failed = await storage.audio.current(brief, 1)
    assert failed is not None
    assert (failed.status, failed.parts) == ("failed", ())
    assert await storage.audio.claim_next("r1", at=at(30), hold=HOLD) is None
    # Back in the queue at once, its attempts counted on.
    await storage.audio.fail(brief, 1, "try again", status="pending", at=at(3))
    assert await storage.audio.claim_next("r2", at=at(3), hold=HOLD) == AudioJob(brief, 1, 2)
    await storage.audio.fail(brief, 1, "no voice for uk", status="none", at=at(4))
    none = await storage.audio.current(brief, 1)
    assert none is not None
    assert none.status == "none"
    with pytest.raises(ValueError, match="status"):
        await storage.audio.fail(brief, 1, "?", status="done", at=at(5))
    with pytest.raises(ValueError, match="part"):
        await storage.audio.finish(brief, 1, (), engine="piper", at=at(5))
    # A job done stays done whatever fails later.
    assert await storage.audio.finish(brief, 1, PARTS, engine="espeak-ng", at=at(6))
    await storage.audio.fail(brief, 1, "late", at=at(7))
    done = await storage.audio.current(brief, 1)
    assert done is not None
    assert (done.status, done.engine) == ("done", "espeak-ng")


async def test_a_new_version_supersedes_the_older_s_job(storage: Storage) -> None:
    brief = await _published(storage)
    await storage.audio.want(brief, 1, at=at(0))
    assert await storage.audio.claim_next("r1", at=at(1), hold=HOLD) == AudioJob(brief, 1, 1)
    await storage.briefs.correct(brief, make_brief("fixed"), by=1, at=at(2))
    assert await storage.audio.want(brief, 2, at=at(2))
    assert not await storage.audio.want(brief, 1, at=at(3))  # late: no longer current
    assert await storage.audio.current(brief, 1) is None
    assert await storage.audio.claim_next("r2", at=at(3), hold=HOLD) == AudioJob(brief, 2, 1)
    # The older version's audio, finished late, is never stored.
    assert not await storage.audio.finish(brief, 1, PARTS, engine="piper", at=at(4))
    assert await storage.audio.current(brief, 1) is None
    assert await storage.audio.finish(brief, 2, PARTS, engine="piper", at=at(5))
    assert await storage.audio.missing(10) == []


async def test_a_retracted_brief_gets_no_audio(storage: Storage) -> None:
    brief = await _published(storage)
    await storage.audio.want(brief, 1, at=at(0))
    await storage.briefs.retract(brief, by=1, at=at(1))
    assert await storage.audio.claim_next("r1", at=at(2), hold=HOLD) is None
    assert not await storage.audio.finish(brief, 1, PARTS, engine="piper", at=at(3))
    other = await _published(storage, "b", 4)
    await storage.briefs.retract(other, by=1, at=at(5))
    assert not await storage.audio.want(other, 1, at=at(6))


async def test_an_editor_s_recording_wins_and_removing_it_brings_back_the_generated(
    storage: Storage,
) -> None:
    brief = await _published(storage)
    await storage.audio.want(brief, 1, at=at(0))
    await storage.audio.finish(brief, 1, PARTS, engine="piper", at=at(1))
    voice = AudioPart(b"OggS editor", 61.0)
    assert await storage.audio.store_recording(
        brief, 1, voice, by=7, by_name="Ana " + "n" * 500, file_id="AwAD-rec", at=at(2)
    )
    recorded = await storage.audio.current(brief, 1)
    assert recorded is not None
    assert (recorded.kind, recorded.engine, recorded.status) == ("recorded", "editor", "done")
    assert (recorded.recorded_by_name or "").startswith("Ana n")
    assert [(p.part, p.data, p.duration, p.file_id) for p in recorded.parts] == [
        (0, b"OggS editor", 61.0, "AwAD-rec")
    ]
    # A second recording replaces the first.
    assert await storage.audio.store_recording(
        brief, 1, AudioPart(b"OggS take two", 58.0), by=8, by_name="Bo", file_id=None, at=at(3)
    )
    second = await storage.audio.current(brief, 1)
    assert second is not None
    assert ([p.data for p in second.parts], second.recorded_by_name) == ([b"OggS take two"], "Bo")

    assert await storage.audio.remove_recording(brief, 1)
    assert not await storage.audio.remove_recording(brief, 1)
    back = await storage.audio.current(brief, 1)
    assert back is not None
    assert (back.kind, back.engine, back.recorded_by_name, len(back.parts)) == (
        "generated", "piper", None, 2,
    )  # fmt: skip
    assert not await storage.audio.store_recording(
        brief, 9, voice, by=7, by_name="Ana", file_id=None, at=at(4)
    )


async def test_a_recording_alone_is_heard_and_the_brief_is_not_missing(storage: Storage) -> None:
    brief = await _published(storage)
    await storage.audio.store_recording(
        brief, 1, AudioPart(b"OggS", 3.0), by=7, by_name="Ana", file_id=None, at=at(1)
    )
    alone = await storage.audio.current(brief, 1)
    assert alone is not None
    assert (alone.kind, alone.status) == ("recorded", None)
    assert await storage.audio.missing(10) == []


async def test_file_ids_are_remembered_per_part(storage: Storage, reopen: Reopen) -> None:
    brief = await _published(storage)
    await storage.audio.want(brief, 1, at=at(0))
    await storage.audio.finish(brief, 1, PARTS, engine="piper", at=at(1))
    await storage.audio.remember_file_id(brief, 1, "generated", 1, "AwACAgIAAx0")
    again = await reopen()
    try:
        heard = await again.audio.current(brief, 1)
    finally:
        await again.close()
    assert heard is not None
    assert [p.file_id for p in heard.parts] == [None, "AwACAgIAAx0"]
    with pytest.raises(ValueError, match="kind"):
        await storage.audio.remember_file_id(brief, 1, "spoken", 0, "x")


async def test_copies_are_recorded_and_listed(storage: Storage) -> None:
    brief = await _published(storage)
    other = await _published(storage, "b", 1)
    await storage.audio.record_copy(brief, -100, 11, version=1, at=at(2))
    await storage.audio.record_copy(brief, 5, 12, version=1, at=at(3), kind="recorded")
    await storage.audio.record_copy(other, 5, 13, version=1, at=at(3))
    await storage.briefs.correct(brief, make_brief("fixed"), by=1, at=at(4))
    # The first copy's message edited to carry the corrected version.
    await storage.audio.record_copy(brief, -100, 11, version=2, at=at(5))
    await storage.audio.record_copy(brief, 6, 14, version=7, at=at(6))  # no such version
    assert await storage.audio.copies(brief) == [
        VoiceCopy(chat_id=5, message_id=12, version=1, kind="recorded"),
        VoiceCopy(chat_id=-100, message_id=11, version=2, kind="generated"),
    ]
    assert await storage.audio.copies(other) == [VoiceCopy(5, 13, 1)]
    with pytest.raises(ValueError, match="kind"):
        await storage.audio.record_copy(brief, 5, 15, version=1, at=at(7), kind="spoken")


async def test_missing_lists_live_briefs_without_audio_newest_first(storage: Storage) -> None:
    a, b, c, d, e = [await _published(storage, tag, minute) for minute, tag in enumerate("abcde")]
    await storage.briefs.retract(b, by=1, at=at(10))
    await storage.audio.want(c, 1, at=at(10))  # its job will make it
    await storage.briefs.correct(d, make_brief("fixed"), by=1, at=at(11))
    await storage.audio.want(e, 1, at=at(11))
    await storage.audio.finish(e, 1, PARTS, engine="piper", at=at(12))
    assert await storage.audio.missing(10) == [(d, 2), (a, 1)]
    assert await storage.audio.missing(1) == [(d, 2)]
    await storage.audio.fail(a, 1, "no voice", status="none", at=at(13))
    assert await storage.audio.missing(10) == [(d, 2)]


@pytest.mark.sqlite_only
async def test_a_backup_keeps_the_voice_notes(storage: Storage, tmp_path: Path) -> None:
    brief = await _published(storage)
    await storage.audio.want(brief, 1, at=at(0))
    await storage.audio.finish(brief, 1, PARTS, engine="piper", at=at(1))
    await storage.audio.record_copy(brief, 5, 12, version=1, at=at(2))
    await storage.backup(tmp_path / "backup.db")
    async with await Storage.open(tmp_path / "backup.db") as kept:
        assert await kept.audio.current(brief, 1) == await storage.audio.current(brief, 1)
        assert await kept.audio.copies(brief) == [VoiceCopy(5, 12, 1)]
