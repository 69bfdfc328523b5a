"""Settings and files an operator (or whoever may write beside them) got wrong: each is
refused at start in one line naming the setting, quoting no secret, and nothing hangs or
is overwritten."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.lifecycle import ExitCode
from storage.sole import lock_path
from tests.cli.test_database_urls import TOKEN
from tests.cli.test_url_passwords_unencoded import PIECE, finished

# Never reached: every case is refused before the bot speaks to it.
API = "http://127.0.0.1:9"


def refused(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    """The exit code and the one line of a command that must stop at once (well inside the
    timeout: a hang or a bot that started and retries fails here)."""
    done = finished(tmp_path, env, *args, timeout=20)
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    [line] = output.strip().splitlines()
    return done.returncode, line


@pytest.mark.parametrize(
    "setting",
    ["DATABASE_URL", "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "TELEGRAM_API_URL", "WEBHOOK_URL"],
)
@pytest.mark.parametrize("delimiter", ["#", "/", "?", "[", "]"])
def test_an_unencoded_delimiter_in_a_password_is_refused_unquoted(
    tmp_path: Path, setting: str, delimiter: str
) -> None:
    scheme = "postgresql" if setting == "DATABASE_URL" else "http"
    password = f"{PIECE}{delimiter}{PIECE[::-1]}"
    api = "https://127.0.0.1:9" if setting == "HTTPS_PROXY" else API
    env = {"TELEGRAM_API_URL": api, "TELEGRAM_BOT_TOKEN": TOKEN}
    env[setting] = f"{scheme}://bob:{password}@127.0.0.1:3128"
    code, line = refused(tmp_path, env, "run")
    assert line.startswith(f"briefbot: {setting} "), line
    assert "percent-encoded: %23 %2F %3F %40 %5B %5D" in line
    for piece in (PIECE, PIECE[::-1], "127.0.0.1"):
        assert piece not in line
    assert code == ExitCode.UNUSABLE_SETTING


@pytest.mark.parametrize(
    "target",
    [
        "postgresql://u:pw@127.0.0.1:99999/db",
        f"postgresql://u:8812?{PIECE}@127.0.0.1:9/db",
        f"postgresql://u:{PIECE}#x@127.0.0.1:9/db",
        f"postgresql://u:{PIECE}]x@127.0.0.1:9/db",
    ],
)
def test_copy_db_refuses_a_target_url_it_cannot_use_in_one_line(
    tmp_path: Path, target: str
) -> None:
    code, line = refused(
        tmp_path, {"DATABASE_PATH": str(tmp_path / "b.db")}, "copy-db", "--to", target
    )
    assert line.startswith("briefbot: copy-db --to "), line
    assert PIECE not in line
    assert "pw" not in line
    assert code == ExitCode.UNUSABLE_SETTING


def test_a_secret_file_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "token"
    os.mkfifo(fifo)  # nobody ever writes into it
    env = {"TELEGRAM_BOT_TOKEN_FILE": str(fifo), "TELEGRAM_API_URL": API}
    code, line = refused(tmp_path, env, "run")
    assert (
        line
        == f"briefbot: TELEGRAM_BOT_TOKEN_FILE {fifo} is not a regular file: name the secret's file"
    )
    assert code == ExitCode.UNUSABLE_SETTING


@pytest.mark.parametrize("kind", ["symlink", "fifo", "folder"])
def test_a_lock_file_that_is_not_a_regular_file_is_refused_and_left_alone(
    tmp_path: Path, kind: str
) -> None:
    database = tmp_path / "b.db"
    lock = lock_path(database)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    if kind == "symlink":
        lock.symlink_to(victim)  # before the fix, the victim's text became the bot's pid
    elif kind == "fifo":
        os.mkfifo(lock)
    else:
        lock.mkdir()
    env = {"DATABASE_PATH": str(database), "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": API}
    code, line = refused(tmp_path, env, "run")
    assert line.startswith(
        f"briefbot: DATABASE_PATH {database} cannot be used: its lock file {lock} is not a "
        "regular file: remove it"
    ), line
    assert code == ExitCode.UNUSABLE_SETTING
    assert victim.read_text() == "precious\n"


def test_a_long_setting_is_quoted_cut_short(tmp_path: Path) -> None:
    zone = "Europe/" + "x" * 10_000
    env = {"DEFAULT_TIMEZONE": zone, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": API}
    code, line = refused(tmp_path, env, "run")
    assert line.endswith(f"got {zone[:40]!r}…"), line
    assert code == ExitCode.UNUSABLE_SETTING


@pytest.mark.parametrize("setting", ["TELEGRAM_API_URL", "WEBHOOK_URL"])
def test_a_malformed_url_setting_is_quoted_without_its_password(
    tmp_path: Path, setting: str
) -> None:
    env = {"TELEGRAM_API_URL": API, "TELEGRAM_BOT_TOKEN": TOKEN}
    env[setting] = f"ftp://bob:{PIECE}@127.0.0.1:21/x"  # neither takes ftp://
    code, line = refused(tmp_path, env, "run")
    assert line.endswith("got 'ftp://bob:***@127.0.0.1:21/x'"), line
    assert code == ExitCode.UNUSABLE_SETTING
