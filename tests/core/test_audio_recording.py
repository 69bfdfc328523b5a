"""Which brief or draft an editor's recording is for, from what the message replied to
names (bot/core/audio/recording.py): a draft's buttons, a brief's buttons or links, else
the title an admin's draft or the latest brief has; and the admin told when it cannot be
right."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.audio.recording import Replied, recorded_target, take_recording
from bot.core.rendering import Renderer
from brief import parse_text
from storage import Draft, Storage
from tests.core.conftest import NOW, Publish, text_of
from tests.fakebot.ogg import ogg_opus

ADMIN, CHAT = 7, 7


async def draft_of(storage: Storage, briefs_dir: Path, name: str, *, admin: int = ADMIN) -> Draft:
    brief = parse_text((briefs_dir / name).read_text(encoding="utf-8")).brief
    return await storage.drafts.create(
        admin_id=admin,
        chat_id=admin,
        brief=brief,
        warnings=(),
        correcting=None,
        at=NOW,
        expires_at=NOW + timedelta(days=1),
    )


async def target(storage: Storage, replied: Replied) -> object:
    found = await recorded_target(storage, replied, admin_id=ADMIN, chat_id=CHAT, at=NOW)
    return found.id if isinstance(found, Draft) else found


async def test_the_draft_a_preview_names_or_titles_is_the_target(
    storage: Storage, briefs_dir: Path, publish: Publish
) -> None:
    published = await publish("putin-north-korea.txt")
    draft = await draft_of(storage, briefs_dir, "harbor-bridge-vote.txt")
    title = draft.brief.title
    assert await target(storage, Replied(drafts=(draft.id,))) == draft.id
    assert await target(storage, Replied(first_line=f"  {title} ")) == draft.id
    assert await target(storage, Replied(briefs=(published.id,), first_line=title)) == 1
    assert await target(storage, Replied(first_line=published.brief.title)) == published.id
    assert await target(storage, Replied(first_line="Something else")) == "target"


async def test_a_correction_s_preview_titled_as_its_brief_is_the_draft_s(
    storage: Storage, briefs_dir: Path, publish: Publish
) -> None:
    published = await publish("harbor-bridge-vote.txt")
    draft = await draft_of(storage, briefs_dir, "harbor-bridge-vote.txt")
    assert await target(storage, Replied(first_line=published.brief.title)) == draft.id


async def test_another_admin_s_or_a_gone_draft_is_refused(
    storage: Storage, briefs_dir: Path
) -> None:
    theirs = await draft_of(storage, briefs_dir, "harbor-bridge-vote.txt", admin=8)
    assert await target(storage, Replied(drafts=(theirs.id,))) == "draft_gone"
    mine = await draft_of(storage, briefs_dir, "coastal-wind-farm.txt")
    await storage.drafts.discard(mine.id)
    assert await target(storage, Replied(drafts=(mine.id,))) == "draft_gone"


async def test_two_drafts_of_one_title_are_asked_apart(
    storage: Storage, briefs_dir: Path, renderer: Renderer
) -> None:
    first = await draft_of(storage, briefs_dir, "harbor-bridge-vote.txt")
    second = await draft_of(storage, briefs_dir, "harbor-bridge-vote.txt")
    title = first.brief.title
    assert await target(storage, Replied(first_line=title)) == "ambiguous"
    assert await target(storage, Replied(drafts=(first.id,), first_line=title)) == first.id
    reply = await take_recording(
        storage,
        renderer,
        replied=Replied(first_line=title),
        chat_id=CHAT,
        data=ogg_opus(2.0),
        by=ADMIN,
        by_name="Editor",
        file_id=None,
        opusenc=None,
        at=NOW,
    )
    assert "Several of your drafts have this title" in text_of(reply)
    assert (await storage.drafts.get(second.id)).recorded_by_name is None  # type: ignore[union-attr]


async def test_a_recording_kept_with_a_draft_says_so(
    storage: Storage, briefs_dir: Path, renderer: Renderer
) -> None:
    draft = await draft_of(storage, briefs_dir, "harbor-bridge-vote.txt")
    reply = await take_recording(
        storage,
        renderer,
        replied=Replied(drafts=(draft.id,)),
        chat_id=CHAT,
        data=ogg_opus(3.0),
        by=ADMIN,
        by_name="Editor",
        file_id="AwAD",
        opusenc=None,
        at=NOW,
    )
    assert f"Your recording is kept with the draft “{draft.brief.title}” (3 s)" in text_of(reply)
    kept = await storage.drafts.get(draft.id)
    assert kept is not None
    assert kept.recorded_by_name == "Editor"
