"""Corrections, retractions, history, statistics, the admin menu and draft expiry."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.telegram.admin import drafts as draft_handlers
from bot.telegram.context import BriefApplication
from storage import Storage, StoredBrief
from tests.e2e.conftest import ADMIN_ID, AppFactory, press, publish_file, say
from tests.fakebot import FakeBotApi, FakeUser

NEW_TITLE = "Harbor Bridge Vote Delayed to March"


def corrected_text(briefs_dir: Path) -> str:
    lines = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8").splitlines()
    return "\n".join([NEW_TITLE, *lines[1:]])


async def test_a_correction_replaces_the_brief_and_edits_pushed_copies(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    published: StoredBrief,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    # The daily push delivered the summary to three readers; since then one deleted
    # the message and one blocked the bot.
    [pushed] = await say(server, reader, "/brief")
    deleted, blocked = server.user(43, "Bo"), server.user(44, "Cy")
    [deleted_copy] = await say(server, deleted, "/brief")
    [blocked_copy] = await say(server, blocked, "/brief")
    now = datetime.now(UTC)
    for user, message in ((reader, pushed), (deleted, deleted_copy), (blocked, blocked_copy)):
        assert await storage.deliveries.claim(published.id, user.id, at=now)
        await storage.deliveries.mark_sent(published.id, user.id, (message.message_id,), at=now)
    # A fourth had it in a digest, whose buttons always open the current version: no edit.
    digest = server.user(45, "Di")
    assert await storage.deliveries.claim(published.id, digest.id, at=now)
    await storage.deliveries.mark_sent(published.id, digest.id, (), at=now)
    server.fail(
        "editMessageText",
        chat_id=deleted.id,
        error_code=400,
        description="Bad Request: message to edit not found",
    )
    server.fail(
        "editMessageText",
        chat_id=blocked.id,
        error_code=403,
        description="Forbidden: bot was blocked by the user",
    )

    [prompt] = await say(server, admin, "/correct 1")
    assert "Send the corrected brief #1" in prompt.text
    summary, details = await say(server, admin, corrected_text(briefs_dir), expect=2)
    assert summary.text.splitlines()[0] == NEW_TITLE
    assert "Brief #1" in summary.text
    assert "Updated" in summary.text
    assert "correction to brief #1 (version 2)" in details.text

    _, [done, copies] = await press(server, admin, details, "Publish", expect=2)
    assert "Brief #1 corrected (version 2)" in done.text
    assert "1 edited" in copies.text
    assert "2 could not be edited" in copies.text

    edited = server.sent(reader.id)[0]
    assert edited.message_id == pushed.message_id
    assert edited.edits == 1
    assert edited.text.splitlines()[0] == NEW_TITLE
    assert "Updated" in edited.text
    assert [b["text"] for b in edited.buttons[0]] == ["Facts", "Sources", "Narratives"]
    assert edited.button("Share")["switch_inline_query"] == "#1"
    [fresh] = await say(server, reader, "/brief")
    assert fresh.text == edited.text

    current = await storage.briefs.get(1)
    first = await storage.briefs.version(1, 1)
    assert current is not None
    assert first is not None
    assert (current.version, current.brief.title) == (2, NEW_TITLE)
    assert first.brief == published.brief  # the earlier version is kept
    [history] = await say(server, admin, "/history 1")
    assert "published" in history.text
    assert "corrected (version 2) by 1000" in history.text


async def test_a_refused_correction_can_be_sent_again_and_cancel_forgets_it(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    published: StoredBrief,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    await say(server, admin, "/correct 1")
    [refusal] = await say(server, admin, NEW_TITLE + "\nJust a summary.")
    assert "Not stored" in refusal.text
    _, details = await say(server, admin, corrected_text(briefs_dir), expect=2)
    assert "correction to brief #1" in details.text
    await press(server, admin, details, "Discard", expect=1)
    assert (await storage.briefs.get(1)) == published

    await say(server, admin, "/correct 1")
    [cancelled] = await say(server, admin, "/cancel")
    assert "Correction of brief #1 cancelled" in cancelled.text
    _, details = await say(server, admin, corrected_text(briefs_dir), expect=2)
    assert "correction" not in details.text
    _, [done] = await press(server, admin, details, "Publish", expect=1)
    assert "Published as brief #2" in done.text


async def test_correct_needs_an_existing_brief(
    server: FakeBotApi, bot_app: BriefApplication, admin: FakeUser, published: StoredBrief
) -> None:
    [usage] = await say(server, admin, "/correct")
    assert "/correct 3" in usage.text
    [usage] = await say(server, admin, "/correct one")
    assert "/correct 3" in usage.text
    [missing] = await say(server, admin, "/correct 7")
    assert "There is no brief #7" in missing.text


async def test_retract_hides_a_brief_from_readers(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    published: StoredBrief,
    db_path: Path,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    await publish_file(db_path, briefs_dir / "coastal-wind-farm.txt")
    [opened] = await say(server, reader, "/brief 1")
    [done] = await say(server, admin, "/retract 1")
    assert "Brief #1 withdrawn" in done.text

    [reply] = await say(server, reader, "/brief 1")
    assert "withdrawn" in reply.text
    [reply] = await say(server, reader, "/facts 1")
    assert "withdrawn" in reply.text
    _, [reply] = await press(server, reader, opened, "Facts", expect=1)
    assert "withdrawn" in reply.text
    [latest] = await say(server, reader, "/brief")
    assert "Brief #2" in latest.text

    [again] = await say(server, admin, "/retract 1")
    assert "was withdrawn on" in again.text
    [refused] = await say(server, admin, "/correct 1")
    assert "was withdrawn on" in refused.text
    [history] = await say(server, admin, "/history 1")
    assert "withdrawn by 1000" in history.text
    assert [e.action for e in await storage.briefs.history(1)] == ["publish", "retract"]
    [missing] = await say(server, admin, "/retract 9")
    assert "There is no brief #9" in missing.text


async def test_stats_counts_briefs_subscribers_and_the_last_push(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    published: StoredBrief,
    storage: Storage,
) -> None:
    [empty] = await say(server, admin, "/stats")
    assert "Briefs published: 1" in empty.text
    assert "0 active, 0 blocked" in empty.text
    assert "Last push: none yet" in empty.text

    now = datetime.now(UTC)
    for chat_id in (1, 2, 3):
        await storage.subscribers.subscribe(
            chat_id, delivery_time=time(8), timezone="UTC", next_due_at=now, at=now
        )
    await storage.subscribers.set_blocked(3, True, at=now)
    run = await storage.pushes.begin(brief_id=1, by=None, total=3, at=now)
    await storage.pushes.finish(run.id, sent=2, failed=1, skipped=0, at=now)
    [stats] = await say(server, admin, "/stats")
    assert "2 active, 1 blocked" in stats.text
    assert "Last push: brief #1" in stats.text
    assert "2 sent, 1 failed, 0 skipped, of 3" in stats.text


async def test_the_admin_menu_is_only_in_admin_chats(
    server: FakeBotApi, bot_app: BriefApplication
) -> None:
    default = [c["command"] for c in server.commands()]
    admin_menu = [c["command"] for c in server.commands({"type": "chat", "chat_id": ADMIN_ID})]
    assert "stats" not in default
    assert admin_menu[: len(default)] == default
    assert {"stats", "correct", "retract", "history", "cancel", "template"} <= set(admin_menu)


async def test_an_unused_draft_expires_after_a_day(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    briefs_dir: Path,
    storage: Storage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8")
    _, details = await say(server, admin, text, expect=2)
    assert await storage.drafts.get(1) is not None
    later = datetime.now(UTC) + timedelta(days=1, minutes=1)
    monkeypatch.setattr(draft_handlers, "now", lambda: later)

    answer, _ = await press(server, admin, details, "Publish")
    assert answer is not None
    assert "expired" in str(answer.get("text"))
    assert await storage.briefs.count() == 0
    await server.wait_for_call("editMessageReplyMarkup")
    assert server.sent(admin.id)[-1].buttons == []

    assert bot_app.job_queue is not None
    [cleanup] = bot_app.job_queue.get_jobs_by_name("admin-expire-leftovers")
    await cleanup.run(bot_app)
    assert await storage.drafts.get(1) is None


async def test_a_correction_of_a_brief_withdrawn_since_its_preview_is_not_published(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    published: StoredBrief,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    await say(server, admin, "/correct 1")
    _, details = await say(server, admin, corrected_text(briefs_dir), expect=2)
    await say(server, admin, "/retract 1")
    _, [refused] = await press(server, admin, details, "Publish", expect=1)
    assert "was withdrawn on" in refused.text
    stored = await storage.briefs.get(1)
    assert stored is not None
    assert stored.version == 1
    assert stored.retracted_at is not None


async def test_a_copy_already_showing_the_correction_counts_as_current(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    published: StoredBrief,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    [pushed] = await say(server, reader, "/brief")
    now = datetime.now(UTC)
    await storage.deliveries.claim(1, reader.id, at=now)
    await storage.deliveries.mark_sent(1, reader.id, (pushed.message_id,), at=now)
    server.fail(
        "editMessageText",
        chat_id=reader.id,
        error_code=400,
        description="Bad Request: message is not modified: specified new message content and "
        "reply markup are exactly the same as a current content and reply markup of the message",
    )
    await say(server, admin, "/correct 1")
    _, details = await say(server, admin, corrected_text(briefs_dir), expect=2)
    _, [_, copies] = await press(server, admin, details, "Publish", expect=2)
    assert "0 edited, 1 already current" in copies.text


async def test_an_admin_who_opens_the_bot_after_start_gets_the_menu(
    server: FakeBotApi, make_app: AppFactory
) -> None:
    late = 3000
    async with make_app(ADMIN_IDS=f"{ADMIN_ID},{late}"):
        assert server.commands({"type": "chat", "chat_id": late}) == []
        newcomer = server.user(late, "New editor")
        [reply] = await say(server, newcomer, "/stats")
        assert "Briefs published: 0" in reply.text
        await server.wait_for_call(
            "setMyCommands", where=lambda c: c.params.get("scope", {}).get("chat_id") == late
        )
        menu = [c["command"] for c in server.commands({"type": "chat", "chat_id": late})]
        assert {"stats", "correct", "retract", "history", "push"} <= set(menu)
