import re
from datetime import time
from pathlib import Path

import pytest

from bot.config import (
    SETTINGS,
    ConfigError,
    database_warnings,
    load_config,
    load_health_settings,
)

TOKEN = "123456:ABC-def_ghi"


def config(**env: str) -> object:
    return load_config({"TELEGRAM_BOT_TOKEN": TOKEN, **env}, dotenv=None)


def test_defaults() -> None:
    loaded = load_config({"TELEGRAM_BOT_TOKEN": TOKEN}, dotenv=None)
    assert loaded.admin_ids == frozenset()
    assert loaded.database_path == Path("briefbot.db")
    assert loaded.telegram_api_url == "https://api.telegram.org"
    assert loaded.bot_url == "https://api.telegram.org/bot"
    assert loaded.file_url == "https://api.telegram.org/file/bot"
    assert loaded.default_delivery_time == time(8, 0)
    assert loaded.default_timezone == "UTC"
    assert loaded.push_rate_limit == 30
    assert loaded.allow_paid_broadcast is False
    assert loaded.log_format == "text"


def test_missing_token_says_where_to_get_one() -> None:
    with pytest.raises(ConfigError, match=r"TELEGRAM_BOT_TOKEN.*@BotFather"):
        load_config({}, dotenv=None)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not a token"),
        ("ADMIN_IDS", "12,abc"),
        ("TELEGRAM_API_URL", "localhost:8081"),
        ("LOG_LEVEL", "LOUD"),
        ("LOG_FORMAT", "xml"),
        ("DEFAULT_DELIVERY_TIME", "25:00"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("PUSH_RATE_LIMIT", "500"),
        ("PUSH_RATE_LIMIT", "fast"),
        ("ALLOW_PAID_BROADCAST", "maybe"),
        ("WEBHOOK_URL", "http://bot.example.com/hook"),  # https with api.telegram.org
        ("WEBHOOK_URL", "https:///no-host"),
        ("WEBHOOK_URL", "bot.example.com/hook"),
        ("WEBHOOK_URL", "https://bot.example.com/{hook}"),  # a route pattern to aiohttp
        ("WEBHOOK_URL", "https://bot.example.com/t%20g"),  # escapes are served unescaped
        ("WEBHOOK_SECRET", "with space"),
        ("WEBHOOK_SECRET", "x" * 257),
        ("WEBHOOK_MAX_CONNECTIONS", "0"),
        ("WEBHOOK_MAX_CONNECTIONS", "101"),
        ("HTTP_PORT", "0"),
        ("HTTP_PORT", "65536"),
        ("HTTP_PORT", "web"),
        ("CHANNEL_IDS", "12345"),  # a user's id, not a channel's
        ("CHANNEL_IDS", "@abc"),  # too short for a username
        ("CHANNEL_IDS", "@news,briefs"),
        ("CHANNEL_IDS", "@" + "a" * 33),
        ("ERROR_CHAT_ID", "@errors"),
        ("ERROR_CHAT_ID", "11,22"),
        ("ERROR_CHAT_ID", "0"),
    ],
)
def test_malformed_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        config(**{name: value})


def test_values_are_parsed() -> None:
    loaded = load_config(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "ADMIN_IDS": " 11, 22 ,",
            "DATABASE_PATH": "/data/b.db",
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
            "LOG_LEVEL": "debug",
            "LOG_FORMAT": "JSON",
            "DEFAULT_DELIVERY_TIME": "7:30",
            "DEFAULT_TIMEZONE": "Europe/Berlin",
            "ALLOW_PAID_BROADCAST": "true",
            "PUSH_RATE_LIMIT": "500",
        },
        dotenv=None,
    )
    assert loaded.admin_ids == frozenset({11, 22})
    assert loaded.database_path == Path("/data/b.db")
    assert loaded.bot_url == "http://127.0.0.1:8081/bot"
    assert loaded.log_level == "DEBUG"
    assert loaded.log_format == "json"
    assert loaded.default_delivery_time == time(7, 30)
    assert loaded.default_timezone == "Europe/Berlin"
    assert loaded.push_rate_limit == 500


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f"# briefbot\nexport TELEGRAM_BOT_TOKEN='{TOKEN}'\nADMIN_IDS=5\nLOG_LEVEL=\"WARNING\"\n"
    )
    loaded = load_config({"ADMIN_IDS": "6"}, dotenv=dotenv)
    assert loaded.token == TOKEN
    assert loaded.admin_ids == frozenset({6})
    assert loaded.log_level == "WARNING"


