"""Channels: every published brief posted once, with buttons that open it in the bot."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.core.channels.poster import ChannelPoster
from bot.telegram import channel_jobs
from bot.telegram.context import BriefApplication
from storage import DeliveryRecord, Storage
from tests.e2e.admin.test_corrections import NEW_TITLE, corrected_text
from tests.e2e.conftest import AppFactory, press, publish_file, say, share
from tests.fakebot import FakeBotApi, FakeUser, SentMessage
from tests.waiting import eventually_async

CHANNEL = -1001234567890
BOT = "briefbot_test_bot"


@pytest.fixture(autouse=True)
def quick_ticks(monkeypatch: pytest.MonkeyPatch) -> None:
    # The job's pass every fifth of a second instead of 30: an import is seen at once.
    monkeypatch.setattr(channel_jobs, "CHANNELS_TICK", timedelta(seconds=0.2))


@pytest.fixture
async def channel_app(server: FakeBotApi, make_app: AppFactory) -> AsyncIterator[BriefApplication]:
    server.channel(CHANNEL, "Briefs Daily", username="briefs_daily")
    async with make_app(CHANNEL_IDS="@Briefs_Daily") as application:
        yield application


def channels_of(application: BriefApplication) -> ChannelPoster:
    assert application.bot_data.services.channels is not None
    return application.bot_data.services.channels


def start_parameter(url: str) -> str:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "t.me", f"/{BOT}")
    [parameter] = parse_qs(parts.query)["start"]
    return parameter


async def test_a_publish_from_telegram_is_posted_with_buttons_that_open_each_part(
    server: FakeBotApi,
    channel_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    briefs_dir: Path,
) -> None:
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    _, details = await say(server, admin, text, expect=2)
    await press(server, admin, details, "Publish", expect=1)

    [post] = await server.wait_sent(CHANNEL, 1)
    [brief] = await say(server, reader, "/brief 1")
    assert post.text == brief.text  # the summary, as a reader sees it
    labels = [[b["text"] for b in row] for row in post.buttons]
    assert labels == [["Facts", "Sources", "Narratives"], ["Listen", "Share"]]
    for label, command in (("Facts", "/facts 1"), ("Sources", "/sources 1")):
        parameter = start_parameter(post.button(label)["url"])
        [opened] = await say(server, reader, f"/start {parameter}")
        [expected] = await say(server, reader, command)
        assert opened.text == expected.text
    narratives = await say(
        server, reader, f"/start {start_parameter(post.button('Narratives')['url'])}", expect=2
    )
    assert "Anti-Russia narrative" in narratives[0].text
    share = urlsplit(post.button("Share")["url"])
    assert f"{share.scheme}://{share.netloc}{share.path}" == "https://t.me/share/url"
    assert parse_qs(share.query)["url"] == [f"https://t.me/{BOT}?start=b1"]
    assert "callback_data" not in str(post.buttons)  # nothing a channel reader cannot press
    assert server.errors() == []


async def test_an_import_while_running_is_posted_once_across_passes_and_restarts(
    server: FakeBotApi, make_app: AppFactory, db_path: Path, briefs_dir: Path
) -> None:
    server.channel(CHANNEL, "Briefs Daily")
    before = await publish_file(db_path, briefs_dir / "harbor-bridge-vote.txt")
    async with make_app(CHANNEL_IDS=str(CHANNEL)) as application:
        await channels_of(application).post_due()
        # Published before the channel was configured: not news to post there.
        assert server.sent(CHANNEL) == []
        imported = await publish_file(db_path, briefs_dir / "coastal-wind-farm.txt")
        [post] = await server.wait_sent(CHANNEL, 1)  # noticed by the job within its tick
        assert f"Brief #{imported.id}" in post.text
        await channels_of(application).post_due()  # a further full pass
    async with make_app(CHANNEL_IDS=str(CHANNEL)) as application:
        await channels_of(application).post_due()
    assert [m.message_id for m in server.sent(CHANNEL)] == [post.message_id]
    assert before.id != imported.id
    posts = [
        c for c in server.calls if c.method == "sendMessage" and c.params["chat_id"] == CHANNEL
    ]
    assert len(posts) == 1


async def test_a_post_refused_with_429_or_5xx_is_sent_again(
    server: FakeBotApi,
    channel_app: BriefApplication,
    db_path: Path,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    server.fail(
        "sendMessage",
        chat_id=CHANNEL,
        error_code=429,
        description="Too Many Requests: retry after 1",
        parameters={"retry_after": 1},
    )
    server.fail("sendMessage", chat_id=CHANNEL, error_code=502, description="Bad Gateway")
    stored = await publish_file(db_path, briefs_dir / "harbor-bridge-vote.txt")
    [post] = await server.wait_sent(CHANNEL, 1, timeout=10)
    refused = [c.error_code for c in server.errors() if c.method == "sendMessage"]
    assert refused == [429, 502]

    async def recorded() -> DeliveryRecord | None:
        found = await storage.deliveries.get(stored.id, CHANNEL)
        return found if found is not None and found.status == "sent" else None

    delivery = await eventually_async(recorded, "the post recorded as sent")
    assert delivery is not None
    assert delivery.message_ids == (post.message_id,)


async def test_a_failed_post_is_told_to_admins_and_tried_again(
    server: FakeBotApi,
    channel_app: BriefApplication,
    admin: FakeUser,
    db_path: Path,
    briefs_dir: Path,
) -> None:
    chat = server.world.chats[CHANNEL]
    assert chat.channel is not None
    chat.channel.can_post_messages = False  # taken away after the start-up check
    before = len(server.sent(admin.id))
    await publish_file(db_path, briefs_dir / "harbor-bridge-vote.txt")
    [report] = (await server.wait_sent(admin.id, before + 1))[before:]
    assert "Brief #1 was not posted in Briefs Daily (attempt 1 of 3)" in report.text
    assert "need administrator rights in the channel chat" in report.text
    assert "tries again" in report.text
    chat.channel.can_post_messages = True
    [post] = await server.wait_sent(CHANNEL, 1)
    assert "Brief #1" in post.text


async def test_missing_rights_are_told_to_each_admin_at_start(
    server: FakeBotApi,
    make_app: AppFactory,
    admin: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    other_admin = server.user(1001, "Second editor")
    server.channel(-1001, "Not joined", username="not_joined", status="left")
    server.channel(-1002, "No posting", username="no_posting", can_post_messages=False)
    server.channel(CHANNEL, "Fine", username="fine_channel")
    caplog.set_level(logging.WARNING, logger="bot.core.channels.poster")
    env = {
        "CHANNEL_IDS": "@not_joined,@no_posting,@missing_one,@fine_channel",
        "ADMIN_IDS": "1000,1001",
    }
    async with make_app(**env) as application:
        for user in (admin, other_admin):
            [notice] = await server.wait_sent(user.id, 1)
            assert "cannot be posted in 3 of those in CHANNEL_IDS" in notice.text
            assert "Not joined (-1001): the bot is not an administrator" in notice.text
            assert (
                'No posting (-1002): the bot is an administrator without the "Post messages"'
                in notice.text
            )
            assert "@missing_one: not found (Chat not found)" in notice.text
            assert "Fine" not in notice.text
        await channels_of(application).post_due()
    warnings = [r.getMessage() for r in caplog.records if "cannot post there" in r.getMessage()]
    assert len(warnings) == 3  # one line each at start, none from the later pass
    assert len(server.sent(admin.id)) == 1


async def _pushed_copy(server: FakeBotApi, storage: Storage, reader: FakeUser) -> SentMessage:
    """A summary pushed to the reader, as the daily push records it."""
    [pushed] = await say(server, reader, "/brief 1")
    now = datetime.now(UTC)
    assert await storage.deliveries.claim(1, reader.id, at=now)
    await storage.deliveries.mark_sent(1, reader.id, (pushed.message_id,), at=now)
    return pushed


async def test_a_correction_edits_the_post_and_a_withdrawal_replaces_every_copy(
    server: FakeBotApi,
    channel_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    db_path: Path,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    stored = await publish_file(db_path, briefs_dir / "harbor-bridge-vote.txt")
    [post] = await server.wait_sent(CHANNEL, 1)
    pushed = await _pushed_copy(server, storage, reader)
    # The reader also shares it into a group through inline mode, with feedback on.
    server.inline.turn_on(feedback=True)
    shared = await share(server, reader, "", f"{stored.id}.1")
    await eventually_async(
        lambda: _has_inline_copy(storage, stored.id), "the shared copy to be recorded"
    )

    await say(server, admin, "/correct 1")
    _, details = await say(server, admin, corrected_text(briefs_dir), expect=2)
    _, [_, copies] = await press(server, admin, details, "Publish", expect=2)
    assert "Copies pushed to readers: 1 edited." in copies.text
    assert "Channel posts: 1 edited." in copies.text
    assert "Copies shared inline: 1 edited." in copies.text
    assert shared.text.splitlines()[0] == NEW_TITLE
    edited = server.sent(CHANNEL)[0]
    assert (edited.message_id, edited.edits) == (post.message_id, 1)
    assert edited.text.splitlines()[0] == NEW_TITLE
    assert "Updated" in edited.text
    assert edited.buttons == post.buttons  # the same deep links: they open the current version

    server.fail(
        "editMessageText",
        chat_id=reader.id,
        error_code=400,
        description="Bad Request: message to edit not found",
    )
    [done, report] = await say(server, admin, "/retract 1", expect=2)
    assert "Brief #1 withdrawn" in done.text
    assert "now say it was withdrawn" in report.text
    assert "Copies pushed to readers: 0 replaced, 1 could not be edited" in report.text
    assert "Channel posts: 1 replaced." in report.text
    assert "Copies shared inline: 1 replaced." in report.text
    assert shared.text == f"{NEW_TITLE}\nWithdrawn by the editors."
    withdrawn = server.sent(CHANNEL)[0]
    assert withdrawn.text == f"{NEW_TITLE}\nWithdrawn by the editors."
    assert withdrawn.buttons == []
    assert server.sent(reader.id)[0].message_id == pushed.message_id
    await channels_of(channel_app).post_due()
    assert len(server.sent(CHANNEL)) == 1  # a withdrawn brief is never posted again


async def test_a_withdrawal_replaces_the_pushed_copy_too(
    server: FakeBotApi,
    channel_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    db_path: Path,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    stored = await publish_file(db_path, briefs_dir / "harbor-bridge-vote.txt")
    await server.wait_sent(CHANNEL, 1)
    pushed = await _pushed_copy(server, storage, reader)
    [_, report] = await say(server, admin, "/retract 1", expect=2)
    assert "Copies pushed to readers: 1 replaced." in report.text
    copy = server.sent(reader.id)[0]
    assert copy.message_id == pushed.message_id
    assert copy.text == f"{stored.brief.title}\nWithdrawn by the editors."
    assert copy.buttons == []


async def _has_inline_copy(storage: Storage, brief_id: int) -> bool:
    return bool(await storage.inline_copies.of_brief(brief_id))


async def test_a_withdrawal_while_the_post_waits_its_turn_reaches_the_post_too(
    server: FakeBotApi,
    channel_app: BriefApplication,
    admin: FakeUser,
    db_path: Path,
    briefs_dir: Path,
) -> None:
    # Telegram asks the bot to wait: the post is claimed and rendered, but not yet sent.
    server.fail(
        "sendMessage",
        chat_id=CHANNEL,
        error_code=429,
        description="Too Many Requests: retry after 2",
        parameters={"retry_after": 2},
    )
    stored = await publish_file(db_path, briefs_dir / "harbor-bridge-vote.txt")
    await server.wait_for_call("sendMessage", where=lambda c: c.error_code == 429)
    [done, *_] = await say(server, admin, f"/retract {stored.id}")
    assert f"Brief #{stored.id} withdrawn" in done.text
    # The post went out as rendered before the withdrawal, and is then replaced.
    [post] = await server.wait_sent(CHANNEL, 1, timeout=10)
    await server.wait_for_call(
        "editMessageText", where=lambda c: c.params.get("message_id") == post.message_id
    )
    assert post.text == f"{stored.brief.title}\nWithdrawn by the editors."
    assert post.buttons == []
