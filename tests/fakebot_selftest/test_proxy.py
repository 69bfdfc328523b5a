"""The test proxy forwards what a client sends through a proxy, and only that."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.fakebot import FakeBotApi, Forwarded, ForwardProxy, forward_proxy


@pytest.fixture
async def proxy() -> AsyncIterator[ForwardProxy]:
    async with forward_proxy(user="ops", password="s3cret") as started:
        yield started


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as opened:
        yield opened


def through(proxy: ForwardProxy, credentials: str = "ops:s3cret") -> str:
    return proxy.url.replace("http://", f"http://{credentials}@")


async def test_a_call_and_a_download_are_forwarded_and_recorded(
    server: FakeBotApi, proxy: ForwardProxy, session: aiohttp.ClientSession
) -> None:
    reader = server.user(42)
    update = await server.send_document(reader, "brief.txt", b"hello brief")
    file_id = update["message"]["document"]["file_id"]
    async with session.post(
        f"{server.url}/bot{server.token}/getFile", json={"file_id": file_id}, proxy=through(proxy)
    ) as answer:
        assert answer.status == 200
        assert answer.content_type == "application/json"
        file_path = (await answer.json())["result"]["file_path"]
    async with session.get(
        f"{server.url}/file/bot{server.token}/{file_path}", proxy=through(proxy)
    ) as answer:
        assert await answer.read() == b"hello brief"
    assert [call.method for call in server.calls] == ["getFile"]
    assert server.downloads == [file_path]
    assert proxy.forwarded == [
        Forwarded("POST", "/bot<token>/getFile", 200),
        Forwarded("GET", f"/file/bot<token>/{file_path}", 200),
    ]
    assert (proxy.api_methods, proxy.downloads) == (["getFile"], [file_path])
    assert server.token not in repr(proxy.forwarded)


async def test_a_refusal_from_the_target_comes_back_as_it_was(
    server: FakeBotApi, proxy: ForwardProxy, session: aiohttp.ClientSession
) -> None:
    async with session.post(
        f"{server.url}/bot{server.token}/sendMessage",
        json={"chat_id": 404, "text": "hi"},
        proxy=through(proxy),
    ) as answer:
        assert answer.status == 400
        assert (await answer.json())["description"] == "Bad Request: chat not found"
    assert proxy.forwarded == [Forwarded("POST", "/bot<token>/sendMessage", 400)]


async def test_a_request_meant_for_a_server_is_refused_not_served(
    server: FakeBotApi, proxy: ForwardProxy, session: aiohttp.ClientSession
) -> None:
    # Origin form: what a client that bypasses its proxy sends to the server it dials.
    async with session.post(f"{proxy.url}/bot{server.token}/getMe") as answer:
        assert answer.status == 400
    assert (proxy.forwarded, proxy.refused, server.calls) == ([], 1, [])


@pytest.mark.parametrize("credentials", ["ops:wrong", None])
async def test_wrong_or_missing_credentials_are_refused(
    server: FakeBotApi,
    proxy: ForwardProxy,
    session: aiohttp.ClientSession,
    credentials: str | None,
) -> None:
    url = through(proxy, credentials) if credentials else proxy.url
    async with session.post(f"{server.url}/bot{server.token}/getMe", proxy=url) as answer:
        assert answer.status == 407
    assert (proxy.forwarded, proxy.refused, server.calls) == ([], 1, [])
