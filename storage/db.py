"""Connections, transactions and the time encoding shared by every repository.

Two connections per Storage, both in autocommit mode (transactions are explicit):

* the writer, behind an asyncio.Lock. Every write takes the lock, so a multi-statement
  transaction never has another coroutine's statement slipped into it (aiosqlite runs
  whatever is queued on a connection, in order, whoever queued it). Transactions start
  with BEGIN IMMEDIATE so the write lock is taken up front and another process (the
  `briefbot import` command) is waited for through busy_timeout instead of failing.
* the reader, for SELECTs. It never sees the writer's uncommitted work, and each read is
  one statement, which SQLite runs on one consistent snapshot of the WAL. Every read sees
  whatever was committed last, by this process or another; the repositories keep in
  memory only what cannot change once written (a brief's versions) or what only this
  process writes (which brief each reader last opened).

Times are stored as INTEGER microseconds since the Unix epoch, UTC: exact for Python
datetimes, compact, and ordered the way the indexes need.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from storage.backup import back_up_if_due, copy_database
from storage.errors import (
    ConstraintError,
    SchemaTooNewError,
    StorageError,
    UnusableDatabaseError,
    UnwritableDatabaseError,
)
from storage.migrations import LATEST_VERSION, apply_migrations, user_version
from storage.models import ConnectionSettings

BUSY_TIMEOUT_MS = 10_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

Params = Sequence[Any] | Mapping[str, Any]
Row = sqlite3.Row

# The database's clock as a time column reads it (microseconds since the epoch), for what
# must be judged by one clock whoever asks: a replica's lease (storage/replicas.py).
# SQLite's is the one bot process's own; 'now' stays the same throughout a statement.
SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)"


def to_db(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: storage needs timezone-aware times")
    return (moment - _EPOCH) // _MICROSECOND


def to_db_opt(moment: datetime | None) -> int | None:
    return None if moment is None else to_db(moment)


def from_db(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def from_db_opt(value: int | None) -> datetime | None:
    return None if value is None else from_db(value)


async def _connect(path: str | os.PathLike[str], *, query_only: bool) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(
        os.fspath(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        # Pragmas take no parameters; these are constants of this module.
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
        if query_only:
            await conn.execute("PRAGMA query_only = ON")
    except BaseException:
        await conn.close()
        raise
    return conn


async def _enable_wal(conn: aiosqlite.Connection) -> None:
    # Switching a new file to WAL upgrades a read lock to a write lock, and SQLite answers
    # "locked" at once, without the busy handler, when another process (the bot and the
    # import command starting together) does the same. So wait here, as busy_timeout would.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            rows = list(await conn.execute_fetchall("PRAGMA journal_mode = WAL"))
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or loop.time() >= deadline:
                raise
            await asyncio.sleep(0.02)
    if str(rows[0][0]).lower() != "wal":
        raise StorageError(f"cannot switch the database to WAL (journal mode is {rows[0][0]!r})")
    # journal_mode resets synchronous on some builds; say it again.
    await conn.execute("PRAGMA synchronous = NORMAL")


def check_location(path: Path, *, must_exist: bool = False) -> None:
    """The failures SQLite would only call "unable to open database file", named."""
    if path.is_dir():
        raise UnusableDatabaseError("it is a folder, not a file")
    folder = path.parent
    if not folder.is_dir():
        raise UnusableDatabaseError(f"its folder {folder} does not exist")
    if must_exist and not path.is_file():
        raise UnusableDatabaseError("it does not exist")


async def _check_writable(conn: aiosqlite.Connection, version: int) -> None:
    # SQLite opens a file it may not write read-only and says so only at the first write,
    # which for a database already migrated would be a reader's first click. Write now,
    # and take it back.
    await conn.execute("BEGIN IMMEDIATE")
    try:
        await conn.execute(f"PRAGMA user_version = {version:d}")
    finally:
        await conn.rollback()


def _unusable(error: sqlite3.Error) -> UnusableDatabaseError:
    name = getattr(error, "sqlite_errorname", "")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
        return UnwritableDatabaseError(_why(error))
    return UnusableDatabaseError(_why(error))


def _why(error: sqlite3.Error) -> str:
    name = getattr(error, "sqlite_errorname", "")
    if name == "SQLITE_NOTADB":
        return "it is not an SQLite database"
    if name.startswith("SQLITE_READONLY"):
        return "it is read-only (the file or its folder cannot be written)"
    if name.startswith("SQLITE_CANTOPEN"):
        return "it cannot be opened or created (check the permissions of the file and its folder)"
    if name.startswith("SQLITE_BUSY"):
        return "another process holds it locked"
    if name.startswith("SQLITE_CORRUPT"):
        return "it is damaged (SQLite reports it malformed)"
    return f"SQLite cannot use it: {error}"


class Database:
    """The writer and reader connections of one database file."""

    now = SQLITE_NOW

    def __init__(
        self,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        schema_version: int,
        path: Path,
    ) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._lock = asyncio.Lock()
        self.schema_version = schema_version
        # Where the backup taken before migrating this file was written, if it was.
        self.migration_backup: Path | None = None
        self._shared: dict[tuple[str, tuple[Any, ...]], asyncio.Task[Row | None]] = {}

    @classmethod
    async def open(cls, path: str | os.PathLike[str]) -> Database:
        check_location(Path(path))
        kept: Path | None = None

        async def prepare(writer: aiosqlite.Connection) -> int:
            nonlocal kept
            await _enable_wal(writer)
            kept = await back_up_if_due(writer, Path(path))
            version = await apply_migrations(writer)
            await _check_writable(writer, version)
            return version

        db = await cls._open(path, prepare, query_only=False)
        db.migration_backup = kept
        return db

    @classmethod
    async def open_read_only(cls, path: str | os.PathLike[str]) -> Database:
        """An existing file, as it is: no migration, and any write refused by SQLite."""
        check_location(Path(path), must_exist=True)

        async def check(writer: aiosqlite.Connection) -> int:
            version = await user_version(writer)
            if version > LATEST_VERSION:
                raise SchemaTooNewError(f"it was written by a newer briefbot (schema {version})")
            return version

        return await cls._open(path, check, query_only=True)

    @classmethod
    async def _open(
        cls,
        path: str | os.PathLike[str],
        prepare: Callable[[aiosqlite.Connection], Awaitable[int]],
        *,
        query_only: bool,
    ) -> Database:
        """The writer connection, readied by `prepare` (which gives the schema version), then
        the reader; every SQLite error said as UnusableDatabaseError, nothing left open."""
        try:
            writer = await _connect(path, query_only=query_only)
        except sqlite3.Error as error:
            raise _unusable(error) from error
        try:
            version = await prepare(writer)
            reader = await _connect(path, query_only=True)
        except sqlite3.Error as error:
            await writer.close()
            raise _unusable(error) from error
        except BaseException:
            await writer.close()
            raise
        return cls(writer, reader, version, Path(path))

    async def close(self) -> None:
        async with self._lock:
            try:
                await self._reader.close()
            finally:
                await self._writer.close()

    async def backup(self, target: Path, *, overwrite: bool = False) -> None:
        """A checked copy of the database as of one commit, made beside this process's work.

        On a connection of its own, in a thread: reads and writes here go on meanwhile.
        """
        await asyncio.to_thread(
            copy_database, self.path, target, version=self.schema_version, overwrite=overwrite
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction: committed if the block ends normally, rolled back otherwise."""
        async with self._lock:
            conn = self._writer
            try:
                await conn.execute("BEGIN IMMEDIATE")
                yield conn
                await conn.execute("COMMIT")
                self._shared.clear()
            except BaseException as exc:
                # Shielded so a second cancellation cannot leave the transaction open; the
                # rollback is queued on the connection before anything a later holder sends.
                await asyncio.shield(conn.rollback())
                if isinstance(exc, sqlite3.IntegrityError):
                    raise ConstraintError(str(exc)) from exc
                raise

    async def write(self, sql: str, params: Params = ()) -> int:
        """One statement in its own transaction; returns the number of rows changed."""
        async with self._lock:
            try:
                cursor = await self._writer.execute(sql, params)
            except sqlite3.IntegrityError as exc:
                raise ConstraintError(str(exc)) from exc
            self._shared.clear()
            return cursor.rowcount

    async def write_returning(self, sql: str, params: Params = ()) -> list[Row]:
        """One statement with RETURNING, in its own transaction."""
        async with self._lock:
            try:
                rows = list(await self._writer.execute_fetchall(sql, params))
            except sqlite3.IntegrityError as exc:
                raise ConstraintError(str(exc)) from exc
            self._shared.clear()
            return rows

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._reader.execute_fetchall(sql, params))

    async def ping(self) -> None:
        try:
            await self._reader.execute_fetchall("SELECT 1")
        except (sqlite3.Error, ValueError) as error:  # aiosqlite: ValueError once closed
            raise StorageError(f"{type(error).__name__}: {error}") from error

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_one_shared(self, sql: str, params: tuple[Any, ...] = ()) -> Row | None:
        """fetch_one, with identical reads asked for at the same time answered by one query.

        For rows many readers ask for at once (the brief everyone is reading): each read
        is a hand-off to the database thread, which costs more than the query. A request
        joins a read already under way, begun at most one query's time before it; a commit
        by this process ends the sharing, so what is read after it sees it.
        """
        key = (sql, params)
        task = self._shared.get(key)
        if task is None:
            task = asyncio.ensure_future(self.fetch_one(sql, params))
            self._shared[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(task)

    def _forget(self, key: tuple[str, tuple[Any, ...]], done: asyncio.Task[Row | None]) -> None:
        if self._shared.get(key) is done:
            del self._shared[key]
        if not done.cancelled():
            done.exception()  # retrieved here: every waiter may have been cancelled

    async def settings(self) -> tuple[ConnectionSettings, ConnectionSettings]:
        """The pragmas in force on (writer, reader)."""
        async with self._lock:
            writer = await _settings(self._writer)
        return writer, await _settings(self._reader)


async def _settings(conn: aiosqlite.Connection) -> ConnectionSettings:
    async def pragma(name: str) -> Any:
        rows: Iterable[Row] = await conn.execute_fetchall(f"PRAGMA {name}")
        return next(iter(rows))[0]

    return ConnectionSettings(
        journal_mode=str(await pragma("journal_mode")),
        foreign_keys=bool(await pragma("foreign_keys")),
        synchronous=int(await pragma("synchronous")),
        busy_timeout_ms=int(await pragma("busy_timeout")),
    )
