"""`briefbot restore BACKUP`: the backup checked, then put in the database's place in one
step, the database it replaced kept whole beside it and no -wal or -shm left to be applied
to the restored file; every backup that cannot be restored refused in one line with the
database untouched; refused while a bot serves the database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.lifecycle import ExitCode
from storage import Storage
from storage.migrations import LATEST_VERSION
from tests.cli.invoke import cli
from tests.cli.test_commands import PUTIN, WIND
from tests.databases import dump, read_only
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import fake_bot_api, say
from tests.e2e.test_startup import environment
from tests.fakebot import FakeBotApi
from tests.storage.test_migrations import _database_at

PUTIN_TITLE = "Putin Makes First Visit to North Korea in 24 Years"
WIND_TITLE = "Regulators Clear Largest Offshore Wind Farm on the Coast"
OLD = 9  # a schema version an older briefbot left


def published(capsys: pytest.CaptureFixture[str], backup: Path) -> None:
    """The database holds PUTIN and WIND; `backup` holds PUTIN only."""
    assert cli(capsys, "import", str(PUTIN))[0] == 0
    assert cli(capsys, "backup", str(backup))[0] == 0
    assert cli(capsys, "import", str(WIND))[0] == 0


def titles(path: Path) -> list[str]:
    async def read() -> list[str]:
        async with await Storage.open(path) as storage:
            return [header.title for header in await storage.briefs.newest(limit=10)]

    return asyncio.run(read())


def files(folder: Path) -> list[str]:
    """What is in `folder`, but for the lock file `briefbot run` and restore make and keep."""
    return sorted(p.name for p in folder.iterdir() if p.name != "briefbot.db.lock")


def commit_without_checkpoint(database: Path) -> None:
    """A write left in the -wal, as a bot killed outright leaves it: nothing folds it into
    the file, as closing the last connection would."""
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "c.execute(\"INSERT INTO bot_state VALUES ('marker', 'only in the wal', 0)\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(database)], check=True)


def marker(path: Path) -> list[tuple[str]]:
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT value FROM bot_state WHERE key = 'marker'").fetchall()


def test_its_help_says_what_it_does_reads_and_answers(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["restore", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "Put a backup in the SQLite database's place, once checked" in text
    assert "DATABASE_PATH.replaced-<UTC time>" in text
    assert "It reads DATABASE_PATH from the environment" in text


def test_the_backup_takes_the_database_place_and_the_replaced_one_is_kept_whole(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "backups" / "monday.db"
    backup.parent.mkdir()
    published(capsys, backup)
    commit_without_checkpoint(database)
    wal = database.with_name("briefbot.db-wal")
    assert wal.stat().st_size > 0
    replaced_before = dump(database)  # read with the -wal, as SQLite reads it

    code, out, err = cli(capsys, "restore", str(backup))

    assert (code, err) == (0, "")
    [kept] = [p for p in tmp_path.iterdir() if p.name.startswith("briefbot.db.replaced-")]
    assert out.splitlines() == [
        f"restored {backup} (schema version {LATEST_VERSION}) to {database}",
        f"the database it replaced is kept as {kept}",
    ]
    # No -wal or -shm beside either file, and no temporary file left.
    assert files(tmp_path) == sorted(["backups", "briefbot.db", kept.name])
    assert kept.name.removeprefix("briefbot.db.replaced-")[8:9] == "T"
    # The kept file alone is the database it replaced, the write in its -wal included.
    assert marker(kept) == [("only in the wal",)]
    assert dump(kept) == replaced_before
    assert dump(database) == dump(backup)
    assert titles(database) == [PUTIN_TITLE]
    assert titles(kept) == [WIND_TITLE, PUTIN_TITLE]


def test_a_second_restore_keeps_both_replaced_files(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "b.db"
    published(capsys, backup)
    assert cli(capsys, "restore", str(backup))[0] == 0
    assert cli(capsys, "restore", str(backup))[0] == 0
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("briefbot.db.replaced-")]
    assert len(kept) == 2  # in one second, the second is numbered
    assert sorted(len(titles(path)) for path in kept) == [1, 2]


def test_restoring_where_there_is_no_database_yet(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "b.db"
    published(capsys, backup)
    database.unlink()
    code, out, err = cli(capsys, "restore", str(backup))
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == f"there was no database at {database}: nothing replaced"
    assert titles(database) == [PUTIN_TITLE]
    assert oct(database.stat().st_mode & 0o777) == oct(0o644)


def test_an_older_backup_is_restored_and_migrated_at_the_next_start(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, "import", str(WIND))[0] == 0
    backup = tmp_path / "old.db"
    asyncio.run(_database_at(backup, OLD))

    code, out, err = cli(capsys, "restore", str(backup))

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"restored {backup} (schema version {OLD}) to {database}"
    assert lines[2] == (
        f"the backup's schema is older than this briefbot's ({LATEST_VERSION}): the next "
        "start (or `briefbot migrate`) migrates it, writing a backup of it first"
    )
    assert titles(database) == ["Old title"]  # what the start does: migrate, then serve


def _damaged(path: Path) -> None:
    with path.open("r+b") as file:
        for page in (2, 3, 4):
            file.seek(4096 * page)
            file.write(b"\xff" * 200)


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _not_briefbots(path: Path) -> None:
    path.unlink()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.commit()


def _newer(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
        conn.commit()


REFUSALS: dict[str, tuple[Callable[[Path], object], str]] = {
    "missing": (Path.unlink, "does not exist: name a backup file (`briefbot backup` and "),
    "folder": (_folder, "is a folder: name a backup file in it"),
    "not sqlite": (
        lambda p: p.write_text("notes, not a database\n" * 300),
        "is not an SQLite database: name a backup file",
    ),
    "empty": (lambda p: p.write_bytes(b""), "is empty: name a backup file"),
    "damaged": (_damaged, "is damaged ("),
    "not briefbot's": (
        _not_briefbots,
        "is an SQLite database but not briefbot's (it has no briefbot schema version or "
        "tables): name a backup file",
    ),
    "newer": (
        _newer,
        f"was written by a newer briefbot (schema version {LATEST_VERSION + 1}; this one "
        f"knows up to {LATEST_VERSION}): upgrade briefbot first, then restore it",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_backup_that_cannot_be_restored_is_refused_in_one_line_and_nothing_changes(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    backup = tmp_path / "backup.db"
    published(capsys, backup)
    spoil, problem = REFUSALS[case]
    spoil(backup)
    before, listing = dump(database), files(tmp_path)

    code, out, err = cli(capsys, "restore", str(backup))

    assert (code, out) == (ExitCode.UNUSABLE_SETTING, "")
    [line] = err.splitlines()
    assert line.startswith(f"briefbot: not restored: {backup} {problem}"), line
    assert files(tmp_path) == listing
    assert dump(database) == before


@pytest.mark.parametrize("bot_ran_here", [False, True])
def test_a_database_folder_that_cannot_be_written_is_said_and_nothing_changes(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], bot_ran_here: bool
) -> None:
    backup = tmp_path / "b.db"
    published(capsys, backup)
    if bot_ran_here:  # it left its lock file: the first write is then the copy's
        database.with_name("briefbot.db.lock").write_text("")
    before, listing = dump(database), files(tmp_path)
    with read_only(tmp_path):
        code, out, err = cli(capsys, "restore", str(backup))
    assert (code, out) == (ExitCode.UNUSABLE_SETTING, "")
    [line] = err.splitlines()
    assert line.startswith(
        f"briefbot: not restored: the database's folder {tmp_path} cannot be written "
        if bot_ran_here
        else f"briefbot: DATABASE_PATH {database} cannot be used: its lock file "
    ), line
    assert (files(tmp_path), dump(database)) == (listing, before)


def test_the_database_itself_is_no_backup(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, "import", str(PUTIN))[0] == 0
    code, _, err = cli(capsys, "restore", str(database))
    assert code == ExitCode.UNUSABLE_SETTING
    assert (
        err == f"briefbot: not restored: {database} is the database itself: name a backup of it\n"
    )


def test_a_backup_read_with_its_wal_and_left_as_it_was(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy of a live database, -wal included (`cp briefbot.db*` while the bot wrote)."""
    assert cli(capsys, "import", str(PUTIN))[0] == 0
    commit_without_checkpoint(database)
    copies = tmp_path / "copies"
    copies.mkdir()
    for name in ("briefbot.db", "briefbot.db-wal"):
        shutil.copy(tmp_path / name, copies / name)
    backup = copies / "briefbot.db"
    assert cli(capsys, "restore", str(backup))[0] == 0
    assert marker(database) == [("only in the wal",)]
    assert (copies / "briefbot.db-wal").stat().st_size > 0  # not checkpointed: not written


