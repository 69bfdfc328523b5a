"""Every problem of the settings told at once, each naming its variable and the fix; the
NAME_FILE variants of the secrets taken for what they are; .env.example as the PostgreSQL
set-up uses it; the table `briefbot check` prints, secrets masked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli_settings import settings_table
from bot.config import (
    SETTINGS,
    ConfigError,
    config_from,
    database_warnings,
    load_config,
    misspelled_settings,
    read_environment,
)
from bot.config.secrets import FILE_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:AAHtokenSecretHalf"


def test_every_problem_is_told_at_once_each_naming_its_variable() -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": "not a token",
        "ADMIN_IDS": "12,abc",
        "LOG_FORMAT": "xml",
        "HTTP_PORT": "0",
        "CHANNEL_IDS": "@abc",
        "DATABASE_URL": "mysql://u:pw@db/x",
    }
    with pytest.raises(ConfigError) as raised:
        load_config(env, dotenv=None)
    named = [problem.split()[0] for problem in raised.value.problems]
    assert named == [
        "TELEGRAM_BOT_TOKEN",
        "ADMIN_IDS",
        "DATABASE_URL",
        "LOG_FORMAT",
        "HTTP_PORT",
        "CHANNEL_IDS",
    ]
    assert str(raised.value).splitlines() == list(raised.value.problems)
    assert "pw" not in str(raised.value)


def test_one_wrong_setting_brings_no_other_problem_with_it() -> None:
    """The settings read after a wrong one are checked against its default, not refused."""
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "localhost:8081", "HTTP_PORT": "9000"}
    with pytest.raises(ConfigError) as raised:
        load_config(env, dotenv=None)
    [problem] = raised.value.problems
    assert problem.startswith("TELEGRAM_API_URL must be the root URL of a Bot API server")


def test_a_missing_token_names_both_ways_to_give_it() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({}, dotenv=None)
    [problem] = raised.value.problems
    assert "@BotFather" in problem
    assert "TELEGRAM_BOT_TOKEN_FILE" in problem


@pytest.mark.parametrize("name", FILE_SETTINGS)
def test_each_secret_file_variable_is_a_setting_never_a_misspelling(
    name: str, tmp_path: Path
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"{name}=/run/secrets/x\n")
    assert misspelled_settings({name: "/run/secrets/x"}, dotenv=dotenv) == []


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("CHANNEL_IDS_FILE", "only the secrets may be given in a file"),
        ("ADMIN_IDS_FILE", "set ADMIN_IDS itself"),
        ("telegram_bot_token_file", "did you mean TELEGRAM_BOT_TOKEN_FILE?"),
        ("TELEGRAM_TOKEN_FILE", "did you mean TELEGRAM_BOT_TOKEN_FILE?"),
        ("METRICS_TOKEN_PATH", "did you mean METRICS_TOKEN_FILE?"),
    ],
)
def test_a_file_variable_that_is_not_one_gets_the_right_hint(name: str, hint: str) -> None:
    [warning] = misspelled_settings({name: "/run/secrets/x"}, dotenv=None)
    assert warning.startswith(f"briefbot: warning: {name} in the environment is not a briefbot")
    assert hint in warning


def test_env_example_as_the_postgresql_setup_fills_it_loads_without_warnings(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Copied to .env, the token and DATABASE_URL filled in: no warning, no problem."""
    dotenv = tmp_path / ".env"
    shutil.copy(ROOT / ".env.example", dotenv)
    text = dotenv.read_text()
    text = text.replace("TELEGRAM_BOT_TOKEN=\n", f"TELEGRAM_BOT_TOKEN={TOKEN}\n", 1)
    text = text.replace("DATABASE_URL=\n", "DATABASE_URL=postgresql://bot:pw@db:5432/bot\n", 1)
    dotenv.write_text(text)
    config = load_config({}, dotenv=dotenv)
    assert config.database_url == "postgresql://bot:pw@db:5432/bot"
    assert database_warnings({}, dotenv=dotenv) == []
    assert misspelled_settings({}, dotenv=dotenv) == []
    assert capfd.readouterr() == ("", "")


def test_the_table_lists_every_setting_with_its_origin_and_masks_every_secret(
    tmp_path: Path,
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f"TELEGRAM_BOT_TOKEN_FILE={token_file}\nDATABASE_URL=postgresql://u:PgPass1@db/b\n"
        "WEBHOOK_URL=https://bot.example.com/tg\nWEBHOOK_SECRET=HookSecret1\n"
    )
    environ = {
        "METRICS_TOKEN": "MetricsSecret1",
        "https_proxy": "http://bob:ProxyPass1@proxy:3128",
        "ADMIN_IDS": "5,6",
        "DATABASE_PATH": "",  # set, but empty: the default
    }
    environment = read_environment(environ, dotenv)
    lines = settings_table(config_from(environment), environment)
    text = "\n".join(lines)
    for secret in ("AAHtokenSecretHalf", "PgPass1", "HookSecret1", "MetricsSecret1", "ProxyPass1"):
        assert secret not in text
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == set(SETTINGS) - set(FILE_SETTINGS)
    assert rows["TELEGRAM_BOT_TOKEN"].split("  ")[-1].strip() == (
        f"the file {token_file} (TELEGRAM_BOT_TOKEN_FILE, from {dotenv})"
    )
    assert "postgresql://u:***@db/b" in rows["DATABASE_URL"]
    assert rows["ADMIN_IDS"].split()[1:] == ["5,", "6", "the", "environment"]
    assert "briefbot.db (not used: DATABASE_URL is set)" in rows["DATABASE_PATH"]
    assert rows["DATABASE_PATH"].endswith("  default")
    assert rows["HTTPS_PROXY"].endswith("the environment (https_proxy)")
    assert "'http://bob:***@proxy:3128'" in rows["HTTPS_PROXY"]
    assert rows["HTTP_PORT"].split()[1:] == ["8080", "default"]  # as WEBHOOK_URL makes it
