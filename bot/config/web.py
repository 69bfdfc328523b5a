"""The settings of the bot's HTTP server and of webhook mode."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar
from urllib.parse import urlsplit

from bot.config.errors import ConfigError, quoted
from bot.config.numbers import check_url, whole_number
from bot.config.secrets import checked_secret
from storage.postgres.urls import redacted

TELEGRAM_API_URL_DEFAULT = "https://api.telegram.org"
HTTP_PORT_WEBHOOK_DEFAULT = 8080
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_D = TypeVar("_D", int, int | None)


def webhook_url(env: Mapping[str, str], api_url: str) -> str | None:
    url = env.get("WEBHOOK_URL", "").strip()
    if not url:
        return None
    # Before anything is quoted: with a password misread, its pieces are the "path"; and
    # it refuses what urllib cannot split (a [ without its ]), quoting nothing.
    check_url("WEBHOOK_URL", url)
    parts = urlsplit(url)
    # A self-hosted Bot API server started with --local posts to http:// URLs too: allowed
    # when the bot talks to such a server (the tests' local one among them).
    schemes = ("https",) if api_url == TELEGRAM_API_URL_DEFAULT else ("https", "http")
    if parts.scheme not in schemes or not parts.hostname or any(c.isspace() for c in url):
        raise ConfigError(
            "WEBHOOK_URL must be the public https:// URL Telegram posts updates to, path "
            f"included, such as https://bot.example.com/telegram, got {quoted(redacted(url))}"
        )
    # The bot serves the path as written: escapes and route braces would never match.
    if not re.fullmatch(r"[A-Za-z0-9/._~-]*", parts.path):
        raise ConfigError(
            "WEBHOOK_URL's path may hold only letters, digits and / . _ ~ -, such as "
            f"/telegram, got {quoted(parts.path)}"
        )
    return url


def webhook_secret(env: Mapping[str, str]) -> str | None:
    rule = (
        "1 to 256 characters among A-Z, a-z, 0-9, _ and - (or left unset: the bot then "
        "generates one and keeps it in the database)"
    )
    return checked_secret(env, "WEBHOOK_SECRET", _WEBHOOK_SECRET, rule)


def webhook_max_connections(env: Mapping[str, str]) -> int:
    return _integer(env, "WEBHOOK_MAX_CONNECTIONS", 40, 1, 100)


def http_port(env: Mapping[str, str], *, webhook: bool) -> int | None:
    default = HTTP_PORT_WEBHOOK_DEFAULT if webhook else None
    return _integer(env, "HTTP_PORT", default, 1, 65535)


def _integer(env: Mapping[str, str], name: str, default: _D, low: int, high: int) -> int | _D:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    found = whole_number(raw)
    if found is None or not low <= found <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, got {quoted(raw)}")
    return found
