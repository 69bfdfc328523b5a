"""CHANNEL_IDS: the channels every published brief is posted to."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.config.errors import ConfigError, quoted

# A channel's numeric id (-100 and its number) or its public @username (5-32 characters).
# 0-9 only: re's \d is any script's digits, which int() would take as these.
_NUMERIC = re.compile(r"-100[0-9]{1,16}")
_USERNAME = re.compile(r"@[A-Za-z0-9_]{5,32}")

ChannelRef = int | str  # a numeric id, or "@username" (resolved to its id at start)


def channel_ids(env: Mapping[str, str]) -> tuple[ChannelRef, ...]:
    """The channels in the order given, each once; empty when CHANNEL_IDS is not set."""
    found: dict[ChannelRef, None] = {}
    for part in (p.strip() for p in env.get("CHANNEL_IDS", "").split(",")):
        if not part:
            continue
        if _NUMERIC.fullmatch(part):
            found[int(part)] = None
        elif _USERNAME.fullmatch(part):
            found[part.lower()] = None  # Telegram's usernames are case-insensitive
        else:
            raise ConfigError(
                "CHANNEL_IDS must be comma-separated channels, each a numeric id such as "
                "-1001234567890 or a public @username of 5 to 32 letters, digits and _, "
                f"got {quoted(part)}"
            )
    return tuple(found)
