"""The daily push through the real Application and the strict local Bot API server (when
each chat is next due, against an injected clock, in process: test_schedule_clock.py)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.push.engine import PushEngine
from bot.telegram.context import BriefApplication
from storage import Storage
from tests.e2e.conftest import AppFactory
from tests.e2e.push.conftest import add_subscribers, delivery, publish, subscriber
from tests.fakebot import FakeBotApi, SentMessage
from tests.waiting import eventually_async

READER = 42


def engine(app: BriefApplication) -> PushEngine:
    assert app.bot_data.services.push is not None
    return app.bot_data.services.push


def labels(message: SentMessage) -> list[str]:
    return [button["text"] for row in message.buttons for button in row]


def copies(server: FakeBotApi, chat_id: int) -> Counter[str]:
    """How many times each brief title reached the chat."""
    return Counter(m.text.splitlines()[0] for m in server.sent(chat_id))


async def test_a_due_subscriber_gets_each_new_brief_once_with_its_buttons(
    server: FakeBotApi, db_path: Path, bot_app: BriefApplication
) -> None:
    server.user(READER)
    first, second = await publish(db_path, "Bridge vote", "Budget cut")
    await add_subscribers(db_path, [READER])
    await engine(bot_app).deliver_due()
    sent = server.sent(READER)
    assert [m.text.splitlines()[0] for m in sent] == ["Bridge vote", "Budget cut"]
    for message in sent:
        # A pushed summary can be shared on, as one from /brief.
        assert labels(message) == ["Facts", "Sources", "Narratives", "Listen", "Share"]
    record = await delivery(db_path, first.id, READER)
    assert record is not None
    assert record.status == "sent"
    assert record.message_ids == (sent[0].message_id,)
    # Later ticks, a second run at once, overlapping runs: nothing is sent again.
    await asyncio.gather(engine(bot_app).deliver_due(), engine(bot_app).deliver_due())
    async with await Storage.open(db_path) as storage:
        await storage.subscribers.reschedule(
            READER,
            next_due_at=datetime.now(UTC),
            delivered_at=datetime.now(UTC) - timedelta(days=9),
        )
    await engine(bot_app).deliver_due()
    assert copies(server, READER) == {"Bridge vote": 1, "Budget cut": 1}
    assert second.id != first.id


async def test_nothing_new_sends_nothing(
    server: FakeBotApi, db_path: Path, bot_app: BriefApplication
) -> None:
    server.user(READER)
    await publish(db_path, "Old news", at=datetime.now(UTC) - timedelta(days=3))
    await add_subscribers(db_path, [READER])
    await engine(bot_app).deliver_due()
    assert server.sent(READER) == []
    stored = await subscriber(db_path, READER)
    assert stored is not None
    assert stored.next_due_at > datetime.now(UTC)


async def test_only_briefs_since_the_previous_delivery_arrive(
    server: FakeBotApi, db_path: Path, bot_app: BriefApplication
) -> None:
    server.user(READER)
    now = datetime.now(UTC)
    await publish(db_path, "Yesterday", at=now - timedelta(hours=20))
    await publish(db_path, "Today")
    # The chat's time fell an hour ago, after its previous delivery, whatever the hour of
    # the run: a fixed time such as 08:00 lies ahead of "now" for part of every day.
    clock = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    await add_subscribers(db_path, [READER], clock=clock)
    async with await Storage.open(db_path) as storage:
        await storage.subscribers.reschedule(
            READER,
            next_due_at=now - timedelta(seconds=1),
            delivered_at=now - timedelta(hours=10),
        )
    await engine(bot_app).deliver_due()
    assert copies(server, READER) == {"Today": 1}


async def test_more_than_five_new_briefs_arrive_as_one_digest(
    server: FakeBotApi, db_path: Path, bot_app: BriefApplication
) -> None:
    reader = server.user(READER)
    titles = [f"Story {n}" for n in range(1, 8)]
    stored = await publish(db_path, *titles)
    await add_subscribers(db_path, [READER])
    await engine(bot_app).deliver_due()
    [digest] = server.sent(READER)
    assert "7 new briefs" in digest.text
    # Each brief's title opens it; Listen beside it sends its voice note.
    assert [[b["text"] for b in row] for row in digest.buttons] == [[t, "Listen"] for t in titles]
    for brief in stored:
        record = await delivery(db_path, brief.id, READER)
        assert record is not None
        # No message ids: a correction must not turn the digest into one brief's summary.
        assert (record.status, record.message_ids) == ("sent", ())
    # A title's button opens that brief's summary, as the reader commands do.
    await server.press_button(reader, digest, f"brief:{stored[2].id}:summary")
    [summary] = (await server.wait_sent(READER, 2))[1:]
    assert summary.text.startswith("Story 3")


async def test_flood_control_answers_are_waited_out_and_retried(
    server: FakeBotApi, db_path: Path, bot_app: BriefApplication
) -> None:
    server.user(READER)
    await publish(db_path, "Bridge vote")
    await add_subscribers(db_path, [READER])
    server.fail(
        "sendMessage",
        chat_id=READER,
        times=2,
        error_code=429,
        description="Too Many Requests: retry after 1",
        parameters={"retry_after": 1},
    )
    await engine(bot_app).deliver_due()
    assert copies(server, READER) == {"Bridge vote": 1}
    refused = [c for c in server.errors() if c.error_code == 429]
    assert len(refused) == 2
    # The retry came no sooner than Telegram asked.
    accepted = [c for c in server.calls if c.method == "sendMessage" and c.ok]
    assert accepted[0].at - refused[0].at >= 1.0


async def test_a_blocked_chat_is_paused_and_the_others_still_get_theirs(
    server: FakeBotApi, db_path: Path, bot_app: BriefApplication
) -> None:
    blocked = server.user(43)
    server.user(READER)
    blocked.blocked = True  # blocked while the bot was not looking: only the 403 tells
    [brief] = await publish(db_path, "Bridge vote")
    await add_subscribers(db_path, [READER, 43])
    await engine(bot_app).deliver_due()
    assert copies(server, READER) == {"Bridge vote": 1}
    stored = await subscriber(db_path, 43)
    assert stored is not None
    assert stored.blocked
    record = await delivery(db_path, brief.id, 43)
    assert record is not None
    assert record.status == "failed"
    assert record.last_error is not None
    assert "blocked" in record.last_error
    # Unblocked: due at once, and the brief it missed arrives, once.
    blocked.blocked = False
    async with await Storage.open(db_path) as storage:
        await storage.subscribers.set_blocked(43, False, at=datetime.now(UTC))
    await engine(bot_app).deliver_due()
    assert copies(server, 43) == {"Bridge vote": 1}


async def test_server_errors_are_retried_then_recorded_and_sent_on_a_later_tick(
    server: FakeBotApi, db_path: Path, bot_app: BriefApplication
) -> None:
    server.user(READER)
    await publish(db_path, "Bridge vote")
    await add_subscribers(db_path, [READER])
    server.fail("sendMessage", chat_id=READER, times=2, error_code=502, description="Bad Gateway")
    await engine(bot_app).deliver_due()
    assert copies(server, READER) == {"Bridge vote": 1}
    # A longer outage: every retry fails, the row says so, and the chat is due again soon.
    [later] = await publish(db_path, "Budget cut", at=datetime.now(UTC) + timedelta(seconds=2))
    async with await Storage.open(db_path) as storage:
        # The next day's delivery: the previous one was a day ago.
        await storage.subscribers.reschedule(
            READER,
            next_due_at=datetime.now(UTC),
            delivered_at=datetime.now(UTC) - timedelta(days=1),
        )
    server.fail(
        "sendMessage", chat_id=READER, times=None, error_code=500, description="Internal error"
    )
    await engine(bot_app).deliver_due()
    stored = await subscriber(db_path, READER)
    assert stored is not None
    assert stored.next_due_at <= datetime.now(UTC) + timedelta(minutes=1)
    failed = await delivery(db_path, later.id, READER)
    assert failed is not None
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error is not None
    assert "Internal error" in failed.last_error
    server.clear_failures()
    async with await Storage.open(db_path) as storage:
        await storage.subscribers.reschedule(
            READER, next_due_at=datetime.now(UTC), delivered_at=None
        )
    await engine(bot_app).deliver_due()
    assert copies(server, READER) == {"Bridge vote": 1, "Budget cut": 1}


async def test_a_group_that_became_a_supergroup_is_followed(
    server: FakeBotApi, db_path: Path, bot_app: BriefApplication
) -> None:
    server.group(-500, "Readers")
    server.group(-1000500, "Readers", kind="supergroup")
    [brief] = await publish(db_path, "Bridge vote")
    await add_subscribers(db_path, [-500])
    server.fail(
        "sendMessage",
        chat_id=-500,
        times=None,
        error_code=400,
        description="Bad Request: group chat was upgraded to a supergroup chat",
        parameters={"migrate_to_chat_id": -1000500},
    )
    await engine(bot_app).deliver_due()
    assert copies(server, -1000500) == {"Bridge vote": 1}
    assert await subscriber(db_path, -500) is None
    moved = await subscriber(db_path, -1000500)
    assert moved is not None
    assert moved.active
    record = await delivery(db_path, brief.id, -1000500)
    assert record is not None
    assert record.status == "sent"


async def test_a_bot_that_was_down_catches_up_when_it_starts(
    server: FakeBotApi, db_path: Path, make_app: AppFactory
) -> None:
    server.user(READER)
    await publish(db_path, "Bridge vote")
    await add_subscribers(db_path, [READER], due=datetime.now(UTC) - timedelta(hours=5))
    async with make_app():
        await server.wait_sent(READER, 1)

        async def rescheduled() -> bool:
            stored = await subscriber(db_path, READER)
            return stored is not None and stored.next_due_at > datetime.now(UTC)

        # The catch-up run reschedules the chat after its sends: then it has sent all it will.
        await eventually_async(rescheduled, "the caught-up chat's next delivery time")
    assert copies(server, READER) == {"Bridge vote": 1}


async def retry_due_now(db_path: Path) -> int:
    """Let the minute before a failed chat's retry pass: it is due now. Returns how many."""
    soon = datetime.now(UTC) + timedelta(minutes=2)
    async with await Storage.open(db_path) as storage:
        retrying = list(await storage.subscribers.due(soon, limit=1000))
        for waiting in retrying:
            await storage.subscribers.reschedule(
                waiting.chat_id, next_due_at=datetime.now(UTC), delivered_at=None
            )
    return len(retrying)


