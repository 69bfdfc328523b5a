"""An editor's recording kept with a draft (storage/drafts.py, migration 17) on both engines:
published with it as that version's recording, new brief or correction; gone with a
discarded or expired draft; and a publish at the same moment as a recording either takes
it or leaves it refused, never lost."""

import asyncio

from storage import AudioPart, Storage, StoredBrief
from tests.storage.conftest import at, make_brief

VOICE = AudioPart(b"OggS editor's take", 42.5)


async def _draft(storage: Storage, tag: str = "d", correcting: StoredBrief | None = None) -> int:
    draft = await storage.drafts.create(
        admin_id=7,
        chat_id=70,
        brief=make_brief(tag),
        warnings=(),
        correcting=correcting.id if correcting else None,
        at=at(0),
        expires_at=at(30),
        based_on=correcting.version if correcting else None,
    )
    return draft.id


async def test_a_new_brief_is_published_with_the_recording_kept_with_its_draft(
    storage: Storage,
) -> None:
    draft = await _draft(storage)
    kept = await storage.drafts.keep_recording(
        draft, VOICE, by=7, by_name="Ana", file_id="AwAD-voice", at=at(1)
    )
    assert kept
    shown = await storage.drafts.get(draft)
    assert shown is not None
    assert shown.recorded_by_name == "Ana"

    stored = await storage.drafts.publish(draft, by=7, at=at(2))

    assert isinstance(stored, StoredBrief)
    heard = await storage.audio.current(stored.id, stored.version)
    assert heard is not None
    assert (heard.kind, heard.engine, heard.recorded_by_name) == ("recorded", "editor", "Ana")
    assert [(p.data, p.duration, p.file_id) for p in heard.parts] == [
        (VOICE.data, VOICE.duration, "AwAD-voice")
    ]


async def test_a_correction_takes_its_recording_and_the_version_before_keeps_its_own(
    storage: Storage,
) -> None:
    original = await storage.briefs.publish(make_brief("v1"), by=None, at=at(0))
    first = AudioPart(b"OggS version one", 30.0)
    await storage.audio.store_recording(
        original.id, 1, first, by=8, by_name="Bo", file_id=None, at=at(0)
    )
    draft = await _draft(storage, "v2", correcting=original)
    assert await storage.drafts.keep_recording(
        draft, VOICE, by=7, by_name="Ana", file_id=None, at=at(1)
    )
    # A second take replaces the first.
    second = AudioPart(b"OggS second take", 44.0)
    assert await storage.drafts.keep_recording(
        draft, second, by=7, by_name="Ana", file_id=None, at=at(1)
    )

    stored = await storage.drafts.publish(draft, by=7, at=at(2))

    assert isinstance(stored, StoredBrief)
    assert stored.version == 2
    new = await storage.audio.current(original.id, 2)
    old = await storage.audio.current(original.id, 1)
    assert new is not None
    assert old is not None
    assert ([p.data for p in new.parts], new.recorded_by_name) == ([second.data], "Ana")
    assert ([p.data for p in old.parts], old.recorded_by_name) == ([first.data], "Bo")


async def test_a_draft_without_a_recording_publishes_none(storage: Storage) -> None:
    stored = await storage.drafts.publish(await _draft(storage), by=7, at=at(2))
    assert isinstance(stored, StoredBrief)
    assert await storage.audio.current(stored.id, stored.version) is None


async def test_a_discarded_or_expired_draft_keeps_no_recording(storage: Storage) -> None:
    discarded = await _draft(storage)
    await storage.drafts.discard(discarded)
    assert not await storage.drafts.keep_recording(
        discarded, VOICE, by=7, by_name="Ana", file_id=None, at=at(1)
    )
    expiring = await _draft(storage)
    assert not await storage.drafts.keep_recording(
        expiring, VOICE, by=7, by_name="Ana", file_id=None, at=at(30)
    )
    assert (await storage.drafts.get(expiring)).recorded_by_name is None  # type: ignore[union-attr]


async def test_a_stale_correction_keeps_its_recording_for_discard_or_a_new_upload(
    storage: Storage,
) -> None:
    original = await storage.briefs.publish(make_brief("v1"), by=None, at=at(0))
    draft = await _draft(storage, "v2", correcting=original)
    await storage.drafts.keep_recording(draft, VOICE, by=7, by_name="Ana", file_id=None, at=at(1))
    await storage.briefs.correct(original.id, make_brief("v2 elsewhere"), by=9, at=at(1))

    refused = await storage.drafts.publish(draft, by=7, at=at(2))

    assert not isinstance(refused, StoredBrief)
    assert await storage.audio.current(original.id, 2) is None
    kept = await storage.drafts.get(draft)
    assert kept is not None
    assert kept.recorded_by_name == "Ana"


async def test_open_drafts_are_the_admin_s_own_in_that_chat_newest_first(storage: Storage) -> None:
    older, newer = await _draft(storage, "one"), await _draft(storage, "two")
    other = await storage.drafts.create(
        admin_id=8,
        chat_id=80,
        brief=make_brief("three"),
        warnings=(),
        correcting=None,
        at=at(0),
        expires_at=at(30),
    )
    assert [d.id for d in await storage.drafts.open_drafts(7, 70, at=at(1))] == [newer, older]
    assert [d.id for d in await storage.drafts.open_drafts(8, 80, at=at(1))] == [other.id]
    assert await storage.drafts.open_drafts(7, 80, at=at(1)) == []
    assert await storage.drafts.open_drafts(7, 70, at=at(30)) == []


async def test_a_recording_and_a_publish_at_once_never_lose_the_recording(
    storage: Storage,
) -> None:
    for round_ in range(10):
        draft = await _draft(storage, f"r{round_}")
        kept, stored = await asyncio.gather(
            storage.drafts.keep_recording(
                draft, VOICE, by=7, by_name="Ana", file_id=None, at=at(1)
            ),
            storage.drafts.publish(draft, by=7, at=at(1)),
        )
        assert isinstance(stored, StoredBrief)
        heard = await storage.audio.current(stored.id, stored.version)
        # Kept means published with it; refused means the admin is told the draft is gone.
        assert (heard is not None) is kept
