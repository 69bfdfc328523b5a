"""Configuration, read once from the environment (and a `.env` file) and validated at start,
every problem told at once.

Where the values come from is in `environment` (the `.env` file's rules in `dotenv`), the
proxy settings in `proxy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from bot.config.audio import AUDIO_SETTINGS, AudioSettings, audio_settings
from bot.config.backups import BACKUP_KEEP_DEFAULT, backup_dir, backup_keep
from bot.config.channels import ChannelRef, channel_languages
from bot.config.delivery import FREE_RATE_LIMIT, clock, rate, timezone
from bot.config.dotenv import read_dotenv
from bot.config.environment import Environment, misspellings, read_environment
from bot.config.errors import ConfigError, Problems
from bot.config.general import (
    admin_ids,
    api_url,
    bot_token,
    database_path,
    database_url,
    log_format,
    log_level,
    yes_or_no,
)
from bot.config.languages import LANGUAGE_SETTINGS, bot_language, operator_templates
from bot.config.matrix import MATRIX_SETTINGS, MatrixSettings, matrix_settings
from bot.config.profile import DESCRIPTION_SETTINGS, bot_description, bot_short_description
from bot.config.proxy import PROXY_SETTINGS, proxy_for
from bot.config.reports import error_chat_id
from bot.config.secrets import FILE_SETTINGS, metrics_token
from bot.config.web import (
    TELEGRAM_API_URL_DEFAULT,
    http_port,
    webhook_max_connections,
    webhook_secret,
    webhook_url,
)
from storage.opening import DatabaseLocation

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
    *DESCRIPTION_SETTINGS,
    *LANGUAGE_SETTINGS,
    *AUDIO_SETTINGS,
    *MATRIX_SETTINGS,
    *PROXY_SETTINGS,
    *FILE_SETTINGS,
)


@dataclass(frozen=True, slots=True)
class Config:
    token: str  # "": no Telegram, Matrix alone (MATRIX_* set, TELEGRAM_BOT_TOKEN not)
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
    # Each channel's own language (CHANNEL_IDS=@briefs_es:es); a channel not here: bot_language.
    channel_languages: Mapping[ChannelRef, str] = field(default_factory=dict)
    error_chat_id: int | None = None  # failure reports go here; None: to every admin
    # The bot's descriptions in Telegram; None: the bot's own wording (templates/).
    bot_description: str | None = None
    bot_short_description: str | None = None
    # The language spoken to a reader whose own is unknown or not shipped (BOT_LANGUAGE).
    bot_language: str = "en"
    # A folder of the newsroom's own templates and catalogues, before the shipped ones.
    templates_dir: Path | None = None
    # Voice notes: AUDIO, PIPER, VOICE_<LANG>, and the engines found on PATH.
    audio: AudioSettings = field(default_factory=AudioSettings)
    # The Matrix account briefs are also served from (MATRIX_*); None: Telegram only.
    matrix: MatrixSettings | None = None

    def __repr__(self) -> str:  # the token must never reach a log line or a traceback
        return f"Config(admin_ids={sorted(self.admin_ids)}, database_path={self.database_path!s})"

    @property
    def database(self) -> DatabaseLocation:
        return DatabaseLocation(self.database_path, self.database_url)

    @property
    def telegram(self) -> bool:
        """Whether Telegram is served; without it, Matrix alone (config.matrix is set)."""
        return bool(self.token)

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
    found = misspellings(read_environment(environ, dotenv), SETTINGS)
    return [f"briefbot: warning: {line}" for line in found]


def load_config(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> Config:
    """Build the Config; the process environment wins over the `.env` file. ConfigError
    tells every problem found, the `.env` file's first."""
    return config_from(read_environment(environ, dotenv))


