"""The push's settings: DEFAULT_DELIVERY_TIME, DEFAULT_TIMEZONE and PUSH_RATE_LIMIT."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time

from bot.config.errors import ConfigError, quoted
from bot.config.numbers import decimal_number
from bot.config.zones import is_region_zone, loadable_zone, parse_clock

# Telegram's own limit for bots without paid broadcasts, and the paid ceiling.
FREE_RATE_LIMIT = 30
PAID_RATE_LIMIT = 1000


def clock(env: Mapping[str, str], name: str, default: str) -> time:
    """A time of day as readers write it for /subscribe (`07:30`, `7.30`, `7h30`)."""
    value = env.get(name, "").strip() or default
    # /subscribe's own parser, so both take the same forms; a reader may type other
    # digits than 0-9 (an Arabic keyboard's), an operator's file may not.
    found = parse_clock(value) if value.isascii() else None
    if found is None:
        raise ConfigError(
            f"{name} must be a time of day on the 24-hour clock such as 07:30 "
            f"(7:30, 7.30 and 7h30 also do), got {quoted(value)}"
        )
    return found


def timezone(env: Mapping[str, str]) -> str:
    """An IANA region name, as /subscribe takes (bot/config/zones.py says which and why)."""
    name = env.get("DEFAULT_TIMEZONE", "").strip() or "UTC"
    if not is_region_zone(name) or loadable_zone(name) is None:
        raise ConfigError(
            "DEFAULT_TIMEZONE must be an IANA region time zone such as Europe/Berlin or "
            f"America/New_York, or UTC, got {quoted(name)}"
        )
    return name


def rate(env: Mapping[str, str], paid: bool) -> float:
    raw = env.get("PUSH_RATE_LIMIT", "").strip()
    ceiling = PAID_RATE_LIMIT if paid else FREE_RATE_LIMIT
    if not raw:
        return FREE_RATE_LIMIT
    found = decimal_number(raw)
    if found is None or not 0 < found <= ceiling:
        hint = "" if paid else f" (set ALLOW_PAID_BROADCAST=true to go up to {PAID_RATE_LIMIT})"
        raise ConfigError(
            f"PUSH_RATE_LIMIT must be messages per second, above 0 and at most {ceiling}"
            f"{hint}, got {quoted(raw)}"
        )
    return found
