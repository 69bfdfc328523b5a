"""The aiohttp transport under PTB's Bot: what it sends and how failures surface."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut

from bot.telegram.transport import AiohttpRequest
from tests.fakebot import FakeBotApi


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    client = Bot(
        server.token,
        base_url=f"{server.url}/bot",
        base_file_url=f"{server.url}/file/bot",
        request=AiohttpRequest(connections=4, read_timeout=0.5),
    )
    async with client:
        yield client


async def test_messages_with_markup_arrive_as_sent(server: FakeBotApi, bot: Bot) -> None:
    reader = server.user(5)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Facts", callback_data="brief:1:facts")]])
    sent = await bot.send_message(
        reader.id, "<b>Bold</b> &amp; “quoted”", parse_mode="HTML", reply_markup=markup
    )
    [seen] = server.sent(reader.id)
    assert seen.message_id == sent.message_id
    assert seen.text == "Bold & “quoted”"
    assert seen.callback_data() == ["brief:1:facts"]


async def test_uploads_and_downloads_files(server: FakeBotApi, bot: Bot) -> None:
    reader = server.user(5)
    await bot.send_document(reader.id, b"brief text", filename="brief.txt")
    [seen] = server.sent(reader.id)
    assert seen.document is not None
    stored = server.add_file(b"\xef\xbb\xbfTitle\r\n", file_name="b.txt")
    file = await bot.get_file(stored.file_id)
    assert bytes(await file.download_as_bytearray()) == b"\xef\xbb\xbfTitle\r\n"


async def test_a_slow_answer_is_a_timeout(server: FakeBotApi, bot: Bot) -> None:
    reader = server.user(5)
    server.delay("sendMessage", 2.0)
    with pytest.raises(TimedOut):
        await bot.send_message(reader.id, "hello")


async def test_an_unreachable_server_is_a_network_error_without_the_token(
    server: FakeBotApi, bot: Bot
) -> None:
    await server.stop()
    with pytest.raises(NetworkError) as raised:
        await bot.send_message(5, "hello")
    assert server.token not in str(raised.value)
    assert server.token.split(":")[1] not in repr(raised.value)


async def test_a_proxy_refusing_the_tunnel_is_a_network_error_without_its_password() -> None:
    """aiohttp's own error quotes the proxy URL, password and all; the bot's never does."""

    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    proxy = await asyncio.start_server(refuse, "127.0.0.1", 0)
    port = proxy.sockets[0].getsockname()[1]
    request = AiohttpRequest(connections=1, proxy=f"http://alice:S3cretPW@127.0.0.1:{port}")
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.do_request("https://api.telegram.org/bot123:ABCsecret/getMe", "POST")
    finally:
        await request.shutdown()
        proxy.close()
        await proxy.wait_closed()
    text = str(raised.value)
    assert "407" in text  # what went wrong is still said
    for secret in ("S3cretPW", "alice", "ABCsecret"):
        assert secret not in text
