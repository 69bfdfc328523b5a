"""What a starting bot can meet: refused tokens, a second poller, broken answers, no server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError

from tests.fakebot import FakeBotApi, free_port


async def _raw(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.post(url) as response:
        return response.status, json.loads(await response.read())


async def test_a_wrong_token_is_unauthorized_and_a_malformed_one_not_found(
    server: FakeBotApi,
) -> None:
    # As api.telegram.org answers: 401 for a well-formed token it does not know, 404 when the
    # path holds no token at all.
    assert await _raw(f"{server.url}/bot123:wrong/getMe") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert await _raw(f"{server.url}/botnotatoken/getMe") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    with pytest.raises(InvalidToken):
        async with Bot("123:wrong", base_url=f"{server.url}/bot"):
            pass


async def test_a_newer_poll_ends_the_older_one_with_a_conflict(
    server: FakeBotApi, bot: Bot
) -> None:
    reader = server.user(42)
    older = asyncio.create_task(bot.get_updates(timeout=10))
    await server.wait_polling()
    async with Bot(server.token, base_url=f"{server.url}/bot") as second:
        newer = asyncio.create_task(second.get_updates(timeout=10))
        with pytest.raises(Conflict, match=r"terminated by other getUpdates request"):
            await older
        await server.send_text(reader, "hello")
        [update] = await newer
    assert update.message is not None
    assert update.message.text == "hello"
    [refused] = server.errors()
    assert (refused.method, refused.error_code) == ("getUpdates", 409)
    assert refused.description == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )


async def test_polls_one_after_the_other_do_not_conflict(server: FakeBotApi, bot: Bot) -> None:
    assert await bot.get_updates(timeout=0) == ()
    async with Bot(server.token, base_url=f"{server.url}/bot") as second:
        assert await second.get_updates(timeout=0) == ()
    assert server.errors() == []


async def test_a_server_error_and_an_html_answer(server: FakeBotApi) -> None:
    server.fail("getMe", error_code=500, description="Internal Server Error")
    assert await _raw(f"{server.url}/bot{server.token}/getMe") == (
        500,
        {"ok": False, "error_code": 500, "description": "Internal Server Error"},
    )
    server.garble("getMe", times=2)
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.url}/bot{server.token}/getMe") as response,
    ):
        assert response.status == 200
        assert response.content_type == "text/html"
        assert (await response.text()).startswith("<html>")
    bot = Bot(server.token, base_url=f"{server.url}/bot")
    with pytest.raises(TelegramError, match=r"Invalid server response"):
        await bot.initialize()
    await bot.shutdown()
    async with bot:  # the faults were spent: the next getMe answers
        assert bot.username == "briefbot_test_bot"


async def test_nothing_listening_is_refused_until_the_server_starts() -> None:
    port = free_port()
    bot = Bot("123456:TEST-token", base_url=f"http://127.0.0.1:{port}/bot")
    with pytest.raises(NetworkError):
        await bot.initialize()
    await bot.shutdown()
    async with FakeBotApi(port=port) as server, bot:
        assert server.url == f"http://127.0.0.1:{port}"
        assert bot.username == "briefbot_test_bot"
