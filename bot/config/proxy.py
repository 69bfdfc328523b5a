"""The proxy the bot reaches the Bot API through, from the usual environment variables."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from bot.config.errors import ConfigError
from bot.config.numbers import check_url

# Read as curl and httpx read them, in either case.
PROXY_SETTINGS = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


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
    # First: a password holding a / not percent-encoded would fail the form below, and be
    # told that its scheme is wrong.
    check_url(name, proxy)
    if not re.match(r"^https?://[^/\s]+/?$", proxy):
        raise ConfigError(
            f"{name} must be an http:// or https:// proxy such as http://proxy.example:3128, "
            f"got {_scheme(proxy)} scheme: briefbot speaks to proxies over HTTP"
        )
    return proxy


def _scheme(url: str) -> str:
    """The scheme as written, without parsing the rest (which may hold a password)."""
    return url.partition("://")[0] if "://" in url else "no"


def _bypassed(host: str, no_proxy: str) -> bool:
    """Whether NO_PROXY (`*`, or hosts and domains, comma-separated) names the host."""
    for entry in (part.strip().lower() for part in no_proxy.split(",")):
        name = entry.rsplit(":", 1)[0] if entry.count(":") == 1 else entry
        domain = name.lstrip("*").lstrip(".")
        if entry == "*" or (domain and (host == domain or host.endswith(f".{domain}"))):
            return True
    return False
