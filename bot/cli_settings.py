"""The settings in effect, as `briefbot check` shows them: one line each, with the value the
bot uses (the default where none is set), where it came from, and every secret masked: the
token but its bot id, DATABASE_URL's and the proxies' passwords, WEBHOOK_SECRET and
METRICS_TOKEN whole."""

from __future__ import annotations

from pathlib import Path

from bot.config import SETTINGS, Config, Environment
from bot.config.audio import VOICE_SETTINGS, AudioSettings
from bot.config.channels import ChannelRef
from bot.config.errors import quoted
from bot.config.proxy import PROXY_SETTINGS
from bot.config.secrets import FILE_SETTINGS
from storage.postgres.urls import HIDDEN, redacted

# Values longer than this are cut in the table (a long URL still shows its host).
VALUE_WIDTH = 60


def settings_table(config: Config, environment: Environment) -> list[str]:
    """A header, then one line for each setting but the NAME_FILE ones (each secret's line
    says when its value came from a file)."""
    effective = _effective(config)
    rows = [("SETTING", "VALUE", "FROM")]
    for name in SETTINGS:
        if name in FILE_SETTINGS:
            continue
        value = effective[name] if name in effective else _as_given(environment, name)
        rows.append((name, _cut(value), _origin(environment, name)))
    name_width = max(len(name) for name, _, _ in rows)
    value_width = max(len(value) for _, value, _ in rows)
    return [
        f"{name:<{name_width}}  {value:<{value_width}}  {origin}".rstrip()
        for name, value, origin in rows
    ]


def _effective(config: Config) -> dict[str, str]:
    """The settings the Config holds, as the bot uses them."""
    return {
        "TELEGRAM_BOT_TOKEN": f"{config.token.partition(':')[0]}:{HIDDEN}"
        if config.telegram
        else "unset: Matrix alone",
        "ADMIN_IDS": ", ".join(str(admin) for admin in sorted(config.admin_ids))
        or "none: nobody may publish",
        "DATABASE_PATH": str(config.database_path)
        + (" (not used: DATABASE_URL is set)" if config.database_url else ""),
        "DATABASE_URL": redacted(config.database_url) if config.database_url else "unset",
        "TELEGRAM_API_URL": redacted(config.telegram_api_url),
        "LOG_LEVEL": config.log_level,
        "LOG_FORMAT": config.log_format,
        "DEFAULT_DELIVERY_TIME": config.default_delivery_time.strftime("%H:%M"),
        "DEFAULT_TIMEZONE": config.default_timezone,
        "PUSH_RATE_LIMIT": f"{config.push_rate_limit:g} messages a second",
        "ALLOW_PAID_BROADCAST": str(config.allow_paid_broadcast).lower(),
        "BACKUP_DIR": str(config.backup_dir) if config.backup_dir else "unset: no daily backup",
        "BACKUP_KEEP": str(config.backup_keep),
        "WEBHOOK_URL": redacted(config.webhook_url) if config.webhook_url else "unset: polling",
        "WEBHOOK_SECRET": HIDDEN if config.webhook_secret else "unset: generated, kept in the DB",
        "WEBHOOK_MAX_CONNECTIONS": str(config.webhook_max_connections),
        "HTTP_HOST": config.http_host,
        "HTTP_PORT": str(config.http_port) if config.http_port else "unset: no HTTP server",
        "METRICS_TOKEN": HIDDEN if config.metrics_token else "unset: /metrics open",
        "CHANNEL_IDS": ", ".join(_channel(config, channel) for channel in config.channel_ids)
        or "none",
        "BOT_LANGUAGE": config.bot_language,
        "TEMPLATES_DIR": str(config.templates_dir) if config.templates_dir else "unset: shipped",
        "ERROR_CHAT_ID": str(config.error_chat_id)
        if config.error_chat_id
        else "unset: reports go to the admins",
        **_audio(config.audio),
    }


def _audio(audio: AudioSettings) -> dict[str, str]:
    """AUDIO, PIPER and each VOICE_<LANG>: the Piper voice, or what speaks that language
    without one (the check of espeak-ng's own languages is made at start)."""
    if not audio.enabled:
        return {"AUDIO": "off", "PIPER": "not used: AUDIO=off"} | dict.fromkeys(
            (*VOICE_SETTINGS, "AUDIO_NICENESS", "AUDIO_YIELD_RATE"), "not used: AUDIO=off"
        )
    rows = {"AUDIO": "on", "PIPER": _path(audio.piper) if audio.piper else "none on PATH"}
    for name in VOICE_SETTINGS:
        voice = audio.voices.get(name.removeprefix("VOICE_").lower())
        if audio.opusenc is None:
            rows[name] = "none: no opusenc on PATH, no voice notes"
        elif voice is not None:
            rows[name] = _path(voice.model) if voice.given else f"{voice.model.name}, beside PIPER"
        else:
            rows[name] = "unset: espeak-ng, if it speaks it" if audio.espeak else "unset: none"
    rows["AUDIO_NICENESS"] = str(audio.niceness)
    rows["AUDIO_YIELD_RATE"] = (
        f"{audio.yield_rate:g} updates a second" if audio.yield_rate else "0: never paused"
    )
    return rows


def _path(path: Path) -> str:
    """A long path cut at its start: its end names the file."""
    shown = str(path)
    return shown if len(shown) <= VALUE_WIDTH else f"…{shown[1 - VALUE_WIDTH :]}"


def _channel(config: Config, channel: ChannelRef) -> str:
    language = config.channel_languages.get(channel)
    return f"{channel}:{language}" if language else str(channel)


def _as_given(environment: Environment, name: str) -> str:
    """A setting the table has no word for, as written: a URL's password hidden, a secret
    (a setting that may be given in a file) masked whole."""
    raw = environment.values.get(_given_as(environment, name), "").strip()
    if not raw:
        return "unset"
    if f"{name}_FILE" in FILE_SETTINGS:
        return HIDDEN
    return quoted(redacted(raw))


def _given_as(environment: Environment, name: str) -> str:
    """The proxies are read in either case, the lower-case name first (as curl does)."""
    lower = name.lower()
    if name in PROXY_SETTINGS and environment.values.get(lower, "").strip():
        return lower
    return name


def _origin(environment: Environment, name: str) -> str:
    variable = f"{name}_FILE"
    path = environment.values.get(variable, "").strip()
    if variable in FILE_SETTINGS and path:
        return f"the file {path} ({variable}, from {environment.origin(variable)})"
    given_as = _given_as(environment, name)
    origin = environment.origin(given_as)
    return origin if given_as == name else f"{origin} ({given_as})"


def _cut(value: str) -> str:
    return value if len(value) <= VALUE_WIDTH else f"{value[: VALUE_WIDTH - 1]}…"