@pytest.mark.long
async def test_within_telegrams_limits_under_mixed_failures_nothing_is_lost_or_doubled(
    server: FakeBotApi, db_path: Path, make_app: AppFactory
) -> None:
    """60 readers, 3 new briefs each; the server enforces its limits and refuses some sends."""
    server.limits.enabled = True
    readers = list(range(2000, 2060))
    for chat_id in readers:
        server.user(chat_id).blocked = chat_id in (2007, 2033)
    await publish(db_path, "One", "Two", "Three")
    await add_subscribers(db_path, readers)
    server.fail_ratio(
        "sendMessage", 0.05, 429, "Too Many Requests: retry after 1", {"retry_after": 1}, seed=3
    )
    server.fail_ratio("sendMessage", 0.03, 502, "Bad Gateway", seed=4)
    async with make_app(PUSH_RATE_LIMIT="30") as app:
        for _ in range(10):
            await engine(app).deliver_due()
            if not await retry_due_now(db_path):
                break
    for chat_id in readers:
        expected = {} if chat_id in (2007, 2033) else {"One": 1, "Two": 1, "Three": 1}
        assert copies(server, chat_id) == expected, chat_id
    # Only the injected refusals: the engine's own pacing never tripped the server's limits.
    assert server.limit_refusals == 0
    for chat_id in (2007, 2033):
        stored = await subscriber(db_path, chat_id)
        assert stored is not None
        assert stored.blocked


