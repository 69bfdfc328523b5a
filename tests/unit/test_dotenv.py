"""The `.env` file, read by python-dotenv and by its rules (docs/operators/settings.md): values,
comments, ${NAME}, multi-line values, lines it skips told as problems; misspelled names
warned about; DEFAULT_DELIVERY_TIME in every form /subscribe takes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, misspelled_settings, read_dotenv
from bot.core.subscriptions.subscribing import Request, parse_request
from tests.conftest import DATA

TOKEN = "123456:ABC-def_ghi"


def parsed(tmp_path: Path, text: str) -> dict[str, str]:
    dotenv = tmp_path / ".env"
    dotenv.write_text(text, encoding="utf-8")
    return read_dotenv(dotenv)


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("KEY=value  # the comment", "value"),
        ("KEY=value\t# a tab before it", "value"),
        ("KEY=a#b", "a#b"),
        ("KEY=value# no space before it", "value# no space before it"),
        ("KEY=some words here # comment", "some words here"),
        ("KEY= # only a comment", ""),
        ("KEY=#not-a-comment", "#not-a-comment"),
        ('KEY="value # inside quotes"', "value # inside quotes"),
        ('KEY="value" # after the quotes', "value"),
        ("KEY='it # stays' # goes", "it # stays"),
        ('KEY="say \\"hi\\""', 'say "hi"'),
        ("KEY='it\\'s'", "it's"),
        ('KEY="two\\nlines"', "two\nlines"),
        ("KEY='no\\nescape'", "no\\nescape"),
        ("export KEY=value # exported", "value"),
        ("KEY = spaced ", "spaced"),
        ("KEY=", ""),
    ],
)
def test_values_and_inline_comments(tmp_path: Path, line: str, value: str) -> None:
    assert parsed(tmp_path, f"# heading\n\n{line}\n") == {"KEY": value}


@pytest.mark.parametrize("line", ['KEY="not closed', "KEY='one' two", 'KEY="a"b', "two words"])
def test_a_line_python_dotenv_skips_is_a_problem_naming_its_line(
    tmp_path: Path, line: str, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ConfigError, match=r"\.env, line 2: python-dotenv cannot read this line"):
        parsed(tmp_path, f"A=1\n{line}\nB=2\n")
    # Said once, by briefbot: python-dotenv's own warning is not printed beside it.
    assert capfd.readouterr() == ("", "")


def test_every_line_skipped_is_told_at_once_and_the_others_are_read(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nA='x' y\nADMIN_IDS=5\nB=\"a\"b\nLOG_LEVEL=LOUD\n"
    )
    with pytest.raises(ConfigError) as raised:
        load_config({}, dotenv=dotenv)
    assert [problem.split(":")[0] for problem in raised.value.problems] == [
        f"{dotenv}, line 2",
        f"{dotenv}, line 4",
        "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'",
    ]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        # ${NAME}: from the lines above, else from the environment; a default after :-
        ("DATA=/srv/bot\nDATABASE_PATH=${DATA}/briefbot.db", "/srv/bot/briefbot.db"),
        ("DATABASE_PATH=${BRIEFBOT_TEST_HOME}/b.db", "/home/test/b.db"),
        ("DATABASE_PATH=${NOT_SET_ANYWHERE:-fallback.db}", "fallback.db"),
        ("DATABASE_PATH=${NOT_SET_ANYWHERE}b.db", "b.db"),
        # Expanded inside single quotes too; $NAME without braces is kept as written.
        ("DATA=/srv\nDATABASE_PATH='${DATA}/b.db'", "/srv/b.db"),
        ("DATABASE_PATH=$DATA/b.db", "$DATA/b.db"),
    ],
)
def test_names_in_braces_are_replaced_as_python_dotenv_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, values: str
) -> None:
    monkeypatch.setenv("BRIEFBOT_TEST_HOME", "/home/test")
    assert parsed(tmp_path, f"{text}\n")["DATABASE_PATH"] == values


def test_a_quoted_value_may_span_lines(tmp_path: Path) -> None:
    text = 'BOT_DESCRIPTION="Daily briefs.\nOne a day, # not a comment\n"\nLOG_LEVEL=DEBUG\n'
    assert parsed(tmp_path, text) == {
        "BOT_DESCRIPTION": "Daily briefs.\nOne a day, # not a comment\n",
        "LOG_LEVEL": "DEBUG",
    }
    single = parsed(tmp_path, "A='one\ntwo'\n")
    assert single == {"A": "one\ntwo"}


def test_a_name_alone_is_unset_and_no_problem(tmp_path: Path) -> None:
    """As python-dotenv reads it (and docker compose passes the host's value through)."""
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nADMIN_IDS\n")
    assert load_config({}, dotenv=dotenv).admin_ids == frozenset()
    assert load_config({"ADMIN_IDS": "7"}, dotenv=dotenv).admin_ids == frozenset({7})


def test_a_bom_is_no_part_of_the_first_name(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_bytes(f"\ufeffTELEGRAM_BOT_TOKEN={TOKEN}\n".encode())
    assert load_config({}, dotenv=dotenv).token == TOKEN


def test_a_file_that_is_not_utf8_is_one_problem(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_bytes(b"TELEGRAM_BOT_TOKEN=\xff\xfe\n")
    with pytest.raises(ConfigError, match=r"\.env is not UTF-8 text"):
        read_dotenv(dotenv)


def test_a_commented_setting_reaches_the_config(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}  # from @BotFather\nADMIN_IDS=5,6 # the editors\n"
        "DEFAULT_TIMEZONE=Europe/Berlin # where we are\n"
    )
    loaded = load_config({}, dotenv=dotenv)
    assert loaded.token == TOKEN
    assert loaded.admin_ids == frozenset({5, 6})
    assert loaded.default_timezone == "Europe/Berlin"


def test_misspelled_names_are_warned_about_with_the_setting_meant(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("ADMINS_IDS=5\nDATABASE_PATH=b.db\nCOMPOSE_PROJECT_NAME=bot\nadmin_ids=6\n")
    environ = {
        "PATH": "/usr/bin",
        "HOME": "/root",
        "LOGNAME": "root",
        "TELEGRAM_TOKEN": "x",
        "https_proxy": "http://proxy:1",
        "LOG_LEVEL": "INFO",
        # Another program's setting named after one of ours is not a misspelling.
        "TEST_DATABASE_URL": "postgresql://localhost/test",
        "PGADMIN_ADMIN_IDS": "1",
    }
    assert misspelled_settings(environ, dotenv) == [
        f"briefbot: warning: ADMINS_IDS in {dotenv} is not a briefbot setting; "
        "did you mean ADMIN_IDS?",
        f"briefbot: warning: admin_ids in {dotenv} is not a briefbot setting; "
        "did you mean ADMIN_IDS?",
        "briefbot: warning: TELEGRAM_TOKEN in the environment is not a briefbot setting; "
        "did you mean TELEGRAM_BOT_TOKEN?",
    ]


def test_the_warning_is_one_line_on_stderr_at_start_and_not_an_error(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DATABASE_PATH=b.db\nBACKUP_KEPE=3\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "import",
            "--dry-run",
            str(DATA / "briefs" / "putin-north-korea.txt"),
        ],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(DATA.parents[1])},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "briefbot: warning: BACKUP_KEPE in .env is not a briefbot setting; "
        "did you mean BACKUP_KEEP?"
    ]


@pytest.mark.parametrize("text", ["07:30", "7:30", "7.30", "7h30", " 7:30 "])
def test_default_delivery_time_takes_what_subscribe_takes(text: str) -> None:
    request = parse_request([text.strip()], default_time=time(8), default_zone="UTC")
    assert request == Request(time(7, 30), "UTC")
    loaded = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "DEFAULT_DELIVERY_TIME": text}, dotenv=None)
    assert loaded.default_delivery_time == time(7, 30)


