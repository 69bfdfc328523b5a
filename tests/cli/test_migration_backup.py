"""Before a migration changes an SQLite database (`briefbot migrate`, or any command that
opens it, the start included), a checked backup of it is written beside it; when that
backup cannot be written, nothing is migrated."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.lifecycle import ExitCode
from storage import Storage
from storage.migrations import LATEST_VERSION
from tests.cli.invoke import cli
from tests.cli.test_commands import PUTIN
from tests.conftest import DATA
from tests.databases import dump
from tests.storage.test_migrations import _database_at

OLD = 9  # a schema version an older briefbot left


def version(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("briefbot.db.before-v*"))


def test_migrate_backs_the_old_database_up_first(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_database_at(database, OLD))
    old = dump(database)

    code, out, err = cli(capsys, "migrate")

    [kept] = backups(tmp_path)
    assert (code, err) == (0, "")
    assert out == (
        f"migrated {database} from schema version {OLD} to {LATEST_VERSION} "
        f"(backed up first to {kept})\n"
    )
    assert kept.name.startswith(f"briefbot.db.before-v{OLD}-")
    assert version(kept) == OLD
    assert dump(kept) == old
    assert not list(tmp_path.glob("*.tmp")), "a temporary copy was left"
    assert not list(tmp_path.glob("briefbot.db.before-*-wal"))
    # Up to date now: migrating again backs nothing up.
    _, out, _ = cli(capsys, "migrate")
    assert out == f"{database} is up to date (schema version {LATEST_VERSION})\n"
    assert backups(tmp_path) == [kept]


def test_any_command_that_migrates_backs_up_first(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`briefbot run` opens storage as `import` does (storage.opening.open_storage), and
    names the backup in its log (bot/app.py)."""
    asyncio.run(_database_at(database, OLD))
    assert cli(capsys, "import", str(PUTIN))[0] == 0
    [kept] = backups(tmp_path)
    assert version(kept) == OLD
    assert version(database) == LATEST_VERSION


async def test_a_new_database_or_one_up_to_date_needs_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "briefbot.db"
    for _ in range(2):  # created, then opened again as it is
        async with await Storage.open(path) as storage:
            assert storage.migration_backup is None
    assert backups(tmp_path) == []


def limited(size: int, *args: str) -> list[str]:
    """`briefbot ARGS` in a process that cannot write a file past `size` bytes: a write
    beyond fails as on a full disk (Python ignores SIGXFSZ, so the write gets EFBIG)."""
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({size:d}, {size:d}))\n"
        "from bot.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    return [sys.executable, "-c", code, *args]


def test_when_the_backup_cannot_be_written_nothing_is_migrated(
    database: Path, tmp_path: Path
) -> None:
    asyncio.run(_database_at(database, OLD))
    old = dump(database)
    # Room for the lock file and the -wal's first pages, not for a whole copy.
    room = database.stat().st_size // 2
    assert room > 64 * 1024
    done = subprocess.run(
        limited(room, "migrate"),
        cwd=tmp_path,
        env={"DATABASE_PATH": str(database), "PYTHONPATH": str(DATA.parents[1])},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (ExitCode.UNUSABLE_SETTING, "")
    [line] = done.stderr.splitlines()
    assert line.startswith(
        f"briefbot: DATABASE_PATH {database} was not migrated: it needs migrating from "
        f"schema version {OLD} to {LATEST_VERSION}, and the backup taken first, "
        f"{database}.before-v{OLD}-"
    ), line
    assert line.endswith(
        f"nothing was migrated; free some space or make {tmp_path} writable, then try again"
    ), line
    assert version(database) == OLD
    assert dump(database) == old
    assert backups(tmp_path) == []
    assert not list(tmp_path.glob("*.tmp"))