def test_malformed_dotenv_line_is_reported_with_its_line(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("TELEGRAM_BOT_TOKEN=1:a\nnonsense here\n")
    with pytest.raises(ConfigError, match="line 2"):
        load_config({}, dotenv=dotenv)


def test_channels_keep_their_order_each_once() -> None:
    loaded = load_config(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "CHANNEL_IDS": " -1001234567890, @Briefs_Daily,,@briefs_daily , -1001234567890",
        },
        dotenv=None,
    )
    assert loaded.channel_ids == (-1001234567890, "@briefs_daily")
    assert load_config({"TELEGRAM_BOT_TOKEN": TOKEN}, dotenv=None).channel_ids == ()


def test_error_chat_id_is_one_chat_or_none() -> None:
    assert load_config({"TELEGRAM_BOT_TOKEN": TOKEN}, dotenv=None).error_chat_id is None
    for raw, chat_id in ((" -1001234567890 ", -1001234567890), ("11111111", 11111111)):
        loaded = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "ERROR_CHAT_ID": raw}, dotenv=None)
        assert loaded.error_chat_id == chat_id


def test_token_never_in_repr() -> None:
    loaded = load_config({"TELEGRAM_BOT_TOKEN": TOKEN}, dotenv=None)
    assert TOKEN not in repr(loaded)
    assert TOKEN not in str(loaded)


def test_env_example_lists_every_setting_with_valid_defaults() -> None:
    example = Path(__file__).parents[2] / ".env.example"
    loaded = load_config({"TELEGRAM_BOT_TOKEN": TOKEN}, dotenv=example)
    assert loaded == load_config({"TELEGRAM_BOT_TOKEN": TOKEN}, dotenv=None)
    source = "".join(
        module.read_text() for module in (Path(__file__).parents[2] / "bot" / "config").glob("*.py")
    )
    # Every setting has an underscore but the two of one word (AUDIO, PIPER), named here.
    read = set(re.findall(r'"([A-Z]+_[A-Z_]+)"', source)) | {"AUDIO", "PIPER"}
    # Each set, or commented out as `# NAME=default` (DATABASE_PATH, which DATABASE_URL beside
    # it would make a warning at each start).
    listed = set(re.findall(r"^(?:# )?([A-Z][A-Z_]+)=", example.read_text(), re.MULTILINE))
    assert read == listed
    assert set(SETTINGS) == read, "SETTINGS (`briefbot run --help`, misspellings) lists them all"


@pytest.mark.parametrize(
    ("env", "proxy"),
    [
        ({}, None),
        ({"HTTPS_PROXY": "http://proxy:3128"}, "http://proxy:3128"),
        ({"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:1"}, "http://lower:1"),
        ({"ALL_PROXY": "http://all:1"}, "http://all:1"),
        ({"ALL_PROXY": "http://all:1", "HTTPS_PROXY": "http://https:1"}, "http://https:1"),
        ({"HTTP_PROXY": "http://plain:1"}, None),  # the Bot API is https
        ({"HTTPS_PROXY": "http://proxy:1", "NO_PROXY": "telegram.org"}, None),
        ({"HTTPS_PROXY": "http://proxy:1", "NO_PROXY": "localhost, .telegram.org"}, None),
        ({"HTTPS_PROXY": "http://proxy:1", "NO_PROXY": "*"}, None),
        ({"HTTPS_PROXY": "http://proxy:1", "NO_PROXY": "gram.org"}, "http://proxy:1"),
    ],
)
def test_the_proxy_is_read_as_curl_reads_it(env: dict[str, str], proxy: str | None) -> None:
    loaded = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, **env}, dotenv=None)
    assert loaded.proxy == proxy


def test_a_proxy_password_is_kept_out_of_the_settings_repr() -> None:
    # SOCKS proxies and malformed proxy URLs: tests/unit/test_proxy_settings.py.
    for proxy in ("http://u:pw@h:1", "socks5h://u:pw@h:1"):
        loaded = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "HTTPS_PROXY": proxy}, dotenv=None)
        assert loaded.proxy == proxy
        assert "pw" not in repr(loaded)


def test_polling_runs_no_http_server_unless_a_port_is_given() -> None:
    loaded = load_config({"TELEGRAM_BOT_TOKEN": TOKEN}, dotenv=None)
    assert loaded.webhook_url is None
    assert loaded.http_port is None
    assert config(HTTP_PORT="9000").http_port == 9000  # type: ignore[attr-defined]


def test_webhook_mode_listens_on_8080_unless_told_otherwise() -> None:
    loaded = load_config(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://bot.example.com/tg"}, dotenv=None
    )
    assert loaded.webhook_url == "https://bot.example.com/tg"
    assert (loaded.http_host, loaded.http_port) == ("0.0.0.0", 8080)
    assert loaded.webhook_max_connections == 40
    assert loaded.webhook_secret is None


