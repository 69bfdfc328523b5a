"""Secrets from files (`NAME_FILE`), as Docker and Kubernetes hand them over, and
METRICS_TOKEN."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import (
    ConfigError,
    database_warnings,
    load_config,
    load_database,
    misspelled_settings,
)

TOKEN = "123456:ABC-def_ghi"
URL = "postgresql://bot:pw@db:5432/bot"


def secret_file(tmp_path: Path, content: str, name: str = "secret") -> str:
    path = tmp_path / name
    path.write_bytes(content.encode())
    return str(path)


@pytest.mark.parametrize("ending", ["", "\n", "\r\n"])
def test_each_secret_is_read_from_its_file_without_the_trailing_newline(
    tmp_path: Path, ending: str
) -> None:
    config = load_config(
        {
            "TELEGRAM_BOT_TOKEN_FILE": secret_file(tmp_path, TOKEN + ending, "token"),
            "DATABASE_URL_FILE": secret_file(tmp_path, URL + ending, "url"),
            "WEBHOOK_SECRET_FILE": secret_file(tmp_path, "hook_Secret-1" + ending, "hook"),
            "METRICS_TOKEN_FILE": secret_file(tmp_path, "scrape.Token~1" + ending, "metrics"),
        },
        dotenv=None,
    )
    assert config.token == TOKEN
    assert config.database_url == URL
    assert config.webhook_secret == "hook_Secret-1"
    assert config.metrics_token == "scrape.Token~1"


def test_the_file_settings_are_read_from_the_dotenv_file_too(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"DATABASE_URL_FILE={secret_file(tmp_path, URL + chr(10))}\n")
    assert load_database({}, dotenv=dotenv).url == URL


@pytest.mark.parametrize("name", ["TELEGRAM_BOT_TOKEN", "DATABASE_URL", "METRICS_TOKEN"])
def test_a_secret_given_both_ways_is_refused_naming_both(tmp_path: Path, name: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, name: "x", f"{name}_FILE": secret_file(tmp_path, "y")}
    with pytest.raises(ConfigError) as refused:
        load_config(env, dotenv=None)
    assert str(refused.value) == f"both {name} and {name}_FILE are set: set only one of them"


@pytest.mark.parametrize("case", ["missing", "folder", "empty", "binary"])
def test_a_secret_file_that_cannot_serve_is_one_line_naming_variable_and_path(
    tmp_path: Path, case: str
) -> None:
    path = {
        "missing": str(tmp_path / "nowhere"),
        "folder": str(tmp_path),
        "empty": secret_file(tmp_path, "\n"),
        "binary": str(tmp_path / "binary"),
    }[case]
    (tmp_path / "binary").write_bytes(b"\xff\xfeTOKEN-CONTENT\n")
    with pytest.raises(ConfigError) as refused:
        load_config({"TELEGRAM_BOT_TOKEN_FILE": path}, dotenv=None)
    message = str(refused.value)
    assert message.startswith(f"TELEGRAM_BOT_TOKEN_FILE {path} ")
    assert "\n" not in message
    assert "CONTENT" not in message
    reason = {
        "missing": "cannot be read (No such file or directory)",
        "folder": "is not a regular file",
        "empty": "is empty",
        "binary": "is not UTF-8 text",
    }[case]
    assert reason in message


def test_the_file_settings_are_not_taken_for_misspellings(tmp_path: Path) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN_FILE": "/run/secrets/token",
        "DATABASE_URL_FILE": "/run/secrets/url",
        "WEBHOOK_SECRET_FILE": "/run/secrets/hook",
        "METRICS_TOKEN_FILE": "/run/secrets/metrics",
        "METRICS_TOKEN": "x",
    }
    assert misspelled_settings(env, dotenv=None) == []
    assert misspelled_settings({"METRICS_TOKN": "x"}, dotenv=None) == [
        "briefbot: warning: METRICS_TOKN in the environment is not a briefbot setting; "
        "did you mean METRICS_TOKEN?"
    ]


def test_database_url_file_beside_database_path_is_warned_about(tmp_path: Path) -> None:
    env = {"DATABASE_URL_FILE": secret_file(tmp_path, URL), "DATABASE_PATH": "b.db"}
    [warning] = database_warnings(env, dotenv=None)
    assert "both DATABASE_URL and DATABASE_PATH are set" in warning


@pytest.mark.parametrize("token", ["has space", 'quote"d', "new\nline", "ünïcode"])
def test_a_metrics_token_a_header_cannot_carry_is_refused(token: str) -> None:
    with pytest.raises(ConfigError, match=r"^METRICS_TOKEN must be letters, digits"):
        load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "METRICS_TOKEN": token}, dotenv=None)


def test_the_metrics_token_is_not_in_the_config_repr() -> None:
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "METRICS_TOKEN": "s3cr3t"}, dotenv=None)
    assert "s3cr3t" not in repr(config)