@pytest.mark.parametrize("text", ["24:00", "7:60", "7", "noon", "7:3"])
def test_default_delivery_time_refuses_what_subscribe_refuses(text: str) -> None:
    refused = parse_request([text], default_time=time(8), default_zone="UTC")
    assert not isinstance(refused, Request)
    with pytest.raises(ConfigError, match="DEFAULT_DELIVERY_TIME must be a time of day"):
        load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "DEFAULT_DELIVERY_TIME": text}, dotenv=None)


@pytest.mark.parametrize(
    ("name", "value"),
    [("BACKUP_KEEP", "0"), ("BACKUP_KEEP", "many"), ("BACKUP_DIR", "/nonexistent/backups")],
)
def test_backup_settings_are_checked(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_config({"TELEGRAM_BOT_TOKEN": TOKEN, name: value}, dotenv=None)


def test_backup_settings_are_read(tmp_path: Path) -> None:
    loaded = load_config(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "BACKUP_DIR": str(tmp_path), "BACKUP_KEEP": "3"},
        dotenv=None,
    )
    assert (loaded.backup_dir, loaded.backup_keep) == (tmp_path, 3)


@pytest.mark.parametrize(
    "line",
    [
        'TELEGRAM_BOT_TOKEN="123456789:AAHsecretpart',  # the closing quote forgotten
        "123456789:AAHsecretpart",  # the token pasted alone
        'HTTPS_PROXY="http://bob:Pr0xyPass@proxy:3128" extra',
    ],
)
def test_a_refused_line_is_never_quoted_back(tmp_path: Path, line: str) -> None:
    """It may hold the token or a password, and the error goes to stderr and to logs."""
    with pytest.raises(ConfigError, match=r"\.env") as raised:
        parsed(tmp_path, f"{line}\n")
    assert "AAHsecretpart" not in str(raised.value)
    assert "Pr0xyPass" not in str(raised.value)
