"""A press on a preview's Publish or Discard (bot/core/publishing/drafts.py, decide): who may
press, what is published, and a correction refused when its basis is stale."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.chat import DraftChoice, DraftStep
from bot.core.publishing.admin_commands import retract_brief, start_correction
from bot.core.publishing.drafts import DRAFT_LIFETIME, Decision, decide
from bot.core.publishing.uploads import receive_upload
from bot.core.rendering import Renderer
from brief.isolated import Upload
from storage import Storage
from tests.core.admin.conftest import ADMIN, CHAT, brief_text, clock, corrected_text, parse
from tests.core.conftest import NOW, Publish, text_of


def link(brief_id: int) -> str:
    return f"https://chat.example/brief/{brief_id}"


async def draft_of(
    storage: Storage, renderer: Renderer, text: str, *, correcting: int | None = None
) -> int:
    """A draft of `text` (a correction of `correcting`) as an upload makes it; its id."""
    if correcting is not None:
        args = [str(correcting)]
        await start_correction(storage, renderer, chat_id=CHAT, args=args, now=NOW)
    reply = await receive_upload(
        storage, renderer, parse, chat_id=CHAT, admin_id=ADMIN, upload=Upload(text), clock=clock
    )
    assert reply.keyboard is not None
    choice = reply.keyboard[0][0].action
    assert isinstance(choice, DraftChoice)
    return choice.draft_id


async def press(
    storage: Storage,
    renderer: Renderer,
    draft_id: int,
    step: DraftStep = "publish",
    *,
    user_id: int = ADMIN,
    chat_id: int = CHAT,
    after: timedelta = timedelta(minutes=5),
) -> Decision:
    return await decide(
        storage,
        renderer,
        DraftChoice(draft_id, step),
        user_id=user_id,
        chat_id=chat_id,
        now=NOW + after,
        link=link,
    )


async def test_publish_makes_the_draft_the_latest_brief(
    storage: Storage, renderer: Renderer, briefs_dir: Path
) -> None:
    draft_id = await draft_of(storage, renderer, brief_text(briefs_dir))
    decision = await press(storage, renderer, draft_id)
    assert decision.reply is not None
    text = text_of(decision.reply)
    assert "Published as brief #1; it is now the latest brief." in text
    assert "Link for readers: https://chat.example/brief/1" in text
    assert (decision.close_preview, decision.corrected, decision.answer) == (True, False, None)
    assert decision.published is not None
    assert decision.published.id == 1
    gone = await press(storage, renderer, draft_id)
    assert gone.answer is not None
    assert "This draft has expired or was already published or discarded" in gone.answer
    assert (gone.reply, gone.close_preview, gone.published) == (None, False, None)


async def test_discard_drops_the_draft_and_publishes_nothing(
    storage: Storage, renderer: Renderer, briefs_dir: Path
) -> None:
    draft_id = await draft_of(storage, renderer, brief_text(briefs_dir))
    decision = await press(storage, renderer, draft_id, "discard")
    assert decision.reply is not None
    assert text_of(decision.reply).strip() == "Draft discarded; nothing was published."
    assert decision.close_preview
    assert decision.published is None
    assert await storage.drafts.get(draft_id) is None
    assert await storage.briefs.count() == 0


async def test_only_its_admin_in_its_chat_may_press_and_not_once_it_expired(
    storage: Storage, renderer: Renderer, briefs_dir: Path
) -> None:
    draft_id = await draft_of(storage, renderer, brief_text(briefs_dir))
    for someone in (
        await press(storage, renderer, draft_id, user_id=ADMIN + 1),
        await press(storage, renderer, draft_id, "discard", chat_id=CHAT + 1),
    ):
        assert someone.answer is not None
        assert someone.answer.startswith("Only the admin who uploaded this draft")
        assert (someone.reply, someone.close_preview) == (None, False)
    expired = await press(storage, renderer, draft_id, after=DRAFT_LIFETIME)
    assert expired.answer is not None
    assert "This draft has expired" in expired.answer
    assert expired.close_preview
    assert await storage.briefs.count() == 0


async def test_a_correction_made_from_a_replaced_version_is_refused(
    storage: Storage, renderer: Renderer, publish: Publish, briefs_dir: Path
) -> None:
    await publish("putin-north-korea.txt")
    first = await draft_of(storage, renderer, corrected_text(briefs_dir, "First"), correcting=1)
    second = await draft_of(storage, renderer, corrected_text(briefs_dir, "Second"), correcting=1)
    published = await press(storage, renderer, first)
    assert published.reply is not None
    assert "Brief #1 corrected (version 2)." in text_of(published.reply)
    assert published.corrected
    assert published.published is not None
    assert published.published.version == 2

    stale = await press(storage, renderer, second)
    assert stale.reply is not None
    text = text_of(stale.reply)
    assert "Not published. Your correction was made from version 1 of brief #1" in text
    assert f"• version 2 by {ADMIN}, 18 June 2026, 09:35 UTC" in text
    assert "/brief 1 shows version 2; to correct it, send /correct 1" in text
    # The preview keeps its buttons: Discard still drops the draft.
    assert (stale.close_preview, stale.published) == (False, None)
    assert await storage.drafts.get(second) is not None
    current = await storage.briefs.get(1)
    assert current is not None
    assert (current.version, current.brief.title) == (2, "First")


async def test_a_correction_of_a_brief_withdrawn_since_its_preview_is_not_published(
    storage: Storage, renderer: Renderer, publish: Publish, briefs_dir: Path
) -> None:
    await publish("putin-north-korea.txt")
    draft_id = await draft_of(storage, renderer, corrected_text(briefs_dir), correcting=1)
    await retract_brief(storage, renderer, admin_id=ADMIN, args=["1"], now=NOW)
    decision = await press(storage, renderer, draft_id)
    assert decision.reply is not None
    assert "Brief #1 was withdrawn on 18 June 2026" in text_of(decision.reply)
    assert decision.close_preview
    assert decision.published is None
    withdrawn = await storage.briefs.get(1)
    assert withdrawn is not None
    assert withdrawn.retracted_at == NOW
