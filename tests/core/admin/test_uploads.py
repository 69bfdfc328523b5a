"""What becomes of an admin's upload (bot/core/publishing/uploads.py): a preview with its
Publish and Discard buttons, a refusal listing every problem, a file turned away, a paste
joined from its parts, and the correction a /correct before it makes it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.chat import DraftChoice, Reply
from bot.core.publishing import paste
from bot.core.publishing.admin_commands import cancel_correction, retract_brief, start_correction
from bot.core.publishing.drafts import DRAFT_LIFETIME, drop_expired
from bot.core.publishing.uploads import (
    document_refusal,
    not_own,
    receive_document,
    receive_paste,
    receive_upload,
)
from bot.core.rendering import Renderer
from brief import MAX_BRIEF_BYTES, BriefError, parse_text
from brief.isolated import Upload
from storage import Storage
from tests.core.admin.conftest import (
    ADMIN,
    CHAT,
    PUTIN,
    brief_text,
    clock,
    corrected_text,
    parse,
)
from tests.core.conftest import NOW, Publish, actions, labels, text_of

BROKEN = "<Title>\nSummary\nFacts\n- A fact.3\nSources: 1A.\nNarratives\n- x"


async def upload(storage: Storage, renderer: Renderer, text: str) -> Reply:
    return await receive_upload(
        storage, renderer, parse, chat_id=CHAT, admin_id=ADMIN, upload=Upload(text), clock=clock
    )


async def test_an_upload_is_stored_as_a_draft_and_previewed_with_its_buttons(
    storage: Storage, renderer: Renderer, briefs_dir: Path
) -> None:
    reply = await upload(storage, renderer, brief_text(briefs_dir))
    summary, details = reply.texts
    assert PUTIN in summary
    assert "Preview: the summary above is what readers will see." in text_of(Reply([details]))
    assert "6 facts · 6 sources · 2 narratives" in details
    assert "Publish makes it the latest brief." in details
    assert actions(reply.keyboard) == [DraftChoice(1, "publish"), DraftChoice(1, "discard")]
    assert labels(reply.keyboard) == ["Publish", "Discard"]
    draft = await storage.drafts.get(1)
    assert draft is not None
    assert (draft.admin_id, draft.chat_id, draft.correcting) == (ADMIN, CHAT, None)
    assert (draft.created_at, draft.expires_at) == (NOW, NOW + DRAFT_LIFETIME)
    assert draft.brief.title == PUTIN


async def test_a_refused_upload_lists_every_problem_and_stores_nothing(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    await publish("putin-north-korea.txt")
    await start_correction(storage, renderer, chat_id=CHAT, args=["1"], now=NOW)
    reply = await upload(storage, renderer, BROKEN)
    text = text_of(reply)
    assert text.startswith("Not stored: 3 problems to fix.")
    with pytest.raises(BriefError) as refused:
        parse_text(BROKEN)
    for problem in refused.value.problems:
        assert f"• {problem}" in text
    assert "Fix the lines above and send the whole brief again." in text
    assert reply.keyboard is None
    assert await storage.drafts.get(1) is None
    # The /correct waits for an upload that can be its correction.
    cancelled = await cancel_correction(storage, renderer, chat_id=CHAT, now=NOW)
    assert "Correction of brief #1 cancelled" in text_of(cancelled)


async def test_an_upload_after_correct_is_a_correction_of_that_brief_once(
    storage: Storage, renderer: Renderer, publish: Publish, briefs_dir: Path
) -> None:
    await publish("putin-north-korea.txt")
    await start_correction(storage, renderer, chat_id=CHAT, args=["1"], now=NOW)
    reply = await upload(storage, renderer, corrected_text(briefs_dir))
    summary, details = (text_of(Reply([text])) for text in reply.texts)
    assert "Brief #1 · 18 June 2026" in summary
    assert "Updated 18 June 2026, 09:30 UTC" in summary
    assert "Preview of the correction to brief #1 (version 2)" in details
    assert "Publish replaces brief #1 for readers and edits the copies" in details
    draft = await storage.drafts.get(1)
    assert draft is not None
    assert (draft.correcting, draft.based_on) == (1, 1)
    # Taken by this upload: the next one is a new brief.
    await upload(storage, renderer, brief_text(briefs_dir, "coastal-wind-farm.txt"))
    second = await storage.drafts.get(2)
    assert second is not None
    assert second.correcting is None


async def test_a_correction_of_a_brief_withdrawn_since_correct_is_not_drafted(
    storage: Storage, renderer: Renderer, publish: Publish, briefs_dir: Path
) -> None:
    await publish("putin-north-korea.txt")
    await start_correction(storage, renderer, chat_id=CHAT, args=["1"], now=NOW)
    await retract_brief(storage, renderer, admin_id=ADMIN + 1, args=["1"], now=NOW)
    reply = await upload(storage, renderer, corrected_text(briefs_dir))
    assert "Brief #1 was withdrawn on 18 June 2026" in text_of(reply)
    assert reply.keyboard is None
    assert await storage.drafts.get(1) is None


def test_a_forward_of_someone_elses_words_is_not_an_upload(renderer: Renderer) -> None:
    text = text_of(not_own(renderer))
    assert text.startswith("Not stored: a forwarded message is only taken as a brief")
    assert "Paste the brief's text or send it as a file instead." in text


@pytest.mark.parametrize("name", ["brief.txt", "brief.md", "BRIEF.JSON"])
def test_a_text_or_json_file_is_downloaded(renderer: Renderer, name: str) -> None:
    assert document_refusal(renderer, name, MAX_BRIEF_BYTES) is None
    assert document_refusal(renderer, name, None) is None  # a size not declared


def test_a_file_is_turned_away_by_its_type_or_declared_size(renderer: Renderer) -> None:
    wrong = document_refusal(renderer, "brief.pdf", 100)
    assert wrong is not None
    assert "Not stored: brief.pdf is not a file the bot reads." in text_of(wrong)
    assert "Send the brief as a .txt, .md or .json file" in text_of(wrong)
    unnamed = document_refusal(renderer, None, 100)
    assert unnamed is not None
    assert "Not stored: the file is not a file the bot reads." in text_of(unnamed)
    big = document_refusal(renderer, "brief.txt", 3 * MAX_BRIEF_BYTES)
    assert big is not None
    assert "Not stored: brief.txt is 3.0 MB; a brief file may be at most 1 MB." in text_of(big)


async def test_a_downloaded_file_is_refused_by_its_size_or_received(
    storage: Storage, renderer: Renderer, briefs_dir: Path
) -> None:
    async def document(name: str, content: bytes) -> Reply:
        return await receive_document(
            storage,
            renderer,
            parse,
            chat_id=CHAT,
            admin_id=ADMIN,
            file_name=name,
            content=content,
            clock=clock,
        )

    # Telegram's declared size is not trusted: the bytes are measured again.
    big = await document("brief.txt", b"x" * (MAX_BRIEF_BYTES + 1))
    assert "a brief file may be at most 1 MB" in text_of(big)
    assert await storage.drafts.get(1) is None
    reply = await document("brief.txt", (briefs_dir / "putin-north-korea.txt").read_bytes())
    assert actions(reply.keyboard) == [DraftChoice(1, "publish"), DraftChoice(1, "discard")]


async def test_a_paste_is_joined_by_the_timer_of_its_newest_part(
    storage: Storage, renderer: Renderer, briefs_dir: Path
) -> None:
    lines = brief_text(briefs_dir).splitlines()
    halves = ("\n".join(lines[:8]), "\n".join(lines[8:]))
    first = await paste.add_part(storage, CHAT, 10, halves[0], (), NOW)
    second = await paste.add_part(storage, CHAT, 11, halves[1], (), NOW)
    assert first is not None
    assert second is not None
    assert await paste.add_part(storage, CHAT, 11, halves[1], (), NOW) is None  # a repeat
    assert paste.newer_timer_waiting([second], first)
    assert not paste.newer_timer_waiting([first], second)

    async def timer(last: int) -> Reply | None:
        return await receive_paste(
            storage, renderer, parse, chat_id=CHAT, admin_id=ADMIN, last=last, clock=clock
        )

    assert await timer(first) is None  # the newer part's timer joins the paste
    reply = await timer(second)
    assert reply is not None
    assert PUTIN in reply.texts[0]
    assert "6 facts · 6 sources · 2 narratives" in reply.texts[-1]
    assert await timer(second) is None  # taken: a second timer finds nothing


async def test_leftovers_past_their_time_are_dropped(
    storage: Storage, renderer: Renderer, publish: Publish, briefs_dir: Path
) -> None:
    await publish("putin-north-korea.txt")
    await upload(storage, renderer, brief_text(briefs_dir))
    await start_correction(storage, renderer, chat_id=CHAT, args=["1"], now=NOW)
    await drop_expired(storage, NOW + timedelta(hours=1))
    assert await storage.drafts.get(1) is not None
    await drop_expired(storage, NOW + DRAFT_LIFETIME + timedelta(seconds=1))
    assert await storage.drafts.get(1) is None
    nothing = await cancel_correction(storage, renderer, chat_id=CHAT, now=NOW)
    assert "Nothing to cancel" in text_of(nothing)
