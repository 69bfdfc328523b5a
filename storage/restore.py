"""A backup put in the database's place (`briefbot restore BACKUP`), in one step.

Nothing changes until the backup is copied beside the database and the copy checked: a
missing file, one that is not SQLite, a damaged one, one that is not briefbot's, or one a
newer briefbot wrote is refused with the database untouched. An older one is taken: the
next start migrates it, as it would any database left by an older briefbot. All of it
runs holding the lock `briefbot run` holds for its life (storage.sole), so no bot serves
the file meanwhile, and none starts. Then:

1. the current database is checkpointed (what its -wal holds written into it), so the
   file kept is complete on its own, and renamed `<db>.replaced-<UTC time>`;
2. its sidecars go: a -wal or -journal still holding pages (a damaged file, which could
   not be checkpointed) is renamed beside the kept file, never deleted; an empty one and
   the -shm (an index SQLite rebuilds) are removed. A -wal left beside the restored file
   would be applied to it by SQLite, writing the old file's pages into the new one;
3. the checked copy takes the database's name (a rename, which is atomic), and the folder
   is synced so that the new names outlive a power cut.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from storage.backup import beside
from storage.errors import StorageError
from storage.migrations import LATEST_VERSION
from storage.sole import SoleServer

_HEADER = b"SQLite format 3\x00"
_WRITTEN_BY = "`briefbot backup` and BACKUP_DIR write them"


class RestoreError(StorageError):
    """The backup was not restored and nothing changed; the message names the problem and
    the fix."""


class DatabaseBusyError(RestoreError):
    """A process other than a bot (a `briefbot import`) has the database open."""


@dataclass(frozen=True, slots=True)
class Restored:
    version: int  # the backup's schema version: below LATEST_VERSION, the next start migrates
    replaced: Path | None  # where the database it replaced is kept; None: there was none


def restore_database(backup: Path, database: Path) -> Restored:
    """Put `backup` in the place of the SQLite file `database` (blocking: a thread or the
    command line). Raises RestoreError, storage.sole's DatabaseInUseError while a bot
    serves the database, UnusableDatabaseError when its folder cannot take it."""
    _check_file(backup, database)
    with SoleServer(database):
        real = database.resolve()  # through a symbolic link, the file itself
        temporary = _temporary(real)
        try:
            _copy(backup, temporary)
            version = _verify(backup, temporary)
            _match(temporary, real)
            _sync(temporary)
            replaced = _set_aside(real)
            try:
                os.replace(temporary, real)
            except OSError as error:
                if replaced is not None:
                    os.rename(replaced, real)
                raise RestoreError(f"{real} cannot be replaced ({error.strerror})") from error
            _sync(real.parent)
        finally:
            for leftover in (temporary, *_sidecars(temporary)):
                leftover.unlink(missing_ok=True)
    return Restored(version, replaced)


def _check_file(backup: Path, database: Path) -> None:
    if not backup.exists():
        raise RestoreError(f"{backup} does not exist: name a backup file ({_WRITTEN_BY})")
    if backup.is_dir():
        raise RestoreError(f"{backup} is a folder: name a backup file in it")
    if database.exists() and backup.resolve() == database.resolve():
        raise RestoreError(f"{backup} is the database itself: name a backup of it")
    try:
        with backup.open("rb") as file:
            head = file.read(len(_HEADER))
    except OSError as error:
        raise RestoreError(f"{backup} cannot be read ({error.strerror})") from error
    if head != _HEADER:
        what = "is empty" if not head else "is not an SQLite database"
        raise RestoreError(f"{backup} {what}: name a backup file ({_WRITTEN_BY})")


def _temporary(real: Path) -> Path:
    try:
        handle, name = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    except OSError as error:
        raise RestoreError(
            f"the database's folder {real.parent} cannot be written ({error.strerror}): "
            f"make it writable for this user (uid {os.getuid()})"
        ) from error
    os.close(handle)
    return Path(name)


def _copy(backup: Path, temporary: Path) -> None:
    """SQLite's backup, read-only on the backup: a -wal beside it is read too, and nothing
    of it is written."""
    source = f"{backup.resolve().as_uri()}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(source, uri=True, timeout=10)) as src:
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
            with contextlib.closing(sqlite3.connect(temporary)) as dst:
                src.backup(dst)
                # One file, no -wal: the bot switches it to WAL when it opens it.
                dst.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as error:
        if getattr(error, "sqlite_errorname", "") == "SQLITE_FULL":
            raise RestoreError(
                f"the database's folder {temporary.parent} is full: free some space"
            ) from error
        raise RestoreError(f"{backup} {_unreadable(error)}") from error


def _unreadable(error: sqlite3.Error) -> str:
    name = getattr(error, "sqlite_errorname", "")
    if name == "SQLITE_NOTADB":
        return f"is not an SQLite database: name a backup file ({_WRITTEN_BY})"
    if name.startswith("SQLITE_CORRUPT"):
        return "is damaged (SQLite reports it malformed): restore another backup"
    return f"cannot be read by SQLite ({error})"


def _verify(backup: Path, temporary: Path) -> int:
    """The copy's schema version, once it passed SQLite's integrity check and is briefbot's."""
    try:
        with contextlib.closing(sqlite3.connect(temporary)) as copy:
            verdict = [str(row[0]) for row in copy.execute("PRAGMA integrity_check")]
            version = int(copy.execute("PRAGMA user_version").fetchone()[0])
            ours = copy.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'briefs'"
            ).fetchone()
    except sqlite3.Error as error:
        raise RestoreError(f"{backup} {_unreadable(error)}") from error
    if verdict != ["ok"]:
        raise RestoreError(
            f"{backup} is damaged (SQLite's integrity check: {'; '.join(verdict[:3])}): "
            "restore another backup"
        )
    if version == 0 or ours is None:
        raise RestoreError(
            f"{backup} is an SQLite database but not briefbot's (it has no briefbot schema "
            f"version or tables): name a backup file ({_WRITTEN_BY})"
        )
    if version > LATEST_VERSION:
        raise RestoreError(
            f"{backup} was written by a newer briefbot (schema version {version}; this one "
            f"knows up to {LATEST_VERSION}): upgrade briefbot first, then restore it"
        )
    return version


