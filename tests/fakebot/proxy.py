"""A real HTTP forward proxy on 127.0.0.1, for tests that the bot's requests go through one.

It serves only what a client configured with an http:// proxy sends for an http:// URL:
requests in absolute form (`POST http://host:port/path HTTP/1.1`). A request in origin form
(`POST /path`) is one meant for a server, not a proxy: it is refused, so a client that
bypasses the proxy and reaches it by mistake is never silently served.
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from yarl import URL

# Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection and are not forwarded; the
# client session sets Host, Content-Length and Accept-Encoding for its own request.
_NOT_FORWARDED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "accept-encoding",
    }
)
_TOKEN = re.compile(r"^/(file/)?bot[^/]+/")


@dataclass(frozen=True)
class Forwarded:
    """One request the proxy forwarded, with the bot token taken out of its path."""

    method: str  # the HTTP method
    path: str  # e.g. /bot<token>/sendMessage or /file/bot<token>/documents/file_1.txt
    status: int  # the target's answer

    @property
    def api_method(self) -> str | None:
        """The Bot API method called, or None for a file download."""
        prefix = "/bot<token>/"
        return self.path.removeprefix(prefix) if self.path.startswith(prefix) else None

    @property
    def download(self) -> str | None:
        """The file_path downloaded, or None for a Bot API call."""
        prefix = "/file/bot<token>/"
        return self.path.removeprefix(prefix) if self.path.startswith(prefix) else None


@asynccontextmanager
async def forward_proxy(
    *, user: str | None = None, password: str = ""
) -> AsyncIterator[ForwardProxy]:
    """`async with forward_proxy() as proxy:` then `HTTP_PROXY=proxy.url`; read `proxy.forwarded`.

    With `user` and `password`, every request must carry them in Proxy-Authorization, as a
    client sends them from a proxy URL like http://user:password@host:port.
    """
    # No timeout: a long poll is held as long as the target holds it.
    session = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=None),
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,
    )
    proxy = ForwardProxy(session, user=user, password=password)
    app = web.Application(client_max_size=60 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", proxy.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        proxy.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        yield proxy
    finally:
        # The session first: requests still held by the target (a long poll) end at once.
        await session.close()
        await runner.cleanup()


class ForwardProxy:
    """The proxy's records, and how it answers; run one with `forward_proxy()`."""

    def __init__(self, session: aiohttp.ClientSession, *, user: str | None, password: str) -> None:
        self.url = ""
        self.forwarded: list[Forwarded] = []
        self.refused = 0  # requests answered 400 (origin form) or 407 (wrong credentials)
        self._expected_auth = (
            "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            if user is not None
            else None
        )
        self._session = session

    @property
    def api_methods(self) -> list[str]:
        return [f.api_method for f in self.forwarded if f.api_method is not None]

    @property
    def downloads(self) -> list[str]:
        return [f.download for f in self.forwarded if f.download is not None]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Forward one request in absolute form to its target; refuse any other."""
        target = URL(request.raw_path)
        if not target.is_absolute() or target.scheme != "http":
            self.refused += 1
            return web.Response(status=400, text="a proxy serves absolute-form http:// requests")
        if not self._authorized(request):
            self.refused += 1
            return web.Response(status=407, headers={"Proxy-Authenticate": 'Basic realm="test"'})
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED}
        body = await request.read()
        try:
            async with self._session.request(
                request.method, target, headers=headers, data=body, allow_redirects=False
            ) as answer:
                content = await answer.read()
        except aiohttp.ClientError as error:
            return web.Response(status=502, text=f"the target could not be reached: {error}")
        self.forwarded.append(
            Forwarded(request.method, _TOKEN.sub(r"/\1bot<token>/", target.path), answer.status)
        )
        return web.Response(
            status=answer.status,
            body=content,
            headers={
                k: v
                for k, v in answer.headers.items()
                if k.lower() in ("content-type", "content-encoding", "retry-after")
            },
        )

    def _authorized(self, request: web.Request) -> bool:
        given = request.headers.get("Proxy-Authorization")
        return self._expected_auth is None or given == self._expected_auth
