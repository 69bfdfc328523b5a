"""A consistent copy of the database file, taken while the bot runs.

SQLite's online backup copies every page in one step, inside one read transaction: the
copy is the database as of one commit, whatever the bot writes meanwhile (in WAL mode a
reader does not block writers, nor they it). The copy goes to a temporary file in the
target folder, is checked (integrity and schema version), and only then takes its final
name, so a crash never leaves a half-written backup under that name.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from storage.errors import StorageError, UnusableDatabaseError
from storage.migrations import LATEST_VERSION, user_version


class BackupError(StorageError):
    """The backup could not be made; the message says why, in an operator's words."""


class BackupTargetError(BackupError):
    """The target cannot take a backup (missing or unwritable folder, an existing file)."""


class MigrationBackupError(UnusableDatabaseError):
    """The backup a migration takes first could not be written: nothing was migrated."""


def beside(database: Path, label: str) -> Path:
    """A name beside `database` that no file has yet: `<db>.<label>-<UTC time>`, numbered
    when two are made in one second."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = database.with_name(f"{database.name}.{label}-{stamp}")
    found, number = base, 1
    while found.exists() or found.is_symlink():
        number += 1
        found = base.with_name(f"{base.name}-{number}")
    return found


def back_up_before_migrating(database: Path, version: int) -> Path | None:
    """Before a migration changes `database` (at schema `version`), a checked backup of it
    beside it, `<db>.before-v<version>-<UTC time>` (blocking: run it in a thread); the
    path, or None when no migration is due (a new file has nothing to keep, a database up
    to date or newer is not migrated). MigrationBackupError when it cannot be written."""
    if not 0 < version < LATEST_VERSION:
        return None
    target = beside(database, f"before-v{version:d}")
    try:
        copy_database(database, target, version=version, overwrite=False)
    except BackupError as error:
        raise MigrationBackupError(
            f"it needs migrating from schema version {version} to {LATEST_VERSION}, and the "
            f"backup taken first, {target}, could not be written ({error}): nothing was "
            f"migrated; free some space or make {database.parent} writable, then try again"
        ) from error
    return target


async def back_up_if_due(writer: aiosqlite.Connection, path: Path) -> Path | None:
    """Before a migration changes the file, a copy as it is (none for a new file, nor one
    up to date). Taken holding the write lock, so that another process opening the file
    at once cannot migrate it while it is copied: each copy is of one version, whole."""
    if not 0 < await user_version(writer) < LATEST_VERSION:
        return None
    await writer.execute("BEGIN IMMEDIATE")
    try:
        found = await user_version(writer)  # another process may have migrated it meanwhile
        return await asyncio.to_thread(back_up_before_migrating, path, found)
    finally:
        await writer.execute("ROLLBACK")


def check_target(target: Path, *, overwrite: bool) -> None:
    """Refuse a target that cannot take a backup, before any copying."""
    folder = target.parent
    if target.is_dir():
        raise BackupTargetError(f"{target} is a folder; name the file to write")
    if not folder.is_dir():
        raise BackupTargetError(f"the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BackupTargetError(f"the folder {folder} cannot be written (check its permissions)")
    if target.exists() and not overwrite:
        raise BackupTargetError(f"{target} already exists (use --force to replace it)")


def copy_database(source: Path, target: Path, *, version: int, overwrite: bool) -> None:
    """Copy `source` to `target` (blocking: run it in a thread); raise BackupError on failure.

    `version` is the schema version the copy must carry.
    """
    check_target(target, overwrite=overwrite)
    if target.resolve() == source.resolve():
        raise BackupTargetError(f"{target} is the database itself")
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:  # what os.access cannot foresee: root, ACLs, read-only mounts
        raise BackupTargetError(
            f"the folder {target.parent} cannot be written ({error.strerror})"
        ) from error
    os.close(handle)
    temporary = Path(name)
    try:
        _copy(source, temporary)
        _check(temporary, version)
        _rename(temporary, target, overwrite=overwrite)
    finally:
        for leftover in (temporary, *_sidecars(temporary)):
            leftover.unlink(missing_ok=True)


def _copy(source: Path, temporary: Path) -> None:
    try:
        with (
            contextlib.closing(sqlite3.connect(source, timeout=10)) as src,
            contextlib.closing(sqlite3.connect(temporary)) as dst,
        ):
            src.backup(dst)  # all pages in one step: one consistent snapshot
            # One self-contained file: no -wal beside it to forget when copying it away.
            dst.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy the database: {error}") from error


def _check(temporary: Path, version: int) -> None:
    try:
        with contextlib.closing(sqlite3.connect(temporary)) as copy:
            verdict = [str(row[0]) for row in copy.execute("PRAGMA integrity_check")]
            found = int(copy.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as error:
        raise BackupError(f"the copy cannot be read back: {error}") from error
    if verdict != ["ok"]:
        raise BackupError(f"the copy failed SQLite's integrity check: {'; '.join(verdict[:3])}")
    if found != version:
        raise BackupError(f"the copy has schema version {found}, expected {version}")


def _rename(temporary: Path, target: Path, *, overwrite: bool) -> None:
    if overwrite:
        os.replace(temporary, target)
        return
    # A hard link fails if the name is taken, so a file that appeared meanwhile is kept.
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise BackupTargetError(f"{target} already exists (use --force to replace it)") from None
    except OSError as error:
        raise BackupError(f"cannot name the copy {target}: {error.strerror}") from error


def _sidecars(path: Path) -> tuple[Path, ...]:
    return tuple(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))