def test_another_process_reading_the_database_holds_the_restore_back(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "b.db"
    published(capsys, backup)
    commit_without_checkpoint(database)
    with contextlib.closing(sqlite3.connect(database, isolation_level=None)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM briefs").fetchone()  # a read under way
        listing = files(tmp_path)
        code, out, err = cli(capsys, "restore", str(backup))
        assert files(tmp_path) == listing
        reader.execute("COMMIT")
    assert (code, out) == (ExitCode.OTHER_INSTANCE, "")
    assert err == (
        f"briefbot: not restored: {database} is open in another process (a `briefbot "
        "import`?): let it finish, then restore again\n"
    )
    assert marker(database) == [("only in the wal",)]
    assert titles(database) == [WIND_TITLE, PUTIN_TITLE]


def test_with_postgresql_the_refusal_points_to_pg_restore(
    database: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATABASE_PATH")
    monkeypatch.setenv("DATABASE_URL", "postgresql://briefbot@127.0.0.1:9/briefbot")
    backup = tmp_path / "b.dump"
    backup.write_bytes(b"PGDMP")
    code, out, err = cli(capsys, "restore", str(backup))
    assert (code, out) == (ExitCode.UNUSABLE_SETTING, "")
    assert err == (
        "briefbot: DATABASE_URL is set: restore PostgreSQL with pg_restore, as "
        "docs/operators/backups.md shows; `briefbot restore` replaces an SQLite file\n"
    )


async def _reader_sees(server: FakeBotApi, title: str) -> None:
    [reply] = await say(server, server.user(7, "Grace"), "/brief")
    assert title in reply.text, reply.text


async def _command(env: dict[str, str], cwd: Path, *args: str) -> BotProcess:
    process = await BotProcess.start(env, cwd, *args)
    await process.finish(None)
    return process


async def test_refused_while_the_bot_runs_then_served_once_it_is_stopped(tmp_path: Path) -> None:
    database, backup = tmp_path / "briefbot.db", tmp_path / "b.db"
    async with fake_bot_api() as server:
        env = environment(server.url, database, server.token)
        for args in (("import", str(PUTIN)), ("backup", str(backup)), ("import", str(WIND))):
            assert (await _command(env, tmp_path, *args)).process.returncode == 0
        bot = await BotProcess.start(env, tmp_path)
        try:
            await server.wait_for_call("setMyCommands", timeout=30)
            refused = await _command(env, tmp_path, "restore", str(backup))
            assert refused.process.returncode == ExitCode.OTHER_INSTANCE
            assert (refused.stdout, refused.stderr) == (
                [],
                [
                    f"briefbot: not restored: DATABASE_PATH {database} is served by a running "
                    f"`briefbot run` (process {bot.process.pid}, holding {database}.lock): stop "
                    "the bot first, then restore\n"
                ],
            )
            assert not [name for name in os.listdir(tmp_path) if ".replaced-" in name]
            await _reader_sees(server, WIND_TITLE)  # the bot serves on, from its database
        finally:
            assert await bot.finish(signal.SIGINT) == ExitCode.STOPPED
        restored = await _command(env, tmp_path, "restore", str(backup))
        assert restored.process.returncode == 0, restored.output
        again = await BotProcess.start(env, tmp_path)
        try:
            await server.wait_for_call("setMyCommands", count=2, timeout=30)
            await _reader_sees(server, PUTIN_TITLE)
        finally:
            assert await again.finish(signal.SIGINT) == ExitCode.STOPPED
    assert not [name for name in os.listdir(tmp_path) if name.endswith(("-wal", "-shm"))]