def test_a_local_bot_api_server_may_post_to_http() -> None:
    loaded = config(TELEGRAM_API_URL="http://127.0.0.1:8081", WEBHOOK_URL="http://bot:8080/tg")
    assert loaded.webhook_url == "http://bot:8080/tg"  # type: ignore[attr-defined]


def test_the_webhook_secret_never_in_repr() -> None:
    loaded = config(WEBHOOK_URL="https://bot.example.com/tg", WEBHOOK_SECRET="s3cret-value")
    assert "s3cret-value" not in repr(loaded)


def test_health_settings_need_no_token() -> None:
    assert load_health_settings({"HTTP_PORT": "9000"}, dotenv=None).http_port == 9000
    # It asks where the server listens: this machine, unless bound to one address only.
    assert load_health_settings({}, dotenv=None).http_host == "127.0.0.1"
    assert load_health_settings({"HTTP_HOST": "0.0.0.0"}, dotenv=None).http_host == "127.0.0.1"
    assert load_health_settings({"HTTP_HOST": "10.0.0.5"}, dotenv=None).http_host == "10.0.0.5"
    webhook = load_health_settings({"WEBHOOK_URL": "https://x.example/tg"}, dotenv=None)
    assert webhook.http_port == 8080
    polling = load_health_settings({"DATABASE_PATH": "/data/b.db"}, dotenv=None)
    assert (polling.http_port, polling.database.path) == (None, Path("/data/b.db"))


def test_database_url_selects_postgresql_and_wins_over_database_path() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "postgresql://u:pw@db/briefbot"}
    config = load_config({**env, "DATABASE_PATH": "/data/b.db"}, dotenv=None)
    assert config.database.url == "postgresql://u:pw@db/briefbot"
    assert str(config.database) == "postgresql://u:***@db/briefbot"  # no password shown
    assert database_warnings({**env, "DATABASE_PATH": "/data/b.db"}, dotenv=None)
    assert database_warnings(env, dotenv=None) == []


def test_a_database_url_that_is_not_postgresql_is_refused_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL must be a PostgreSQL URL") as caught:
        load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "mysql://u:pw@db/x"}, None)
    assert "pw" not in str(caught.value)


def test_each_channel_may_name_its_language() -> None:
    config = load_config(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "CHANNEL_IDS": "@briefs_es:es, -1001234567890:uk, @briefs_daily",
            "BOT_LANGUAGE": "ru",
        },
        dotenv=None,
    )
    assert config.channel_ids == ("@briefs_es", -1001234567890, "@briefs_daily")
    assert config.channel_languages == {"@briefs_es": "es", -1001234567890: "uk"}
    assert config.bot_language == "ru"


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("CHANNEL_IDS", "@briefs_es:Spanish", "is followed by"),
        ("CHANNEL_IDS", "@briefs_es:", "is followed by"),
        ("BOT_LANGUAGE", "es-ES", "lower-case ISO 639-1"),
        ("TEMPLATES_DIR", "/no/such/folder", "is not a folder"),
    ],
)
def test_a_malformed_language_setting_is_refused(name: str, value: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_config({"TELEGRAM_BOT_TOKEN": TOKEN, name: value}, dotenv=None)


@pytest.mark.parametrize(("raw", "niceness"), [("", 10), ("0", 0), ("19", 19)])
def test_audio_niceness_is_read(raw: str, niceness: int) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "AUDIO": "on", "AUDIO_NICENESS": raw}
    assert load_config(env, dotenv=None).audio.niceness == niceness


# A number of thousands of digits too, which int() would refuse with an exception of its own.
@pytest.mark.parametrize("raw", ["20", "-1", "٣", "low", "9" * 5000])
def test_a_malformed_audio_niceness_is_refused(raw: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "AUDIO": "on", "AUDIO_NICENESS": raw}
    with pytest.raises(ConfigError, match="AUDIO_NICENESS must be a whole number from 0"):
        load_config(env, dotenv=None)


@pytest.mark.parametrize(("raw", "rate"), [("", 5.0), ("0", 0.0), ("2.5", 2.5), ("40", 40.0)])
def test_audio_yield_rate_is_read(raw: str, rate: float) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "AUDIO": "on", "AUDIO_YIELD_RATE": raw}
    assert load_config(env, dotenv=None).audio.yield_rate == rate


@pytest.mark.parametrize("raw", ["-1", "five", "5/s", "1e3", "٣", "inf", "nan", "1000000"])
def test_a_malformed_audio_yield_rate_is_refused(raw: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "AUDIO": "on", "AUDIO_YIELD_RATE": raw}
    with pytest.raises(ConfigError, match="AUDIO_YIELD_RATE must be a number of updates a second"):
        load_config(env, dotenv=None)
