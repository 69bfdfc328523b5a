"""The SOCKS transport below the bot: what each scheme hands the proxy, and the failures.

A SOCKS proxy that refuses the bot's credentials, is not there, or never answers: for PTB's
requests and for the push alike, the failure the bot already handles for the Bot API itself
(a network error or a timeout, retried), never one it does not know, and never a password
or the token in what it says. SOCKS4 is read byte by byte here: pproxy (tests/fakebot/socks.py)
does not serve SOCKS4a, where the proxy is handed the name.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut

from bot.core.push.sending import Transient
from bot.telegram.push_sender import Sender
from bot.telegram.transport import AiohttpRequest
from tests.fakebot import free_port, socks_proxy

USER, PASSWORD, WRONG = "ops", "s3cret", "wr0ngPW"
TOKEN = "123:ABCsecret"
TLS = Path(__file__).parents[1] / "data" / "tls"  # a self-signed certificate for localhost
# Where the proxy is asked to connect; the bot never reaches it, the proxy not either.
API = "http://127.0.0.1:9"


async def failures(proxy: str, *, seconds: float = 5.0) -> tuple[Exception, Exception]:
    """What a PTB request and a push send raise when sent through `proxy`."""
    request = AiohttpRequest(connections=1, proxy=proxy, connect_timeout=seconds)
    await request.initialize()
    try:
        with pytest.raises((NetworkError, TimedOut)) as refused:
            await request.do_request(f"{API}/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
    sender = Sender(f"{API}/bot", TOKEN, paid=False, connections=1, proxy=proxy, timeout=seconds)
    try:
        with pytest.raises(Transient) as failed:
            await sender.send(5, "hello", None)
    finally:
        await sender.close()
    return refused.value, failed.value


def assert_nothing_secret(*errors: Exception) -> None:
    for error in errors:
        for secret in (PASSWORD, WRONG, USER, TOKEN.partition(":")[2]):
            assert secret not in str(error)
            assert secret not in repr(error)


async def test_credentials_the_proxy_refuses() -> None:
    async with socks_proxy(user=USER, password=PASSWORD) as proxy:
        request, push = await failures(proxy.url("socks5h", f"{USER}:{WRONG}"))
    assert proxy.refused == 2  # both asked, both refused: neither went around the proxy
    assert proxy.tunnels == []
    assert type(request) is NetworkError
    assert str(push) == "network: ProxyError"
    assert_nothing_secret(request, push)


async def test_a_proxy_that_is_not_there() -> None:
    request, push = await failures(f"socks5://{USER}:{WRONG}@127.0.0.1:{free_port()}")
    assert type(request) is NetworkError
    assert str(request).startswith("aiohttp_socks.ProxyConnectionError: ")
    assert "Couldn't connect to proxy" in str(request)
    assert str(push) == "network: ProxyConnectionError"
    assert_nothing_secret(request, push)


@pytest.fixture
async def silent() -> AsyncIterator[int]:
    """A port that accepts connections and never says a word."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_proxy_that_never_answers_is_a_timeout(silent: int) -> None:
    request, push = await failures(f"socks5://{USER}:{WRONG}@127.0.0.1:{silent}", seconds=0.3)
    assert type(request) is TimedOut
    assert str(push) == "network: no answer in time"
    assert_nothing_secret(request, push)


@pytest.mark.parametrize(
    ("scheme", "address", "name"),
    [
        ("socks4", "127.0.0.1", b""),  # resolved here
        ("socks4a", "0.0.0.1", b"localhost"),  # SOCKS4a's "no address", then the name
    ],
)
async def test_what_socks4_hands_the_proxy(scheme: str, address: str, name: bytes) -> None:
    asked: list[tuple[int, str, bytes, bytes]] = []

    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readexactly(8)  # version 4, CONNECT, port, address
        user_id = (await reader.readuntil(b"\0"))[:-1]
        named = (await reader.readuntil(b"\0"))[:-1] if head[4:7] == b"\0\0\0" else b""
        asked.append((int.from_bytes(head[2:4]), ".".join(map(str, head[4:8])), user_id, named))
        writer.write(b"\0\x5b" + bytes(6))  # request rejected
        await writer.drain()
        writer.close()

    proxy = await asyncio.start_server(refuse, "127.0.0.1", 0)
    port = proxy.sockets[0].getsockname()[1]
    request = AiohttpRequest(connections=1, proxy=f"{scheme}://{USER}@127.0.0.1:{port}")
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.do_request(f"http://localhost:8081/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
        proxy.close()
        await proxy.wait_closed()
    assert asked == [(8081, address, USER.encode(), name)]


@pytest.fixture
async def https_api() -> AsyncIterator[tuple[str, list[str]]]:
    """A Bot API answering every call over TLS, as localhost: its host:port, and the
    methods it answered."""
    answered: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        method = request.path.rpartition("/")[2]
        answered.append(method)
        result = {"message_id": 7} if method == "sendMessage" else {"id": 1, "is_bot": True}
        return web.json_response({"ok": True, "result": result})

    app = web.Application()
    app.router.add_post("/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(TLS / "localhost.crt", TLS / "localhost.key")
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_tls).start()
    try:
        yield f"127.0.0.1:{runner.addresses[0][1]}", answered
    finally:
        await runner.cleanup()


async def test_https_through_a_socks_proxy_verifies_the_api_by_its_name(
    https_api: tuple[str, list[str]],
) -> None:
    """As to api.telegram.org: TLS inside the tunnel, the certificate checked for the name
    in the URL, which only the proxy resolves (and routes to the server above)."""
    server, answered = https_api
    api = f"https://localhost:{free_port()}"
    trusted = ssl.create_default_context(cafile=TLS / "localhost.crt")
    async with socks_proxy(user=USER, password=PASSWORD, route_to=server) as proxy:
        url = proxy.url("socks5h", f"{USER}:{PASSWORD}")
        sender = Sender(f"{api}/bot", TOKEN, paid=False, connections=1, proxy=url, tls=trusted)
        untrusting = Sender(f"{api}/bot", TOKEN, paid=False, connections=1, proxy=url)
        try:
            assert await sender.send(5, "hello", None) == 7
            # The certificate is not one the system trusts: refused inside the tunnel.
            with pytest.raises(Transient, match="network: "):
                await untrusting.send(5, "hello", None)
        finally:
            await sender.close()
            await untrusting.close()
    assert [tunnel.destination for tunnel in proxy.tunnels] == [api.partition("//")[2]] * 2
    assert answered == ["sendMessage"]
