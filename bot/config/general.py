"""The settings of no one feature: the token, the admins, the Bot API's URL, the logs and
the database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from bot.config.errors import ConfigError, quoted
from bot.config.numbers import check_url, whole_number
from bot.config.secrets import secret
from bot.config.web import TELEGRAM_API_URL_DEFAULT
from storage.postgres.urls import redacted

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")


def bot_token(env: Mapping[str, str]) -> str:
    """The token; "" when it is unset and MATRIX_HOMESERVER is set: Matrix alone."""
    token = secret(env, "TELEGRAM_BOT_TOKEN").strip()
    if not token and env.get("MATRIX_HOMESERVER", "").strip():
        return ""
    if not token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram "
            "(https://t.me/BotFather, command /newbot) and set the token it gives you "
            "(or TELEGRAM_BOT_TOKEN_FILE to a file holding it); set TELEGRAM_BOT_TOKEN, "
            "or MATRIX_* for Matrix alone (docs/operators/matrix.md)"
        )
    if not _TOKEN.fullmatch(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is malformed: expected the form 123456789:AAH... "
            "as given by @BotFather"
        )
    return token


def admin_ids(env: Mapping[str, str]) -> frozenset[int]:
    raw = env.get("ADMIN_IDS", "")
    ids: set[int] = set()
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        found = whole_number(part)
        if found is None:
            raise ConfigError(
                f"ADMIN_IDS must be comma-separated numeric Telegram user ids, got {quoted(part)}"
            )
        ids.add(found)
    return frozenset(ids)


def api_url(env: Mapping[str, str]) -> str:
    url = env.get("TELEGRAM_API_URL", "").strip() or TELEGRAM_API_URL_DEFAULT
    # Before anything is quoted: with a password misread, its pieces are the "path".
    check_url("TELEGRAM_API_URL", url)
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", url):
        raise ConfigError(
            f"TELEGRAM_API_URL must be the root URL of a Bot API server such as "
            f"{TELEGRAM_API_URL_DEFAULT}, got {quoted(redacted(url))}"
        )
    return url.rstrip("/")


def log_level(env: Mapping[str, str]) -> str:
    level = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {quoted(level)}")
    return level


def log_format(env: Mapping[str, str]) -> str:
    found = env.get("LOG_FORMAT", "").strip().lower() or "text"
    if found not in LOG_FORMATS:
        raise ConfigError(
            f"LOG_FORMAT must be text (lines for people) or json (one object per line, for "
            f"log collectors), got {quoted(found)}"
        )
    return found


def yes_or_no(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {quoted(raw)}")


def database_path(env: Mapping[str, str]) -> Path:
    return Path(env.get("DATABASE_PATH", "").strip() or "briefbot.db")


def database_url(env: Mapping[str, str]) -> str | None:
    url = secret(env, "DATABASE_URL").strip()
    if not url:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        scheme = url.split("://", 1)[0] if "://" in url else ""
        # Only a scheme is quoted back: text before :// may be a password (u:pw@h://...).
        scheme = scheme if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,19}", scheme) else "no scheme"
        raise ConfigError(
            f"DATABASE_URL must be a PostgreSQL URL, postgresql://user:password@host:5432/name "
            f"(it has {scheme}); for an SQLite file set DATABASE_PATH and leave DATABASE_URL unset"
        )
    check_url("DATABASE_URL", url)
    return url