def config_from(environment: Environment) -> Config:
    """The Config the values say; ConfigError tells every problem found in them."""
    env = environment.values
    problems = Problems(environment.problems)
    read = problems.read
    paid = read(False, yes_or_no, env, "ALLOW_PAID_BROADCAST", default=False)
    api = read(TELEGRAM_API_URL_DEFAULT, api_url, env)
    webhook = read(None, webhook_url, env, api)
    config = Config(
        token=read("", bot_token, env),
        admin_ids=read(frozenset(), admin_ids, env),
        database_path=database_path(env),
        database_url=read(None, database_url, env),
        telegram_api_url=api,
        log_level=read("INFO", log_level, env),
        log_format=read("text", log_format, env),
        default_delivery_time=read(time(8), clock, env, "DEFAULT_DELIVERY_TIME", "08:00"),
        default_timezone=read("UTC", timezone, env),
        push_rate_limit=read(FREE_RATE_LIMIT, rate, env, paid),
        allow_paid_broadcast=paid,
        proxy=read(None, proxy_for, env, api),
        backup_dir=read(None, backup_dir, env),
        backup_keep=read(BACKUP_KEEP_DEFAULT, backup_keep, env),
        webhook_url=webhook,
        webhook_secret=read(None, webhook_secret, env),
        webhook_max_connections=read(40, webhook_max_connections, env),
        http_host=env.get("HTTP_HOST", "").strip() or "0.0.0.0",
        http_port=read(None, http_port, env, webhook=webhook is not None),
        metrics_token=read(None, metrics_token, env),
        # Read here, in the settings' order, so the problems are told in that order too.
        channel_ids=tuple(channels := read({}, channel_languages, env)),
        channel_languages={ref: code for ref, code in channels.items() if code},
        error_chat_id=read(None, error_chat_id, env),
        bot_description=read(None, bot_description, env),
        bot_short_description=read(None, bot_short_description, env),
        bot_language=read("en", bot_language, env),
        templates_dir=read(None, operator_templates, env),
        audio=read(AudioSettings(enabled=False), audio_settings, env),
        matrix=read(None, matrix_settings, env),
    )
    problems.raise_any()
    return config


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
    environment = read_environment(environ, dotenv)
    env = environment.values
    problems = Problems(environment.problems)
    webhook = bool(env.get("WEBHOOK_URL", "").strip())
    host = env.get("HTTP_HOST", "").strip()
    asked = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    port = problems.read(None, http_port, env, webhook=webhook)
    database = _database(environment, problems)
    problems.raise_any()
    return HealthSettings(port, database, asked)


def load_database_path(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> Path:
    return load_database(environ, dotenv).path


def load_database(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> DatabaseLocation:
    """Where the database is, for the commands that need nothing else."""
    environment = read_environment(environ, dotenv)
    problems = Problems(environment.problems)
    database = _database(environment, problems)
    problems.raise_any()
    return database


def database_warnings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> list[str]:
    """DATABASE_URL wins over DATABASE_PATH: one line saying so when both are set."""
    found = both_databases(read_environment(environ, dotenv).values)
    return [f"briefbot: warning: {line}" for line in found]


def both_databases(env: Mapping[str, str]) -> list[str]:
    url = env.get("DATABASE_URL", "").strip() or env.get("DATABASE_URL_FILE", "").strip()
    if url and env.get("DATABASE_PATH", "").strip():
        return [
            "both DATABASE_URL and DATABASE_PATH are set; DATABASE_URL (PostgreSQL) is used "
            "and DATABASE_PATH ignored (unset one of them)"
        ]
    return []


def _database(environment: Environment, problems: Problems) -> DatabaseLocation:
    env = environment.values
    return DatabaseLocation(database_path(env), problems.read(None, database_url, env))


__all__ = [
    "SETTINGS",
    "AudioSettings",
    "ChannelRef",
    "Config",
    "ConfigError",
    "Environment",
    "HealthSettings",
    "MatrixSettings",
    "both_databases",
    "config_from",
    "database_warnings",
    "load_config",
    "load_database",
    "load_database_path",
    "load_health_settings",
    "misspelled_settings",
    "misspellings",
    "read_dotenv",
    "read_environment",
]
