"""Every command that names a PostgreSQL database names it without its password: in the
user info, in the query, with several hosts, with an IPv6 host, even written wrongly."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from storage import Storage
from storage.postgres import POSTGRES_LATEST_VERSION
from tests.e2e.botprocess import BotProcess
from tests.postgres import fresh_schema, needs_postgres

PASSWORD = "Zq7-s3cret-pw"
# The password as an operator may write it, `#`, `/` and `@` not percent-encoded.
UNENCODED = f"p#ss/w@rd{PASSWORD}"
SECRETS = (PASSWORD, "p#ss", "w@rd")
NOWHERE = "postgresql://briefbot@127.0.0.1:9/briefbot"  # nothing listens on port 9
FORMS = ["userinfo", "query", "multi-host", "ipv6"]
TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def database_url(form: str, base: str = NOWHERE) -> str:
    """`base` (user, one host, database) with a password, given the way `form` says; with
    several hosts, the ones added refuse connections and `base`'s host serves."""
    parts = urlsplit(base)
    here = f"{parts.hostname}:{parts.port}"
    user = parts.username
    hosts = {
        "userinfo": f"{user}:{PASSWORD}@{here}",
        "query": f"{user}@{here}",
        "multi-host": f"{user}:{PASSWORD}@{here},127.0.0.1:9",
        "ipv6": f"{user}:{PASSWORD}@[::1]:9,{here}",
        "unencoded": f"{user}:{UNENCODED}@{here}",
    }[form]
    url = f"postgresql://{hosts}{parts.path}?{parts.query}".removesuffix("?")
    if form == "query":
        url += f"{'&' if parts.query else '?'}password={PASSWORD}&sslpassword={PASSWORD}"
    return url


async def briefbot(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, list[str]]:
    """Run a command to its end: its exit code and every line it printed."""
    process = await BotProcess.start(env, tmp_path, *args)
    code = await process.finish(None)
    lines = process.output.splitlines()
    for secret in SECRETS:
        assert secret not in process.output, process.output
    assert "Traceback" not in process.output, process.output
    return code, lines


@pytest.fixture
async def sqlite(tmp_path: Path) -> Path:
    """An SQLite database for copy-db to copy."""
    path = tmp_path / "b.db"
    async with await Storage.open(path):
        pass
    return path


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("command", ["run", "migrate", "health", "copy-db"])
async def test_a_database_that_cannot_serve_is_named_without_its_password(
    tmp_path: Path, sqlite: Path, command: str, form: str
) -> None:
    url = database_url(form)
    env = {"DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": TOKEN}
    env["TELEGRAM_API_URL"] = "http://127.0.0.1:9"  # never reached: the database fails first
    args = [command]
    if command == "copy-db":
        env = {"DATABASE_PATH": str(sqlite)}
        args += ["--to", url]
    code, [line] = await briefbot(tmp_path, env, *args)
    named = "postgresql://briefbot:***@" if form != "query" else "postgresql://briefbot@"
    assert named in line
    assert "cannot be used: " in line
    if command == "health":  # Docker keeps this line in the container's health log
        assert (code, line.startswith("not ready: DATABASE_URL postgresql://")) == (1, True)
    else:
        assert code == 2


@pytest.mark.parametrize("command", ["run", "migrate", "health", "copy-db"])
async def test_a_password_written_unencoded_is_refused_before_any_use(
    tmp_path: Path, sqlite: Path, command: str
) -> None:
    # urllib would take `p` for the port and `ss/w@rd...` for a fragment: the URL is not
    # used at all, and the refusal says how to write it.
    url = database_url("unencoded")
    env = {"DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": TOKEN}
    args = [command] if command != "copy-db" else [command, "--to", url]
    if command == "copy-db":
        env = {"DATABASE_PATH": str(sqlite)}
    code, [line] = await briefbot(tmp_path, env, *args)
    setting = "copy-db --to" if command == "copy-db" else "DATABASE_URL"
    assert f"{setting} has a user info urllib reads differently" in line, line
    assert "percent-encoded: %23 %2F %3F %40 %5B %5D" in line
    assert "postgresql" not in line
    assert code == (1 if command == "health" else 2)


@needs_postgres
@pytest.mark.parametrize("form", FORMS)
async def test_migrate_and_copy_db_name_the_database_without_its_password(
    tmp_path: Path, sqlite: Path, form: str
) -> None:
    async with fresh_schema() as base:
        url = database_url(form, base)
        code, lines = await briefbot(tmp_path, {"DATABASE_URL": url}, "migrate")
        assert code == 0
        [line] = lines
        assert line.startswith("migrated postgresql://postgres")
        assert line.endswith(f" from schema version 0 to {POSTGRES_LATEST_VERSION}")
        code, lines = await briefbot(tmp_path, {"DATABASE_URL": url}, "migrate")
        assert code == 0
        assert lines[-1].endswith(f"is up to date (schema version {POSTGRES_LATEST_VERSION})")
        env = {"DATABASE_PATH": str(sqlite)}
        code, lines = await briefbot(tmp_path, env, "copy-db", "--to", url)
        assert code == 0
        assert lines[-1].startswith(f"copied {sqlite} to postgresql://postgres")
        assert "***" in lines[-1]
