"""The proxy the bot reaches the Bot API through, from the usual environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from bot.config.errors import ConfigError
from bot.config.numbers import check_url

# Read as curl and httpx read them, in either case.
PROXY_SETTINGS = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")
# As curl reads them: socks5h and socks4a have the proxy resolve the Bot API's host name;
# socks5 and socks4 resolve it here and hand the proxy an address.
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h", "socks4", "socks4a")


def proxy_for(env: Mapping[str, str], url: str) -> str | None:
    """The proxy for the Bot API URL, read as curl, httpx and PTB's default transport read it.

    `HTTPS_PROXY` (or `HTTP_PROXY` for an http:// Bot API URL), else `ALL_PROXY`, unless
    `NO_PROXY` names the host; lower-case names win over upper-case ones.
    """
    proxies = {
        name.lower().removesuffix("_proxy"): value.strip()
        for name, value in sorted(env.items(), key=lambda item: item[0].islower())
        if name.upper() in PROXY_SETTINGS and value.strip()
    }
    parts = urlsplit(url)
    if _bypassed(parts.hostname or "", proxies.get("no", "")):
        return None
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if proxy is None:
        return None
    name = "ALL_PROXY" if proxy == proxies.get("all") else f"{parts.scheme.upper()}_PROXY"
    check_proxy(name, proxy)
    return proxy


def check_proxy(name: str, proxy: str) -> None:
    """Refuse a proxy URL the bot cannot use, in one line naming the setting and never
    quoting the URL, which may hold a password."""
    # First: a password holding a / not percent-encoded would fail the form below, and be
    # told that its scheme is wrong.
    check_url(name, proxy)
    parts = urlsplit(proxy)
    # Without its `://`, what urllib takes for a scheme may be a user name.
    scheme = parts.scheme if proxy.lower().startswith(f"{parts.scheme}://") else ""
    if scheme not in PROXY_SCHEMES:
        raise ConfigError(
            f"{name} must be a proxy URL such as socks5://proxy.example:1080 or "
            f"http://proxy.example:3128, got {scheme or 'no'} scheme: the schemes "
            f"accepted are {', '.join(f'{accepted}://' for accepted in PROXY_SCHEMES)}"
        )
    alone = parts.path in ("", "/") and not (parts.query or parts.fragment)
    if not parts.hostname or not alone or any(character.isspace() for character in proxy):
        raise ConfigError(
            f"{name} must be a proxy's address alone, {parts.scheme}://[user:password@]host:port, "
            "with a host and nothing after the port"
        )
    if parts.scheme.startswith("socks4") and parts.password is not None:
        raise ConfigError(
            f"{name}: a SOCKS4 proxy takes a user name only, no password; "
            "socks5:// or socks5h:// take both"
        )


def _bypassed(host: str, no_proxy: str) -> bool:
    """Whether NO_PROXY (`*`, or hosts and domains, comma-separated) names the host."""
    for entry in (part.strip().lower() for part in no_proxy.split(",")):
        name = entry.rsplit(":", 1)[0] if entry.count(":") == 1 else entry
        domain = name.lstrip("*").lstrip(".")
        if entry == "*" or (domain and (host == domain or host.endswith(f".{domain}"))):
            return True
    return False