async def test_a_refused_send_is_recorded_and_tried_again_the_next_day_not_every_minute(
    server: FakeBotApi, db_path: Path, bot_app: BriefApplication
) -> None:
    server.group(-700, "Muted readers")
    [brief] = await publish(db_path, "Bridge vote")
    # Its daily time passed two hours ago, so its next one is about a day away.
    daily = (datetime.now(UTC) - timedelta(hours=2)).time().replace(second=0, microsecond=0)
    await add_subscribers(db_path, [-700], clock=daily)
    server.fail(
        "sendMessage",
        chat_id=-700,
        times=None,
        error_code=400,
        description="Bad Request: not enough rights to send text messages to the chat",
    )
    await engine(bot_app).deliver_due()
    record = await delivery(db_path, brief.id, -700)
    assert record is not None
    assert record.status == "failed"
    assert record.last_error is not None
    assert "not enough rights" in record.last_error
    stored = await subscriber(db_path, -700)
    assert stored is not None
    # Sending the same again in a minute would fail the same way: the next try is tomorrow,
    # and the brief still counts as not delivered.
    assert stored.next_due_at > datetime.now(UTC) + timedelta(hours=1)
    assert stored.last_delivered_at is None
    attempts = len(server.errors())
    await retry_due_now(db_path)
    await engine(bot_app).deliver_due()
    assert len(server.errors()) == attempts
    # The next day the group lets the bot write again: the brief arrives, once.
    server.clear_failures()
    async with await Storage.open(db_path) as storage:
        await storage.subscribers.reschedule(-700, next_due_at=datetime.now(UTC), delivered_at=None)
    await engine(bot_app).deliver_due()
    assert copies(server, -700) == {"Bridge vote": 1}
