"""An admin's /push: everyone who has not received the brief gets it, with live progress."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.push import broadcast as broadcast_module
from storage import Storage
from tests.e2e.conftest import ADMIN_ID, AppFactory
from tests.e2e.push.conftest import add_subscribers, delivery, example_brief, publish, subscriber
from tests.fakebot import FakeBotApi, SentMessage
from tests.waiting import eventually, eventually_async

FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)
READERS = list(range(3000, 3040))


def titles(server: FakeBotApi, chat_id: int) -> list[str]:
    return [m.text.splitlines()[0] for m in server.sent(chat_id)]


async def run_push(server: FakeBotApi, text: str, *, within: float = 30.0) -> SentMessage:
    """Send /push as the admin; wait for the progress message to become the summary."""
    admin = server.world.users.get(ADMIN_ID) or server.user(ADMIN_ID, "Admin")
    before = len(server.sent(ADMIN_ID))
    await server.send_text(admin, text)
    [status] = (await server.wait_sent(ADMIN_ID, before + 1))[before:]
    await server.wait_for_call(
        "editMessageText",
        timeout=within,
        where=lambda c: (
            c.params["message_id"] == status.message_id and "Push finished" in c.params["text"]
        ),
    )
    return server.world.messages[(ADMIN_ID, status.message_id)]


@pytest.mark.long
async def test_push_reaches_every_subscriber_once_with_progress(
    server: FakeBotApi, db_path: Path, make_app: AppFactory
) -> None:
    for chat_id in READERS:
        server.user(chat_id)
    old, new = await publish(db_path, "Old story", "Bridge vote")
    # Far in the future: only the push sends anything.
    await add_subscribers(db_path, READERS, due=FAR_FUTURE)
    async with make_app(PUSH_RATE_LIMIT="8"):
        summary = await run_push(server, "/push")
        assert "Push finished" in summary.text
        assert f"Sent {len(READERS)} of {len(READERS)}" in summary.text
        for chat_id in READERS:
            assert titles(server, chat_id) == ["Bridge vote"]
        # Progress was shown while it ran, at most 5 s apart.
        edits = [
            c
            for c in server.calls
            if c.method == "editMessageText" and c.params["message_id"] == summary.message_id
        ]
        assert any("Remaining" in c.params["text"] for c in edits)
        start = next(
            c.at
            for c in server.calls
            if c.method == "sendMessage" and c.params["chat_id"] == ADMIN_ID
        )
        stamps = [start, *(c.at for c in edits)]
        assert max(b - a for a, b in itertools.pairwise(stamps)) <= 5.0

        # Again: nobody gets it twice; /push 1 sends the older brief to everyone.
        again = await run_push(server, "/push")
        assert f"{len(READERS)} had it already" in again.text
        await run_push(server, f"/push {old.id}")
    for chat_id in READERS:
        assert titles(server, chat_id) == ["Bridge vote", "Old story"]
    async with await Storage.open(db_path) as storage:
        last = await storage.pushes.last()
        assert last is not None
        assert (last.brief_id, last.sent, last.total) == (old.id, len(READERS), len(READERS))
        assert last.finished_at is not None
        copies = await storage.deliveries.sent_copies(new.id)
        assert len(copies) == len(READERS)


async def test_push_is_for_admins_only(
    server: FakeBotApi, db_path: Path, make_app: AppFactory
) -> None:
    reader = server.user(READERS[0])
    await publish(db_path, "Bridge vote")
    await add_subscribers(db_path, READERS[:1], due=FAR_FUTURE)
    async with make_app():
        await server.send_text(reader, "/push")
        # Updates are handled in order of arrival: once /help is answered, /push was handled.
        await server.send_text(reader, "/help")
        await server.wait_sent(reader.id, 1)
        await server.wait_for_call("getUpdates", count=3)
    assert not [m for m in server.sent(reader.id) if "Bridge vote" in m.text]
    assert not server.sent(ADMIN_ID)
    async with await Storage.open(db_path) as storage:
        assert await storage.pushes.last() is None


async def test_push_refuses_an_unknown_brief(
    server: FakeBotApi, db_path: Path, make_app: AppFactory
) -> None:
    admin = server.user(ADMIN_ID, "Admin")
    await publish(db_path, "Bridge vote")
    async with make_app():
        await server.send_text(admin, "/push 99")
        sent = await server.wait_sent(ADMIN_ID, 1)
    assert "no brief #99" in sent[-1].text


async def test_a_failed_push_send_of_an_older_brief_is_sent_again_soon(
    server: FakeBotApi, db_path: Path, make_app: AppFactory
) -> None:
    steady, flaky = READERS[:2]
    server.user(steady)
    server.user(flaky)
    now = datetime.now(UTC)
    [old] = await publish(db_path, "Old story", at=now - timedelta(hours=2))
    # Both had their daily delivery an hour ago; the next is hours away.
    daily = (now + timedelta(hours=6)).time().replace(second=0, microsecond=0)
    await add_subscribers(db_path, [steady, flaky], due=FAR_FUTURE, clock=daily)
    async with await Storage.open(db_path) as storage:
        for chat_id in (steady, flaky):
            await storage.subscribers.reschedule(
                chat_id, next_due_at=FAR_FUTURE, delivered_at=now - timedelta(hours=1)
            )
    await publish(db_path, "Fresh story", at=now - timedelta(minutes=5))
    server.fail("sendMessage", chat_id=flaky, times=None, error_code=502, description="Bad Gateway")
    async with make_app() as app:
        summary = await run_push(server, f"/push {old.id}")
        assert "1 failed" in summary.text
        record = await delivery(db_path, old.id, flaky)
        assert record is not None
        assert record.status == "failed"
        retrying = await subscriber(db_path, flaky)
        assert retrying is not None
        assert retrying.next_due_at <= datetime.now(UTC) + timedelta(minutes=1)
        # The minute passes and Telegram answers again: the push's brief arrives, and only
        # it: the rest waits for the reader's own time.
        server.clear_failures()
        async with await Storage.open(db_path) as storage:
            await storage.subscribers.reschedule(
                flaky, next_due_at=datetime.now(UTC), delivered_at=None
            )
        assert app.bot_data.services.push is not None
        await app.bot_data.services.push.deliver_due()
    assert titles(server, flaky) == ["Old story"]
    assert titles(server, steady) == ["Old story"]
    back = await subscriber(db_path, flaky)
    assert back is not None
    assert back.next_due_at > datetime.now(UTC) + timedelta(hours=1)


async def test_every_push_left_unfinished_goes_on_after_a_restart(
    server: FakeBotApi, db_path: Path, make_app: AppFactory
) -> None:
    readers = READERS[:3]
    for chat_id in readers:
        server.user(chat_id)
    first, second = await publish(db_path, "Bridge vote", "Budget cut")
    await add_subscribers(db_path, readers, due=FAR_FUTURE)
    async with await Storage.open(db_path) as storage:
        for brief in (first, second):
            await storage.pushes.begin(
                brief_id=brief.id, by=None, total=len(readers), at=datetime.now(UTC)
            )

    async def all_finished() -> bool:
        async with await Storage.open(db_path) as storage:
            return not await storage.pushes.unfinished()

    async with make_app():
        await eventually_async(all_finished, "both interrupted pushes to finish", within=15)
    for chat_id in readers:
        assert sorted(titles(server, chat_id)) == ["Bridge vote", "Budget cut"]


async def test_withdrawing_a_brief_stops_its_push_and_a_correction_is_sent_from_then_on(
    server: FakeBotApi, db_path: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(broadcast_module, "BROADCAST_BATCH", 5)  # re-read every 5 chats, not 500
    # Enough readers that the push is still reading batches when the withdrawal lands on a
    # slow machine: claimed sends already queued are not recalled.
    readers = list(range(3100, 3300))
    for chat_id in readers:
        server.user(chat_id)
    [brief] = await publish(db_path, "Bridge vote")
    await add_subscribers(db_path, readers, due=FAR_FUTURE)

    def reached() -> list[str]:
        return [m.text.splitlines()[0] for c in readers for m in server.sent(c)]

    async def until(count: int) -> None:
        await eventually(lambda: len(reached()) >= count, f"{count} sent", within=12)

    async with make_app(PUSH_RATE_LIMIT="10"):
        admin = server.world.users[ADMIN_ID]
        await server.send_text(admin, "/push")
        [status] = await server.wait_sent(ADMIN_ID, 1)
        await until(5)
        async with await Storage.open(db_path) as storage:
            corrected = replace(example_brief(), title="Bridge vote, corrected")
            await storage.briefs.correct(brief.id, corrected, by=ADMIN_ID, at=datetime.now(UTC))
        await until(len(reached()) + 40)
        async with await Storage.open(db_path) as storage:
            await storage.briefs.retract(brief.id, by=ADMIN_ID, at=datetime.now(UTC))
        withdrawn_at = len(reached())
        await server.wait_for_call(
            "editMessageText",
            timeout=30,
            where=lambda c: (
                c.params["message_id"] == status.message_id and "Push stopped" in c.params["text"]
            ),
        )
        summary = server.world.messages[(ADMIN_ID, status.message_id)]
    # The summary is written once every worker has returned: no send of this push follows it.
    sent = reached()
    assert "withdrawn" in summary.text
    assert "Bridge vote, corrected" in sent
    # What was already on its way when the withdrawal was read may arrive; nothing more.
    assert len(sent) < withdrawn_at + 40
    assert len(sent) < len(readers)
    async with await Storage.open(db_path) as storage:
        run = await storage.pushes.last()
        copies = await storage.deliveries.sent_copies(brief.id)
    assert run is not None
    assert run.finished_at is not None
    assert run.sent == len(copies) == len(sent)
    assert f"sent to {run.sent} of {len(readers)}" in summary.text


@pytest.mark.parametrize(("paid", "marked"), [("true", [True] * 5), ("false", [None] * 5)])
async def test_pushed_messages_are_marked_paid_only_when_paid_broadcasts_are_allowed(
    server: FakeBotApi, db_path: Path, make_app: AppFactory, paid: str, marked: list[bool | None]
) -> None:
    readers = READERS[:5]
    for chat_id in readers:
        server.user(chat_id)
    await publish(db_path, "Bridge vote")
    await add_subscribers(db_path, readers, due=FAR_FUTURE)
    async with make_app(ALLOW_PAID_BROADCAST=paid, PUSH_RATE_LIMIT="30"):
        await run_push(server, "/push")
    sends = [
        c for c in server.calls if c.method == "sendMessage" and c.params["chat_id"] in readers
    ]
    assert [c.params.get("allow_paid_broadcast") for c in sends] == marked
