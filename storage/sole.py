"""One bot process per SQLite file: an advisory lock it holds for its life.

Why a sidecar (`<database>.lock`) locked with flock(2), not the database file itself:

* flock belongs to the open file, not to the process's other descriptors. SQLite locks
  the database with fcntl(2) byte ranges, and closing *any* descriptor of a file drops
  every fcntl lock the process has on it; a lock of ours on the database file, in that
  family, would vanish whenever SQLite closes one of its connections. A file nobody else
  opens has no such interplay, whatever the journal mode: WAL's -wal and -shm files and
  SQLite's own locks are untouched, so `briefbot import`, `backup` and `health` work
  beside the bot exactly as before.
* On network filesystems Linux emulates flock with fcntl locks; on the database file that
  emulated lock would collide with SQLite's, on the sidecar it collides with nothing.
* The database may not exist yet (the first start creates it); the sidecar can.

The kernel lets go when the process ends, however it ends (SIGKILL, a crash, a power cut
on restart), so no stale lock is ever left to clean up. The file itself stays: deleting it
while another process waits on it would let two processes lock two different files. The
descriptor is not inherited (Python opens files close-on-exec): the upload parser's child
processes never hold it. The holder's pid is written in it, to name it in the refusal.

The lock file is opened without following a symbolic link and without blocking, and must be
a regular file: whoever may write in the database's folder could otherwise plant a link
that has another file overwritten with the pid, or a FIFO that hangs the start.

Hard links are not caught: two names of one database file have two lock files, and two
processes may serve it. The lock is not keyed by the file's device and inode instead,
because the database may not exist yet (no inode to key by before the first start) and a
restore or `VACUUM INTO` swap changes the inode under a running bot; and SQLite itself
must not be given a database through several hard links (its journal and WAL files are
named after the path: https://sqlite.org/howtocorrupt.html, "multiple links to the same
file"), so docs/operators/running.md tells operators never to do so.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from pathlib import Path
from types import TracebackType

from storage.db import check_location
from storage.errors import StorageError, UnusableDatabaseError, UnwritableDatabaseError


class DatabaseInUseError(StorageError):
    """Another process holds the database's lock: another `briefbot run` serves it."""

    def __init__(self, lock_path: Path, holder: str) -> None:
        self.lock_path = lock_path
        self.holder = holder  # its pid as written in the lock file, or "" if unknown
        super().__init__(f"{lock_path} is locked by process {holder or 'unknown'}")


def lock_path(database: Path) -> Path:
    """The sidecar beside the file the path resolves to: `./briefbot.db`, its absolute path
    and a symbolic link to it all name one lock."""
    real = database.resolve()
    return real.with_name(f"{real.name}.lock")


class SoleServer:
    """`with SoleServer(path):` holds the database's lock, or raises DatabaseInUseError
    without waiting; UnusableDatabaseError when the lock file cannot be made."""

    def __init__(self, database: Path) -> None:
        self._database = database
        self.path = lock_path(database)
        self._fd: int | None = None

    def __enter__(self) -> SoleServer:
        # Storage's own words for a path that cannot be a database, and no lock file made
        # beside a folder or in one that does not exist.
        check_location(self._database)
        self._fd = _open(self.path)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(self._fd)
            self._close()
            raise DatabaseInUseError(self.path, holder) from None
        # Only the holder writes, and only to the regular file _open made sure of: whoever
        # is refused reads a whole pid, and nothing else is ever truncated.
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"{os.getpid()}\n".encode(), 0)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()  # closing the descriptor releases the lock

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _open(path: Path) -> int:
    """The lock file, opened without following a symbolic link (one planted there would
    have its target overwritten with our pid) and without blocking (a FIFO there would hang
    the open); anything but a regular file is refused before a byte is written to it."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except PermissionError as error:
        raise UnwritableDatabaseError(
            f"its lock file {path} cannot be created or opened ({error.strerror})"
        ) from error
    except OSError as error:
        # O_NOFOLLOW's answer to a symbolic link, a socket's and a folder's.
        if error.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR):
            raise _not_regular(path) from None
        # Another kind of file that cannot be opened for writing, or the folder went away
        # since it was checked.
        raise UnusableDatabaseError(
            f"its lock file {path} cannot be created ({error.strerror})"
        ) from error
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _not_regular(path)
    return fd


def _not_regular(path: Path) -> UnusableDatabaseError:
    return UnusableDatabaseError(
        f"its lock file {path} is not a regular file: remove it (the next start makes it)"
    )


def _read(fd: int) -> str:
    with contextlib.suppress(OSError):
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return text if text.isascii() and text.isdigit() else ""
    return ""
