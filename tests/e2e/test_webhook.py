"""Webhook mode: the local Bot API server posts each update to the bot, which answers at once."""

from __future__ import annotations

import asyncio
import io
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.core.limits.flood import BURST
from bot.lifecycle import ExitCode, serve
from tests.e2e.conftest import make_config, say, serving, webhook_env
from tests.fakebot import FakeBotApi, FakeUser, free_port
from tests.fakebot.world import utc_now
from tests.postgres import migrated_schema, needs_postgres
from tests.waiting import eventually

SECRET = "test-secret_1"


@pytest.fixture
async def hook(local_server: FakeBotApi, db_path: Path) -> AsyncIterator[str]:
    """The bot in webhook mode; yields the URL it takes updates at."""
    env = webhook_env(free_port())
    config = make_config(local_server, db_path, WEBHOOK_SECRET=SECRET, **env)
    async with serving(config):
        await local_server.wait_for_call("setWebhook", timeout=10)
        yield env["WEBHOOK_URL"]


def forged(user: FakeUser, update_id: int = 10_000) -> dict[str, Any]:
    """A /brief from `user`, as Telegram would post it."""
    message = {
        "message_id": 1,
        "from": user.to_api(),
        "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
        "date": utc_now(),
        "text": "/brief",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    return {"update_id": update_id, "message": message}


async def post(url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        data = io.BytesIO(body) if isinstance(body, bytes) else None
        json_body = None if isinstance(body, bytes) else body
        async with session.post(url, data=data, json=json_body, headers=headers) as response:
            return response.status, await response.text()


async def test_updates_come_by_webhook_and_are_answered(
    local_server: FakeBotApi, hook: str
) -> None:
    [reply] = await say(local_server, local_server.user(7, "Grace"), "/brief")
    assert "There is no brief yet" in reply.text
    [call] = await local_server.wait_for_call("setWebhook")
    assert call.params["url"] == hook
    assert call.params["secret_token"] == SECRET
    assert call.params["max_connections"] == 40
    assert sorted(call.params["allowed_updates"]) == [
        "callback_query",
        "chosen_inline_result",
        "edited_message",
        "inline_query",
        "message",
        "my_chat_member",
    ]
    assert not [c for c in local_server.calls if c.method == "getUpdates"]
    assert [d.status for d in local_server.deliveries] == [200]


@pytest.mark.parametrize("header", [None, "wrong-secret"], ids=["none", "wrong"])
async def test_a_post_without_the_secret_is_refused_and_not_handled(
    local_server: FakeBotApi, hook: str, header: str | None
) -> None:
    reader = local_server.user(7, "Grace")
    headers = {} if header is None else {"X-Telegram-Bot-Api-Secret-Token": header}
    status, _ = await post(hook, forged(reader), headers)
    assert status == 403
    # Had the forged /brief been handled, its answer would come first.
    [reply] = await say(local_server, reader, "/start")
    assert local_server.sent(reader.id) == [reply]
    assert "There is no brief yet" not in reply.text


async def test_an_update_delivered_twice_is_handled_once(
    local_server: FakeBotApi, hook: str
) -> None:
    reader = local_server.user(7, "Grace")
    update = await local_server.send_text(reader, "/brief")
    await local_server.wait_sent(reader.id, 1)
    local_server.resend(update)
    await eventually(lambda: len(local_server.deliveries) == 2, "the second delivery")
    assert local_server.deliveries[1].status == 200
    await say(local_server, reader, "/start")  # its answer is the next message: conclusive
    first, second = local_server.sent(reader.id)
    assert "There is no brief yet" in first.text
    assert "There is no brief yet" not in second.text


async def test_a_slow_handler_is_answered_at_once(local_server: FakeBotApi, hook: str) -> None:
    reader = local_server.user(7, "Grace")
    local_server.delay("sendMessage", 1.0, chat_id=reader.id)  # the reply takes a second
    await local_server.send_text(reader, "/brief")
    await eventually(lambda: local_server.deliveries, "the delivery's answer")
    assert local_server.deliveries[0].status == 200
    assert local_server.sent(reader.id) == []  # the handler is still waiting on its reply
    [reply] = await local_server.wait_sent(reader.id, 1)
    assert "There is no brief yet" in reply.text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'{"message": {}}', 400),  # no update_id
        (b'{"update_id": "7"}', 400),
        (b'{"update_id": 7, "message": "not a message"}', 400),
        (b"[" * 100_000, 400),
        # A date no datetime can hold.
        (
            b'{"update_id": 8, "message": {"message_id": 1, "date": 100000000000000000000, '
            b'"chat": {"id": 5, "type": "private"}}}',
            400,
        ),
        (b"x" * (2 * 1024 * 1024), 413),
    ],
    ids=["text", "array", "no-id", "string-id", "bad-message", "deep", "far-date", "huge"],
)
async def test_a_body_that_is_not_an_update_is_refused(
    local_server: FakeBotApi, hook: str, body: bytes, status: int
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    assert (await post(hook, body, headers))[0] == status
    [reply] = await say(local_server, local_server.user(7, "Grace"), "/brief")  # still serving
    assert "There is no brief yet" in reply.text


async def test_a_flood_by_webhook_meets_the_flood_gate(local_server: FakeBotApi, hook: str) -> None:
    flooder, other = local_server.user(42, "Flooder"), local_server.user(43, "Reader")
    for _ in range(100):
        await local_server.send_text(flooder, "/brief")
    await eventually(lambda: local_server.pending_updates == 0, "the flood delivered", within=20)
    [reply] = await say(local_server, other, "/brief")
    assert "There is no brief yet" in reply.text
    texts = [message.text for message in local_server.sent(flooder.id)]
    assert len(texts) < 2 * BURST
    assert sum("faster than I can answer" in text for text in texts) == 1


async def test_a_webhook_url_telegram_refuses_is_one_line_and_exit_code_2(
    server: FakeBotApi, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Telegram itself (not a --local server) posts only to https.
    config = make_config(server, db_path, **webhook_env(free_port()))
    assert await serve(config, asyncio.Event()) == ExitCode.UNUSABLE_SETTING
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "refused WEBHOOK_URL (Bad webhook: an https url must be provided" in line


async def test_a_port_in_use_is_one_line_and_exit_code_2(
    local_server: FakeBotApi, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = webhook_env(taken.getsockname()[1])
        config = make_config(local_server, db_path, **env)
        assert await serve(config, asyncio.Event()) == ExitCode.UNUSABLE_SETTING
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert f"cannot listen on HTTP_HOST 127.0.0.1, HTTP_PORT {env['HTTP_PORT']}" in line
    assert local_server.calls == []  # Telegram was not asked anything


@asynccontextmanager
async def database(engine: str) -> AsyncIterator[dict[str, str]]:
    """Settings for the engine: the SQLite file (the default), or a migrated PostgreSQL schema."""
    if engine == "sqlite":
        yield {}
        return
    async with migrated_schema() as url:
        yield {"DATABASE_URL": url}


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgresql", marks=needs_postgres)])
async def test_an_impossible_update_id_is_refused_with_400_on_either_engine(
    local_server: FakeBotApi, db_path: Path, engine: str
) -> None:
    reader = local_server.user(7, "Grace")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    env = webhook_env(free_port())
    async with database(engine) as settings:
        config = make_config(local_server, db_path, WEBHOOK_SECRET=SECRET, **env, **settings)
        async with serving(config):
            await local_server.wait_for_call("setWebhook", timeout=10)
            hook = env["WEBHOOK_URL"]
            for update_id in (-1, 2**63, 2**64, 10**30):
                assert await post(hook, forged(reader, update_id), headers) == (
                    400,
                    "not an update\n",
                ), update_id
            # The largest the database holds is an update like any other.
            assert await post(hook, forged(reader, 2**63 - 1), headers) == (200, "ok\n")
            [answer] = await local_server.wait_sent(reader.id, 1)
    assert "There is no brief yet" in answer.text


@needs_postgres
async def test_an_update_delivered_to_two_replicas_is_handled_once(
    local_server: FakeBotApi, db_path: Path
) -> None:
    """Two bots on one PostgreSQL database behind one URL: a repeat that the load balancer
    sends to the other replica is answered 200 there, and not handled again."""
    reader = local_server.user(7, "Grace")
    async with migrated_schema() as url:
        ports = free_port(), free_port()
        configs = [
            make_config(
                local_server, db_path, WEBHOOK_SECRET=SECRET, DATABASE_URL=url, **webhook_env(p)
            )
            for p in ports
        ]
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with serving(configs[0]), serving(configs[1]):
            await local_server.wait_for_call("setWebhook", count=2, timeout=10)
            update = forged(reader)
            first, second = (webhook_env(p)["WEBHOOK_URL"] for p in ports)
            assert await post(first, update, headers) == (200, "ok\n")
            assert await post(second, update, headers) == (200, "ok, seen before\n")
            [answer] = await local_server.wait_sent(reader.id, 1)
            assert "There is no brief yet" in answer.text
            await say(local_server, reader, "/start")  # its answer is the next message
            assert len(local_server.sent(reader.id)) == 2
            assert "There is no brief yet" not in local_server.sent(reader.id)[1].text
