"""A password written unencoded is never printed, not even a piece of
it, and a URL that cannot be parsed is refused in one line, not with a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import forkserver
from tests.cli.test_database_urls import TOKEN

ROOT = Path(__file__).resolve().parents[2]
PIECE = "Tr0ub4dor3"


def finished(
    tmp_path: Path, env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The command run to its end with only `env` (it exits at once: a bad setting), from
    the fork server where it can stand in for a new interpreter (tests/forkserver.py)."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env}
    forked = forkserver.run(args, env, tmp_path, timeout)
    if forked is not None:
        return forked
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def printed(tmp_path: Path, env: dict[str, str], *args: str) -> str:
    """Everything the command prints before it exits."""
    done = finished(tmp_path, env, *args)
    return done.stdout + done.stderr


@pytest.mark.parametrize(
    ("setting", "url"),
    [
        # urlsplit ends the host at the # or /, and check_ports quotes what follows the
        # colon as a "port": the password's first part.
        ("DATABASE_URL", f"postgresql://briefbot:{PIECE}#x@127.0.0.1:9/briefbot"),
        ("DATABASE_URL", f"postgresql://briefbot:{PIECE}/x@127.0.0.1:9/briefbot"),
        ("HTTP_PROXY", f"http://bob:{PIECE}#x@proxy.example:3128"),
        # A password with digits then ?: asyncpg quotes the rest as a bad query field,
        # and that piece runs on past the password into the host, so it is not scrubbed.
        ("DATABASE_URL", f"postgresql://briefbot:8812?{PIECE}@127.0.0.1:9/briefbot"),
    ],
)
def test_no_piece_of_an_unencoded_password_is_printed(
    tmp_path: Path, setting: str, url: str
) -> None:
    env = {setting: url, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "http://127.0.0.1:9"}
    output = printed(tmp_path, env, "run")
    assert PIECE not in output, output


@pytest.mark.parametrize(
    ("setting", "url"),
    [
        ("DATABASE_URL", "postgresql://briefbot:pa[ss@127.0.0.1:9/briefbot"),
        ("DATABASE_URL", "postgresql://briefbot:pw@[::1/briefbot"),
        ("HTTP_PROXY", "http://bob:hu[nter2@proxy.example:3128"),
    ],
)
def test_a_url_urllib_cannot_split_is_refused_in_one_line(
    tmp_path: Path, setting: str, url: str
) -> None:
    env = {setting: url, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "http://127.0.0.1:9"}
    output = printed(tmp_path, env, "run")
    assert "Traceback" not in output, output
    assert len(output.strip().splitlines()) == 1, output
    assert setting in output
