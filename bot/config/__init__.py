"""Configuration, read once from the environment (and a `.env` file) and validated at start.

The `.env` file's syntax is in `dotenv`, the proxy settings in `proxy`.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from bot.config.backups import BACKUP_KEEP_DEFAULT, backup_dir, backup_keep
from bot.config.channels import ChannelRef, channel_ids
from bot.config.delivery import FREE_RATE_LIMIT, clock, rate, timezone
from bot.config.dotenv import read_dotenv
from bot.config.errors import ConfigError, quoted
from bot.config.numbers import check_url, whole_number
from bot.config.proxy import PROXY_SETTINGS, proxy_for
from bot.config.reports import error_chat_id
from bot.config.secrets import FILE_SETTINGS, metrics_token, secret
from bot.config.web import (
    TELEGRAM_API_URL_DEFAULT,
    http_port,
    webhook_max_connections,
    webhook_secret,
    webhook_url,
)
from storage.opening import DatabaseLocation
from storage.postgres.urls import redacted

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
# Every setting briefbot reads: `briefbot run --help` lists them, and a name close to one of
# them (ADMINS_IDS) is warned about at start.
SETTINGS = (
    "TELEGRAM_BOT_TOKEN",
    "ADMIN_IDS",
    "DATABASE_PATH",
    "DATABASE_URL",
    "TELEGRAM_API_URL",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "DEFAULT_DELIVERY_TIME",
    "DEFAULT_TIMEZONE",
    "PUSH_RATE_LIMIT",
    "ALLOW_PAID_BROADCAST",
    "BACKUP_DIR",
    "BACKUP_KEEP",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_MAX_CONNECTIONS",
    "HTTP_HOST",
    "HTTP_PORT",
    "CHANNEL_IDS",
    "METRICS_TOKEN",
    "ERROR_CHAT_ID",
    *PROXY_SETTINGS,
    *FILE_SETTINGS,
)
# How alike a name must be to one of SETTINGS to be taken for a misspelling of it:
# ADMINS_IDS (0.95) and TELEGRAM_TOKEN (0.88) are; PATH, HOME or LOGNAME are far below.
_MISSPELLING_CUTOFF = 0.8


@dataclass(frozen=True, slots=True)
class Config:
    token: str
    admin_ids: frozenset[int] = frozenset()
    database_path: Path = Path("briefbot.db")
    # PostgreSQL instead of the SQLite file when set; may hold a password (kept out of repr).
    database_url: str | None = None
    telegram_api_url: str = TELEGRAM_API_URL_DEFAULT
    log_level: str = "INFO"
    log_format: str = "text"
    default_delivery_time: time = time(8, 0)
    default_timezone: str = "UTC"
    push_rate_limit: float = FREE_RATE_LIMIT
    allow_paid_broadcast: bool = False
    # The proxy every request to the Bot API goes through, from the environment; may hold a
    # password, so it is kept out of __repr__ like the token.
    proxy: str | None = None
    backup_dir: Path | None = None  # where the daily backup goes; None: no daily backup
    backup_keep: int = BACKUP_KEEP_DEFAULT
    # Webhook mode when set (bot/telegram/webhook/receiver.py): the public URL Telegram posts
    # updates to.
    webhook_url: str | None = None
    webhook_secret: str | None = None  # None: one generated and kept in the database
    webhook_max_connections: int = 40
    # The bot's HTTP server (webhook, /healthz, /readyz); None: no server (polling only).
    http_host: str = "0.0.0.0"
    http_port: int | None = None
    metrics_token: str | None = None  # GET /metrics asks for it when set; kept out of repr
    # The channels every published brief is posted to (bot/channels/): ids or "@username".
    channel_ids: tuple[ChannelRef, ...] = ()
    error_chat_id: int | None = None  # failure reports go here; None: to every admin

    def __repr__(self) -> str:  # the token must never reach a log line or a traceback
        return f"Config(admin_ids={sorted(self.admin_ids)}, database_path={self.database_path!s})"

    @property
    def database(self) -> DatabaseLocation:
        return DatabaseLocation(self.database_path, self.database_url)

    @property
    def bot_url(self) -> str:
        return f"{self.telegram_api_url}/bot"

    @property
    def file_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"


def misspelled_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> list[str]:
    """One warning for each name in the `.env` file or the environment that is not one of
    SETTINGS but close to one: what the operator most likely meant to set."""
    sources = [("the environment", os.environ if environ is None else environ)]
    if dotenv is not None:
        sources.insert(0, (str(dotenv), read_dotenv(dotenv)))
    warnings = []
    for where, names in sources:
        for name in names:
            if name.upper() in SETTINGS and (name in SETTINGS or name.upper() in PROXY_SETTINGS):
                continue
            if any(name.upper().endswith(f"_{setting}") for setting in SETTINGS):
                continue  # another program's own setting, named after ours (TEST_DATABASE_URL)
            close = difflib.get_close_matches(
                name.upper(), SETTINGS, n=1, cutoff=_MISSPELLING_CUTOFF
            )
            if close:
                warnings.append(
                    f"briefbot: warning: {name} in {where} is not a briefbot setting; "
                    f"did you mean {close[0]}?"
                )
    return warnings


def load_config(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> Config:
    """Build the Config; the process environment wins over the `.env` file."""
    env = _environment(environ, dotenv)
    paid = _bool(env, "ALLOW_PAID_BROADCAST", default=False)
    api_url = _api_url(env)
    webhook = webhook_url(env, api_url)
    return Config(
        token=_token(env),
        admin_ids=_admin_ids(env),
        database_path=_database_path(env),
        database_url=_database_url(env),
        telegram_api_url=api_url,
        log_level=_log_level(env),
        log_format=_log_format(env),
        default_delivery_time=clock(env, "DEFAULT_DELIVERY_TIME", "08:00"),
        default_timezone=timezone(env),
        push_rate_limit=rate(env, paid),
        allow_paid_broadcast=paid,
        proxy=proxy_for(env, api_url),
        backup_dir=backup_dir(env),
        backup_keep=backup_keep(env),
        webhook_url=webhook,
        webhook_secret=webhook_secret(env),
        webhook_max_connections=webhook_max_connections(env),
        http_host=env.get("HTTP_HOST", "").strip() or "0.0.0.0",
        http_port=http_port(env, webhook=webhook is not None),
        metrics_token=metrics_token(env),
        channel_ids=channel_ids(env),
        error_chat_id=error_chat_id(env),
    )


@dataclass(frozen=True, slots=True)
class HealthSettings:
    """What `briefbot health` reads: where the running bot answers, or where it writes."""

    http_port: int | None
    database: DatabaseLocation
    # Where to ask: the address the server listens on, or this machine when it listens on
    # every address.
    http_host: str = "127.0.0.1"


def load_health_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> HealthSettings:
    """Without the token: a health check needs only to know where to look."""
    env = _environment(environ, dotenv)
    webhook = bool(env.get("WEBHOOK_URL", "").strip())
    host = env.get("HTTP_HOST", "").strip()
    asked = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    return HealthSettings(http_port(env, webhook=webhook), _database(env), asked)


def _environment(environ: Mapping[str, str] | None, dotenv: Path | None) -> dict[str, str]:
    return {
        **(read_dotenv(dotenv) if dotenv else {}),
        **(os.environ if environ is None else environ),
    }


def load_database_path(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> Path:
    env = _environment(environ, dotenv)
    return _database_path(env)


def load_database(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> DatabaseLocation:
    """Where the database is, for the commands that need nothing else."""
    return _database(_environment(environ, dotenv))


def database_warnings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> list[str]:
    """DATABASE_URL wins over DATABASE_PATH: one line saying so when both are set."""
    env = _environment(environ, dotenv)
    url = env.get("DATABASE_URL", "").strip() or env.get("DATABASE_URL_FILE", "").strip()
    if url and env.get("DATABASE_PATH", "").strip():
        return [
            "briefbot: warning: both DATABASE_URL and DATABASE_PATH are set; DATABASE_URL "
            "(PostgreSQL) is used and DATABASE_PATH ignored (unset one of them)"
        ]
    return []


def _database(env: Mapping[str, str]) -> DatabaseLocation:
    return DatabaseLocation(_database_path(env), _database_url(env))


def _database_path(env: Mapping[str, str]) -> Path:
    return Path(env.get("DATABASE_PATH", "").strip() or "briefbot.db")


def _database_url(env: Mapping[str, str]) -> str | None:
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


def _token(env: Mapping[str, str]) -> str:
    token = secret(env, "TELEGRAM_BOT_TOKEN").strip()
    if not token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram "
            "(https://t.me/BotFather, command /newbot) and set the token it gives you"
        )
    if not _TOKEN.fullmatch(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is malformed: expected the form 123456789:AAH... "
            "as given by @BotFather"
        )
    return token


def _admin_ids(env: Mapping[str, str]) -> frozenset[int]:
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


def _api_url(env: Mapping[str, str]) -> str:
    url = env.get("TELEGRAM_API_URL", "").strip() or TELEGRAM_API_URL_DEFAULT
    # Before anything is quoted: with a password misread, its pieces are the "path".
    check_url("TELEGRAM_API_URL", url)
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", url):
        raise ConfigError(
            f"TELEGRAM_API_URL must be the root URL of a Bot API server such as "
            f"{TELEGRAM_API_URL_DEFAULT}, got {quoted(redacted(url))}"
        )
    return url.rstrip("/")


def _log_level(env: Mapping[str, str]) -> str:
    level = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {quoted(level)}")
    return level


def _log_format(env: Mapping[str, str]) -> str:
    log_format = env.get("LOG_FORMAT", "").strip().lower() or "text"
    if log_format not in LOG_FORMATS:
        raise ConfigError(
            f"LOG_FORMAT must be text (lines for people) or json (one object per line, for "
            f"log collectors), got {quoted(log_format)}"
        )
    return log_format


def _bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {quoted(raw)}")


__all__ = [
    "SETTINGS",
    "ChannelRef",
    "Config",
    "ConfigError",
    "HealthSettings",
    "database_warnings",
    "load_config",
    "load_database",
    "load_database_path",
    "load_health_settings",
    "misspelled_settings",
    "read_dotenv",
]
