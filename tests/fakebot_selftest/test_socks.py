"""The test SOCKS proxy records every connection it carries, as the client named its
destination, demands the credentials on every connection, and counts those it refuses:
what tests/e2e/test_proxy.py's conclusions rest on."""

from __future__ import annotations

import aiohttp
from aiohttp_socks import ProxyConnector, ProxyError, ProxyType

from tests.fakebot import FakeBotApi, Tunnel, free_port, socks_proxy


async def get_me(url: str, port: int, *, user: str | None, password: str | None) -> int:
    """The status of a getMe sent through the proxy on `port`, which resolves the name."""
    connector = ProxyConnector(
        proxy_type=ProxyType.SOCKS5,
        host="127.0.0.1",
        port=port,
        username=user,
        password=password,
        rdns=True,
    )
    async with aiohttp.ClientSession(connector=connector) as session, session.post(url) as answer:
        return answer.status


async def test_connections_are_recorded_by_the_name_the_client_gave(server: FakeBotApi) -> None:
    nowhere = free_port()
    route = server.url.removeprefix("http://")
    async with socks_proxy(user="ops", password="s3cret", route_to=route) as proxy:
        url = f"http://localhost:{nowhere}/bot{server.token}/getMe"
        assert await get_me(url, proxy.port, user="ops", password="s3cret") == 200
    assert proxy.tunnels == [Tunnel("socks5", f"localhost:{nowhere}")]
    assert [call.method for call in server.calls] == ["getMe"]
    assert (proxy.refused, proxy.other) == (0, [])


async def test_every_connection_must_carry_the_credentials(server: FakeBotApi) -> None:
    url = f"{server.url}/bot{server.token}/getMe"
    async with socks_proxy(user="ops", password="s3cret") as proxy:
        assert await get_me(url, proxy.port, user="ops", password="s3cret") == 200
        # From the same address, just after: still refused without them, or with wrong ones.
        for user, password in ((None, None), ("ops", "wrong")):
            try:
                await get_me(url, proxy.port, user=user, password=password)
            except ProxyError:
                continue
            raise AssertionError(f"the proxy let {user}:{password} through")
    assert proxy.tunnels == [Tunnel("socks5", url.split("/")[2])]
    assert proxy.refused == 2