def _match(temporary: Path, real: Path) -> None:
    """The restored file gets the replaced one's mode and owner (mkstemp's is 0600, and
    whoever restores may not be the user the bot runs as)."""
    try:
        status = real.stat()
    except FileNotFoundError:
        os.chmod(temporary, 0o644)
        return
    os.chmod(temporary, stat.S_IMODE(status.st_mode))
    with contextlib.suppress(PermissionError):  # only root gives a file away
        os.chown(temporary, status.st_uid, status.st_gid)


def _set_aside(real: Path) -> Path | None:
    """The current database, complete, renamed beside; its sidecars out of the way."""
    kept = None
    if real.exists():
        _checkpoint(real)
        kept = beside(real, "replaced")
        try:
            os.rename(real, kept)
        except OSError as error:
            raise RestoreError(
                f"{real} cannot be renamed to {kept.name} ({error.strerror}): make its "
                "folder writable for this user"
            ) from error
    for sidecar, suffix in zip(_sidecars(real), ("-journal", "-wal", "-shm"), strict=True):
        if kept is not None and suffix != "-shm" and _holds_pages(sidecar):
            os.rename(sidecar, kept.with_name(kept.name + suffix))
        else:
            sidecar.unlink(missing_ok=True)
    return kept


def _checkpoint(real: Path) -> None:
    """Everything the -wal holds written into the file; a hot journal rolled back. A file
    SQLite cannot do that to (damaged, not SQLite, read-only) is kept as it is."""
    try:
        with contextlib.closing(
            sqlite3.connect(f"{real.as_uri()}?mode=rw", uri=True, timeout=2)
        ) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            busy = int(conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0])
    except sqlite3.Error as error:
        busy = getattr(error, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
    if busy:
        raise DatabaseBusyError(
            f"{real} is open in another process (a `briefbot import`?): let it finish, "
            "then restore again"
        )


def _holds_pages(sidecar: Path) -> bool:
    try:
        return sidecar.stat().st_size > 0
    except FileNotFoundError:
        return False


def _sidecars(path: Path) -> tuple[Path, ...]:
    return tuple(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
