"""Time zones are IANA region names; a zone stored earlier that the host can no longer load
(its time zone data upgraded or trimmed) moves the chat to UTC and stalls nothing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.core.push.engine import PushEngine
from bot.telegram.context import BriefApplication
from storage import Storage
from tests.e2e.conftest import AppFactory
from tests.e2e.push.conftest import add_subscribers, publish, subscriber
from tests.e2e.push.test_subscription import ask, press
from tests.fakebot import FakeBotApi

READER, OTHER = 42, 43
GONE = "Mars/Olympus_Mons"  # as a name stored by an older host, no longer loadable here


@pytest.mark.parametrize("typed", ["localtime", "Factory"])
async def test_subscribe_to_a_zone_that_is_no_region_is_refused(
    server: FakeBotApi, bot_app: BriefApplication, db_path: Path, typed: str
) -> None:
    reply = await ask(server, server.user(READER), f"/subscribe 7:30 {typed}")
    assert f"I don't know the time zone {typed}" in reply
    assert "Subscribed" not in reply
    assert await subscriber(db_path, READER) is None


async def test_a_chat_whose_zone_is_gone_is_moved_to_utc_and_the_push_goes_on(
    server: FakeBotApi,
    db_path: Path,
    bot_app: BriefApplication,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.user(READER)
    server.user(OTHER)
    await publish(db_path, "Bridge vote")
    await add_subscribers(db_path, [READER], zone=GONE, clock=time(7, 30))
    await add_subscribers(db_path, [OTHER])
    push = bot_app.bot_data.services.push
    assert isinstance(push, PushEngine)
    await push.deliver_due()
    for chat in (READER, OTHER):
        [message] = server.sent(chat)
        assert message.text.startswith("Bridge vote")
    moved = await subscriber(db_path, READER)
    assert moved is not None
    assert moved.timezone == "UTC"
    assert moved.next_due_at.astimezone(UTC).time() == time(7, 30)
    assert moved.next_due_at > datetime.now(UTC)
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert f"chat {READER}: its time zone '{GONE}' cannot be loaded" in line
    assert line.endswith("moved to UTC")
    replica = bot_app.bot_data.services.replica
    assert replica is None or not replica.owes_give_back  # nothing given back: no stall


async def test_the_settings_of_a_chat_whose_zone_is_gone_work_in_utc(
    server: FakeBotApi, db_path: Path, make_app: AppFactory
) -> None:
    async with await Storage.open(db_path) as storage:
        await storage.subscribers.subscribe(
            READER,
            delivery_time=time(7, 30),
            timezone=GONE,
            next_due_at=datetime.now(UTC) + timedelta(hours=1),
            at=datetime.now(UTC),
        )
    reader = server.user(READER)
    async with make_app():
        shown = await ask(server, reader, "/settings")
        assert "07:30" in shown
        await press(server, reader, server.sent(READER)[-1], "09:00")
    moved = await subscriber(db_path, READER)
    assert moved is not None
    assert (moved.delivery_time, moved.timezone) == (time(9, 0), "UTC")
