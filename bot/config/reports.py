"""ERROR_CHAT_ID: the one chat that gets the reports of failed updates instead of every admin."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.config.errors import ConfigError, quoted

# A user's id (positive), a group's (negative) or a supergroup's or channel's (-100...).
_CHAT_ID = re.compile(r"-?[1-9]\d{0,15}")


def error_chat_id(env: Mapping[str, str]) -> int | None:
    raw = env.get("ERROR_CHAT_ID", "").strip()
    if not raw:
        return None
    if not _CHAT_ID.fullmatch(raw):
        raise ConfigError(
            "ERROR_CHAT_ID must be one numeric Telegram chat id, a user's such as 11111111 "
            f"or a group's such as -1001234567890, got {quoted(raw)}"
        )
    return int(raw)
