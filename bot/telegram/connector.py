"""How a session reaches the Bot API: directly, through an HTTP proxy, or through a SOCKS one.

Every session that speaks to the Bot API (PTB's requests in bot/telegram/transport.py, the
push's in bot/telegram/push_sender.py) opens its pool here, so none can forget the proxy.
aiohttp speaks to HTTP proxies itself, given the proxy with each request; a SOCKS proxy is
spoken to by the connector that opens the pool's connections, aiohttp-socks' (SOCKS5 with
a user name and password, SOCKS4 with a user id). With socks5h and socks4a the proxy
resolves the Bot API's host name, which is never looked up here: where Telegram is blocked,
the local resolver may be too.
"""

from __future__ import annotations

import ssl
from urllib.parse import unquote, urlsplit

import aiohttp
from aiohttp_socks import (
    ProxyConnectionError,
    ProxyConnector,
    ProxyError,
    ProxyTimeoutError,
    ProxyType,
)

# curl's default port for a SOCKS proxy named without one.
SOCKS_PORT = 1080
# The scheme's protocol, and whether the proxy resolves the host name (curl's meaning).
_SOCKS = {
    "socks5": (ProxyType.SOCKS5, False),
    "socks5h": (ProxyType.SOCKS5, True),
    "socks4": (ProxyType.SOCKS4, False),
    "socks4a": (ProxyType.SOCKS4, True),
}
# What aiohttp-socks raises where aiohttp raises a ClientError: refused by the proxy (its
# credentials, or the proxy could not reach the Bot API), or the proxy unreachable; and
# where aiohttp raises a TimeoutError.
PROXY_FAILURES = (ProxyError, ProxyConnectionError)
PROXY_TIMEOUT = ProxyTimeoutError


def connector(
    proxy: str | None, *, limit: int, tls: ssl.SSLContext | bool = True
) -> aiohttp.TCPConnector:
    """A pool of at most `limit` connections, opened through `proxy` when it is a SOCKS one
    (the settings have checked its URL: bot/config/proxy.py)."""
    parts = urlsplit(proxy or "")
    if parts.scheme not in _SOCKS:
        return aiohttp.TCPConnector(limit=limit, ssl=tls)
    kind, remote_names = _SOCKS[parts.scheme]
    return ProxyConnector(
        proxy_type=kind,
        host=parts.hostname or "",
        port=parts.port or SOCKS_PORT,
        # Percent-encoded in the URL, as a password holding a URL's delimiters must be.
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password or "") if parts.username else None,
        rdns=remote_names,
        limit=limit,
        ssl=tls,
    )


def http_proxy(proxy: str | None) -> str | None:
    """What each request passes as aiohttp's `proxy`: an HTTP proxy's URL; None without a
    proxy or with a SOCKS one, which the connector speaks to."""
    return None if proxy is None or urlsplit(proxy).scheme in _SOCKS else proxy
