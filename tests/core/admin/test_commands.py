"""The admins' commands about published briefs (bot/core/publishing/admin_commands.py):
/correct, /cancel, /retract, /history and /stats, with their usage and refusals."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.core.publishing.admin_commands import (
    ActorName,
    brief_argument,
    brief_history,
    cancel_correction,
    retract_brief,
    start_correction,
    statistics,
)
from bot.core.publishing.drafts import CORRECTION_LIFETIME
from bot.core.rendering import Renderer
from brief import parse_text
from storage import Storage
from tests.core.admin.conftest import ADMIN, CHAT, PUTIN, corrected_text
from tests.core.conftest import NOW, Publish, text_of

BAD_ARGUMENTS = [[], ["x"], ["#"], ["0"], ["1", "2"], ["1x"]]


@pytest.mark.parametrize(
    ("args", "expected"), [(["3"], 3), (["#3"], 3), *((args, None) for args in BAD_ARGUMENTS)]
)
def test_an_admin_command_names_one_brief_by_its_number(
    args: list[str], expected: int | None
) -> None:
    assert brief_argument(args) == expected


@pytest.mark.parametrize("args", BAD_ARGUMENTS)
async def test_without_one_brief_number_each_command_says_how_to_use_it(
    storage: Storage, renderer: Renderer, publish: Publish, args: list[str]
) -> None:
    await publish("putin-north-korea.txt")
    correct = await start_correction(storage, renderer, chat_id=CHAT, args=args, now=NOW)
    assert "Send /correct with a brief number, such as /correct 3." in text_of(correct)
    retraction = await retract_brief(storage, renderer, admin_id=ADMIN, args=args, now=NOW)
    assert "Send /retract with a brief number" in text_of(retraction.reply)
    assert retraction.withdrawn is None
    history = await brief_history(storage, renderer, args)
    assert "Send /history with a brief number" in text_of(history)
    # Nothing was set or changed: no correction pending, the brief still live.
    assert "Nothing to cancel" in text_of(
        await cancel_correction(storage, renderer, chat_id=CHAT, now=NOW)
    )
    stored = await storage.briefs.get(1)
    assert stored is not None
    assert stored.retracted_at is None


async def test_an_unknown_brief_is_named_in_every_answer(
    storage: Storage, renderer: Renderer
) -> None:
    correct = await start_correction(storage, renderer, chat_id=CHAT, args=["9"], now=NOW)
    assert text_of(correct).strip() == "There is no brief #9."
    retraction = await retract_brief(storage, renderer, admin_id=ADMIN, args=["9"], now=NOW)
    assert text_of(retraction.reply).strip() == "There is no brief #9."
    assert retraction.withdrawn is None
    history = await brief_history(storage, renderer, ["9"])
    assert text_of(history).strip() == "There is no brief #9."


async def test_a_withdrawn_brief_can_be_neither_corrected_nor_withdrawn_again(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    await publish("putin-north-korea.txt")
    first = await retract_brief(storage, renderer, admin_id=ADMIN, args=["1"], now=NOW)
    assert first.withdrawn is not None
    later = NOW + timedelta(hours=1)
    for answer in (
        await start_correction(storage, renderer, chat_id=CHAT, args=["1"], now=later),
        (await retract_brief(storage, renderer, admin_id=ADMIN, args=["1"], now=later)).reply,
    ):
        text = text_of(answer)
        assert "Brief #1 was withdrawn on 18 June 2026" in text
        assert "it can no longer be corrected or withdrawn" in text
        assert "/history 1 shows what happened to it" in text
    again = await retract_brief(storage, renderer, admin_id=ADMIN, args=["1"], now=later)
    assert again.withdrawn is None  # no copies to replace a second time
    assert await cancel_correction(storage, renderer, chat_id=CHAT, now=later) is not None
    stored = await storage.briefs.get(1)
    assert stored is not None
    assert stored.retracted_at == NOW  # the first withdrawal's time stays


async def test_correct_then_cancel(storage: Storage, renderer: Renderer, publish: Publish) -> None:
    await publish("putin-north-korea.txt")
    prompt = await start_correction(storage, renderer, chat_id=CHAT, args=["#1"], now=NOW)
    text = text_of(prompt)
    assert f"Send the corrected brief #1 ({PUTIN}) as a message or a file" in text
    assert "/cancel to stop" in text
    assert prompt.keyboard is None
    cancelled = await cancel_correction(storage, renderer, chat_id=CHAT, now=NOW)
    assert "Correction of brief #1 cancelled. Your next upload will be a new brief." in (
        text_of(cancelled)
    )
    nothing = await cancel_correction(storage, renderer, chat_id=CHAT, now=NOW)
    assert "Nothing to cancel. Your next upload will be a new brief." in text_of(nothing)


async def test_a_correction_is_pending_in_its_own_chat_and_for_a_day(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    await publish("putin-north-korea.txt")
    await start_correction(storage, renderer, chat_id=CHAT, args=["1"], now=NOW)
    other = await cancel_correction(storage, renderer, chat_id=CHAT + 1, now=NOW)
    assert "Nothing to cancel" in text_of(other)
    expired = NOW + CORRECTION_LIFETIME + timedelta(seconds=1)
    late = await cancel_correction(storage, renderer, chat_id=CHAT, now=expired)
    assert "Nothing to cancel" in text_of(late)


async def test_retract_answers_and_returns_the_withdrawn_brief(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    await publish("putin-north-korea.txt")
    retraction = await retract_brief(storage, renderer, admin_id=ADMIN, args=["1"], now=NOW)
    text = text_of(retraction.reply)
    assert "Brief #1 withdrawn. Readers who ask for it" in text
    assert "are told it was withdrawn; /history 1 records it." in text
    withdrawn = retraction.withdrawn
    assert withdrawn is not None
    assert (withdrawn.id, withdrawn.retracted_at, withdrawn.brief.title) == (1, NOW, PUTIN)
    assert await storage.briefs.latest() is None


async def test_history_lists_every_version_and_the_withdrawal(
    storage: Storage, renderer: Renderer, publish: Publish, briefs_dir: Path
) -> None:
    await publish("putin-north-korea.txt")
    corrected = parse_text(corrected_text(briefs_dir)).brief
    await storage.briefs.correct(1, corrected, by=ADMIN, at=NOW + timedelta(hours=1))
    live = text_of(await brief_history(storage, renderer, ["1"]))
    assert "History of brief #1 · Putin Visits North Korea" in live
    assert "Current version: 2" in live
    assert "18 June 2026, 09:30 UTC — published (version 1) by the command line" in live
    assert "18 June 2026, 10:30 UTC — corrected (version 2) by 1000" in live

    await retract_brief(storage, renderer, admin_id=ADMIN, args=["1"], now=NOW)
    withdrawn = text_of(await brief_history(storage, renderer, ["1"]))
    assert "\nWithdrawn\n" in withdrawn
    assert "withdrawn by 1000" in withdrawn
    assert "Current version" not in withdrawn


async def test_history_names_the_admins_the_chat_app_has_names_for(
    storage: Storage, renderer: Renderer, publish: Publish, briefs_dir: Path
) -> None:
    await publish("putin-north-korea.txt")
    named = 2**53
    corrected = parse_text(corrected_text(briefs_dir)).brief
    await storage.briefs.correct(1, corrected, by=named, at=NOW + timedelta(hours=1))
    await retract_brief(storage, renderer, admin_id=ADMIN, args=["1"], now=NOW)

    async def names(actor: int) -> ActorName | None:
        return (
            ActorName("@editor:example.org", "https://example.org/@editor")
            if actor == named
            else None
        )

    [text] = (await brief_history(storage, renderer, ["1"], names=names)).texts
    assert 'by <a href="https://example.org/@editor">@editor:example.org</a>' in text
    # An admin it has no name for keeps Telegram's link, as without `names`.
    assert f'by <a href="tg://user?id={ADMIN}">{ADMIN}</a>' in text


async def test_stats_counts_briefs_subscribers_and_the_last_push(
    storage: Storage, renderer: Renderer, publish: Publish
) -> None:
    empty = text_of(await statistics(storage, renderer))
    assert "briefbot statistics" in empty
    assert "Briefs published: 0" in empty
    assert "Subscribers: 0 active, 0 blocked the bot" in empty
    assert "Last push: none yet" in empty

    await publish("putin-north-korea.txt")
    await publish("coastal-wind-farm.txt")
    for chat_id in (1, 2, 3):
        await storage.subscribers.subscribe(
            chat_id, delivery_time=time(8), timezone="UTC", next_due_at=NOW, at=NOW
        )
    await storage.subscribers.set_blocked(3, True, at=NOW)
    run = await storage.pushes.begin(brief_id=2, by=ADMIN, total=2, at=NOW)
    await storage.pushes.finish(run.id, sent=1, failed=1, skipped=0, at=NOW)
    text = text_of(await statistics(storage, renderer))
    assert "Briefs published: 2" in text
    assert "Subscribers: 2 active, 1 blocked the bot" in text
    assert "Last push: brief #2, started 18 June 2026, 09:30 UTC, finished" in text
    assert "1 sent, 1 failed, 0 skipped, of 2" in text
