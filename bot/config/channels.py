"""CHANNEL_IDS: the channels every published brief is posted to, each in its own language
(`@briefs_es:es`; without one, in BOT_LANGUAGE)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.config.errors import ConfigError, quoted

# A channel's numeric id (-100 and its number) or its public @username (5-32 characters).
# 0-9 only: re's \d is any script's digits, which int() would take as these.
_NUMERIC = re.compile(r"-100[0-9]{1,16}")
_USERNAME = re.compile(r"@[A-Za-z0-9_]{5,32}")

_LANGUAGE = re.compile(r"[a-z]{2,3}")

ChannelRef = int | str  # a numeric id, or "@username" (resolved to its id at start)


def channel_ids(env: Mapping[str, str]) -> tuple[ChannelRef, ...]:
    """The channels in the order given, each once; empty when CHANNEL_IDS is not set."""
    return tuple(channel_languages(env))


def channel_languages(env: Mapping[str, str]) -> dict[ChannelRef, str | None]:
    """Each channel and the language its posts are written in (None: BOT_LANGUAGE)."""
    found: dict[ChannelRef, str | None] = {}
    for part in (p.strip() for p in env.get("CHANNEL_IDS", "").split(",")):
        if not part:
            continue
        ref, colon, language = part.partition(":")
        if colon and not _LANGUAGE.fullmatch(language):
            raise ConfigError(
                f"CHANNEL_IDS: {quoted(ref)} is followed by {quoted(language)}, which is not a "
                "lower-case language code such as es (write @channel:es, or the channel alone)"
            )
        if _NUMERIC.fullmatch(ref):
            found[int(ref)] = language or None
        elif _USERNAME.fullmatch(ref):
            found[ref.lower()] = language or None  # Telegram's usernames are case-insensitive
        else:
            raise ConfigError(
                "CHANNEL_IDS must be comma-separated channels, each a numeric id such as "
                "-1001234567890 or a public @username of 5 to 32 letters, digits and _, "
                "optionally with its language (@channel:es), "
                f"got {quoted(part)}"
            )
    return found
