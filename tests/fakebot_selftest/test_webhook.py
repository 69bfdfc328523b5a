"""The fake's webhooks: set, refused and delivered as Telegram (or a --local server) does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from tests.fakebot import FakeBotApi
from tests.waiting import eventually


class Receiver:
    """A webhook endpoint for the fake to post to: answers `status`, or holds requests."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.held = 0
        self.most_held = 0
        self.release = asyncio.Event()
        self.release.set()
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"

    async def stop(self) -> None:
        self.release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        self.received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        self.held += 1
        self.most_held = max(self.most_held, self.held)
        try:
            await self.release.wait()
        finally:
            self.held -= 1
        return web.Response(status=self.status)


@pytest.fixture
async def local() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(local=True) as fake:
        yield fake


@pytest.fixture
async def local_bot(local: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(local.token, base_url=f"{local.url}/bot") as client:
        yield client


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    endpoint = Receiver()
    await endpoint.start()
    yield endpoint
    await endpoint.stop()


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://example.com/hook", "An HTTPS URL must be provided for webhook"),
        ("https://example.com:8080/hook", "Webhook can be set up only on ports 80, 88, 443"),
        ("https://127.0.0.1/hook", "IP address 127.0.0.1 is reserved"),
    ],
)
async def test_telegram_refuses_webhooks_it_cannot_reach_safely(
    bot: Bot, url: str, refusal: str
) -> None:
    with pytest.raises(BadRequest, match=f"(?i){refusal}"):
        await bot.set_webhook(url)
    assert (await bot.get_webhook_info()).url == ""


@pytest.mark.parametrize(
    ("secret", "refusal"),
    [("has space", "unallowed characters"), ("x" * 257, "at most 256 bytes")],
)
async def test_a_secret_token_must_be_short_and_plain(bot: Bot, secret: str, refusal: str) -> None:
    with pytest.raises(BadRequest, match=f"(?i){refusal}"):
        await bot.set_webhook("https://example.com/hook", secret_token=secret)


async def test_a_webhook_is_set_described_and_deleted(bot: Bot) -> None:
    url = "https://bot.example.com:8443/hook"
    assert await bot.set_webhook(
        url, secret_token="s3cret_-X", max_connections=500, allowed_updates=["message"]
    )
    info = await bot.get_webhook_info()
    assert info.url == url
    assert info.max_connections == 100  # clamped, as telegram-bot-api does
    assert info.allowed_updates == ("message",)
    assert info.has_custom_certificate is False
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


async def test_get_updates_is_refused_while_a_webhook_is_set(server: FakeBotApi, bot: Bot) -> None:
    server.user(42)
    await bot.set_webhook("https://bot.example.com/hook")
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    await server.send_text(server.user(42), "/start")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    await bot.delete_webhook()
    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.text == "/start"


async def test_a_local_server_posts_each_update_with_the_secret(
    local: FakeBotApi, local_bot: Bot, receiver: Receiver
) -> None:
    await local_bot.set_webhook(receiver.url, secret_token="abc")
    reader = local.user(42)
    first = await local.send_text(reader, "/start")
    second = await local.send_text(reader, "/brief")
    await eventually(lambda: local.pending_updates == 0, "both updates confirmed")
    assert receiver.received == [(first, "abc"), (second, "abc")]
    assert [(d.update_id, d.status) for d in local.deliveries] == [
        (first["update_id"], 200),
        (second["update_id"], 200),
    ]
    assert (await local_bot.get_webhook_info()).last_error_message is None


async def test_a_refused_delivery_is_kept_and_sent_again(
    local: FakeBotApi, local_bot: Bot, receiver: Receiver
) -> None:
    receiver.status = 403
    await local_bot.set_webhook(receiver.url)
    update = await local.send_text(local.user(42), "/start")
    await eventually(lambda: len(receiver.received) >= 2, "a second attempt")
    info = await local_bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"
    assert info.last_error_date is not None
    receiver.status = 200
    await eventually(lambda: local.pending_updates == 0, "the update confirmed")
    assert {body["update_id"] for body, _ in receiver.received} == {update["update_id"]}


async def test_an_unreachable_webhook_is_an_error_and_the_update_waits(
    local: FakeBotApi, local_bot: Bot, receiver: Receiver
) -> None:
    url = receiver.url
    await receiver.stop()
    await local_bot.set_webhook(url)
    await local.send_text(local.user(42), "/start")
    await eventually(lambda: local.deliveries, "an attempt")
    assert local.deliveries[0].status is None
    info = await local_bot.get_webhook_info()
    assert info.last_error_message == "Connection refused"
    assert info.pending_update_count == 1


async def test_no_more_than_max_connections_at_once(
    local: FakeBotApi, local_bot: Bot, receiver: Receiver
) -> None:
    receiver.release.clear()
    await local_bot.set_webhook(receiver.url, max_connections=2)
    reader = local.user(42)
    for text in ("1", "2", "3", "4"):
        await local.send_text(reader, text)
    await eventually(lambda: receiver.held == 2, "two deliveries held")
    # The next delivery starts only once one of the two is answered: conclusive.
    receiver.release.set()
    await eventually(lambda: local.pending_updates == 0, "all four confirmed")
    assert receiver.most_held == 2
    assert len(receiver.received) == 4


async def test_only_allowed_update_types_are_delivered(
    local: FakeBotApi, local_bot: Bot, receiver: Receiver
) -> None:
    await local_bot.set_webhook(receiver.url, allowed_updates=["callback_query"])
    reader = local.user(42)
    local.block(reader)  # a my_chat_member update: not allowed, dropped
    await local_bot.set_webhook(receiver.url, allowed_updates=["message"])
    update = await local.send_text(reader, "/start")
    await eventually(lambda: local.pending_updates == 0, "the message confirmed")
    assert [body for body, _ in receiver.received] == [update]


async def test_drop_pending_updates_empties_the_queue(local: FakeBotApi, local_bot: Bot) -> None:
    await local.send_text(local.user(42), "/start")
    await local_bot.set_webhook("http://127.0.0.1:9/hook", drop_pending_updates=True)
    assert (await local_bot.get_webhook_info()).pending_update_count == 0
