"""Every request the bot makes goes through the proxy named in the environment, or none does.

The bot runs against the local Bot API server with a real forward proxy between them; the
server records every call and download it serves, the proxy every one it forwarded, so
comparing the two shows whether anything reached the server another way. A SOCKS proxy
(pproxy) sees connections, not calls: the bot is given a Bot API URL where nothing listens,
and the proxy carries every connection to the local server, so that anything that did not
go through the proxy failed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.e2e.conftest import ADMIN_ID, AppFactory, say
from tests.e2e.push.conftest import BRIEFS, add_subscribers, publish
from tests.fakebot import FakeBotApi, ForwardProxy, forward_proxy, free_port, socks_proxy
from tests.waiting import eventually

READER = 42
SUBSCRIBERS = [3001, 3002, 3003]
USER, PASSWORD = "ops", "s3cret"
SOCKS_PASSWORD = "s3c@ret/#1"


@pytest.fixture
async def proxy() -> AsyncIterator[ForwardProxy]:
    async with forward_proxy(user=USER, password=PASSWORD) as started:
        yield started


async def use_every_path(server: FakeBotApi) -> None:
    """A reply, a document download, and a push: each kind of request the bot makes.

    Long polling carries the updates; the bot is running when this is called.
    """
    reader, admin = server.user(READER, "Ada"), server.user(ADMIN_ID, "Editor")
    [brief] = await say(server, reader, "/brief")
    assert brief.text.startswith("Bridge vote")

    before = len(server.sent(ADMIN_ID))
    await server.send_document(admin, "wind.txt", (BRIEFS / "coastal-wind-farm.txt").read_bytes())
    summary, details = (await server.wait_sent(ADMIN_ID, before + 2))[before:]
    assert summary.text.startswith("Regulators Clear Largest Offshore Wind Farm")
    assert details.button("Publish")

    await server.send_text(admin, "/push")
    await eventually(
        lambda: all(server.sent(chat_id) for chat_id in SUBSCRIBERS),
        "the push to reach every subscriber",
        detail=server.dump,
    )
    for chat_id in SUBSCRIBERS:
        assert server.sent(chat_id)[0].text.startswith("Bridge vote")
    await server.wait_for_call(
        "editMessageText", where=lambda call: "Push finished" in call.params["text"]
    )


@pytest.fixture
async def subscribed(server: FakeBotApi, db_path: Path) -> None:
    for chat_id in SUBSCRIBERS:
        server.user(chat_id)
    await publish(db_path, "Bridge vote")
    # Due far in the future: only the admin's /push sends them anything.
    await add_subscribers(db_path, SUBSCRIBERS, due=datetime(2100, 1, 1, tzinfo=UTC))


@pytest.mark.usefixtures("subscribed")
async def test_every_request_goes_through_the_proxy_with_its_credentials(
    server: FakeBotApi, proxy: ForwardProxy, make_app: AppFactory
) -> None:
    with_credentials = proxy.url.replace("http://", f"http://{USER}:{PASSWORD}@")
    async with make_app(HTTP_PROXY=with_credentials):
        await use_every_path(server)

        def served() -> Counter[str]:
            return Counter(call.method for call in server.calls)

        # Each call is recorded by the server as it answers and by the proxy once the answer
        # is back: they agree as soon as no call is between the two.
        await eventually(
            lambda: Counter(proxy.api_methods) == served(),
            "every call the server answered to have come through the proxy",
            detail=lambda: f"server: {served()}\nproxy: {Counter(proxy.api_methods)}",
        )
    assert {"getUpdates", "sendMessage", "getFile", "editMessageText"} <= set(proxy.api_methods)
    assert proxy.downloads == server.downloads == ["documents/file_1.txt"]
    assert proxy.refused == 0


@pytest.mark.usefixtures("subscribed")
async def test_no_proxy_naming_the_api_host_sends_everything_direct(
    server: FakeBotApi, proxy: ForwardProxy, make_app: AppFactory
) -> None:
    async with make_app(HTTP_PROXY=proxy.url, NO_PROXY="localhost,127.0.0.1"):
        # Every path has been answered by its end: had any request been sent to the proxy,
        # it would be recorded there by now (forwarded, or refused without credentials).
        await use_every_path(server)
    assert server.downloads == ["documents/file_1.txt"]
    assert (proxy.forwarded, proxy.refused) == ([], 0)


@pytest.mark.usefixtures("subscribed")
@pytest.mark.parametrize(
    ("scheme", "user", "named"),
    [
        # socks5h: the proxy is handed the host name, and resolves it itself.
        pytest.param("socks5h", USER, "localhost", id="socks5h-credentials"),
        # socks5 and socks4: the bot resolves the name, and hands the proxy an address.
        pytest.param("socks5", USER, "127.0.0.1", id="socks5-credentials"),
        pytest.param("socks5", None, "127.0.0.1", id="socks5"),
        pytest.param("socks4", None, "127.0.0.1", id="socks4"),
    ],
)
async def test_every_request_goes_through_a_socks_proxy(
    server: FakeBotApi, make_app: AppFactory, scheme: str, user: str | None, named: str
) -> None:
    """Nothing listens where the bot's TELEGRAM_API_URL points; the proxy alone knows the way
    to the local Bot API server, as a proxy knows the way to Telegram where it is blocked."""
    nowhere = free_port()
    protocol = scheme.removesuffix("h")
    # The password holds a URL's delimiters, percent-encoded in the URL as it must be.
    credentials = f"{user}:{quote(SOCKS_PASSWORD, safe='')}" if user else ""
    proxy_started = socks_proxy(
        protocol=protocol,
        user=user,  # with a user, every connection must authenticate
        password=SOCKS_PASSWORD,
        route_to=server.url.removeprefix("http://"),
    )
    async with proxy_started as proxy:
        url = proxy.url(scheme, credentials)
        async with make_app(TELEGRAM_API_URL=f"http://localhost:{nowhere}", ALL_PROXY=url):
            await use_every_path(server)
    assert server.downloads == ["documents/file_1.txt"]
    assert proxy.tunnels
    assert {(tunnel.protocol, tunnel.destination) for tunnel in proxy.tunnels} == {
        (protocol, f"{named}:{nowhere}")
    }
    assert (proxy.refused, proxy.other) == (0, [])


@pytest.mark.usefixtures("subscribed")
async def test_no_proxy_naming_the_api_host_bypasses_a_socks_proxy(
    server: FakeBotApi, make_app: AppFactory
) -> None:
    async with socks_proxy(user=USER, password=PASSWORD) as proxy:
        with_credentials = proxy.url("socks5h", f"{USER}:{PASSWORD}")
        async with make_app(ALL_PROXY=with_credentials, NO_PROXY="127.0.0.1"):
            # As above: every path has been answered; the proxy logs a connection as it
            # accepts it, and its log is read to its end when the block ends.
            await use_every_path(server)
    assert server.downloads == ["documents/file_1.txt"]
    assert (proxy.tunnels, proxy.refused, proxy.other) == ([], 0, [])
