"""`briefbot copy-db`: every row of an SQLite database into an empty PostgreSQL one.

The SQLite file is read in one read transaction (the database as of one commit, even while
a bot writes to it) and written to PostgreSQL in one transaction with COPY: all of it or,
on any error, nothing. Each table's count is checked inside that transaction, the search
index is built from the copied briefs, and every identity is moved past the ids copied (for
drafts, past any id SQLite ever handed out: an old Publish button never names a new draft).
The whole database is held in memory once (fine for the sizes SQLite serves a bot at), but
for the audio, read and copied a few voice notes at a time.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg

from storage import migrations as sqlite_migrations
from storage.errors import StorageError
from storage.postgres.db import connect
from storage.postgres.migrations import POSTGRES_LATEST_VERSION, apply_postgres_migrations
from storage.search_index import POSTGRES_REFILL

# Every table with rows to copy, parents before children. brief_search is not copied: it is
# built again from the briefs. A table added by a migration must be added here (copying
# refuses an SQLite table it does not know).
TABLES = (
    "briefs",
    "brief_versions",
    "sources",
    "facts",
    "fact_citations",
    "narratives",
    "audit",
    "readers",
    "subscribers",
    "deliveries",
    "push_runs",
    "drafts",
    "bot_state",
    "inline_copies",
    "pending_corrections",
    "paste_parts",
    "handled_updates",
    "chat_languages",
    "brief_audio",
    "audio_jobs",
    "voice_copies",
    # All of the Matrix adapter's: the ids other tables hold, the message ids of its
    # copies, what rooms were told, and the sync's position with the events taken lately,
    # so that a sync resumed from the copied position handles none twice (as
    # handled_updates is copied for Telegram's webhook). The sync's lease goes along as it
    # is: both clocks count microseconds since the epoch, and a lease copied from a bot
    # still syncing the SQLite file runs out within seconds.
    "matrix_names",
    "matrix_events",
    "matrix_taken_events",
    "matrix_sync",
    "matrix_told",
)
# Read in batches while they are copied, not held whole: the voice notes are most of a
# database's bytes (about 0.25 MB a minute of audio).
STREAMED = ("brief_audio",)
STREAM_BATCH = 16
# Each moved past what SQLite ever handed out (its AUTOINCREMENT counter), or past the
# counter's starting value: matrix_names' starts just below MATRIX_ID_BASE, so a new
# Matrix name gets a Matrix id even when the copy had none.
IDENTITIES = (
    *("briefs", "brief_versions", "audit", "push_runs", "drafts", "paste_parts"),
    *("matrix_names", "matrix_events"),
)
# Nor replicas: the processes that served the SQLite file are not the ones to come.
_NOT_COPIED = ("sqlite_", "brief_search", "replicas")

# Each table's columns and rows; for a STREAMED table, its columns and how many rows.
Rows = dict[str, tuple[list[str], list[tuple[Any, ...]] | int]]


class CopyError(StorageError):
    """The copy was refused or failed; nothing was written. The message says why."""


def _connect_read_only(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise CopyError(f"there is no SQLite database at {path}")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    # Not bound to one thread: asyncio.to_thread runs each call on any worker, one at a time.
    return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)


class SqliteSnapshot:
    """The SQLite database as of one commit: a read transaction held open on a connection
    of its own until closed. Every call runs in a thread, so the event loop goes on."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @classmethod
    async def open(cls, path: Path) -> SqliteSnapshot:
        """The snapshot, refused (CopyError) if it is not at this briefbot's schema or has
        a table this briefbot does not know how to copy."""
        conn = await asyncio.to_thread(_connect_read_only, path)
        snapshot = cls(conn)
        try:
            await asyncio.to_thread(snapshot._begin)
        except BaseException:
            await snapshot.close()
            raise
        return snapshot

    def _begin(self) -> None:
        conn = self._conn
        conn.execute("BEGIN")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version != sqlite_migrations.LATEST_VERSION:
            raise CopyError(
                f"the SQLite database is at schema version {version}, not "
                f"{sqlite_migrations.LATEST_VERSION}: open it once with this briefbot "
                "(`briefbot migrate` with DATABASE_PATH) before copying"
            )
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
        unknown = [n for n in names if n not in TABLES and not n.startswith(_NOT_COPIED)]
        if unknown:
            raise CopyError(f"this briefbot does not know how to copy the tables {unknown}")

    async def close(self) -> None:
        await asyncio.to_thread(self._conn.close)

    async def read(self) -> tuple[Rows, dict[str, int]]:
        """Every table's columns and rows (STREAMED tables' columns and row count only), and
        SQLite's AUTOINCREMENT counters."""
        return await asyncio.to_thread(self._read)

    def _read(self) -> tuple[Rows, dict[str, int]]:
        rows: Rows = {}
        for table in TABLES:  # names from this module, not from input
            if table in STREAMED:
                cursor = self._conn.execute(f'SELECT * FROM "{table}" LIMIT 0')
                count = self._conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                rows[table] = ([c[0] for c in cursor.description], int(count))
                continue
            cursor = self._conn.execute(f'SELECT * FROM "{table}"')
            records = cursor.fetchall()
            rows[table] = ([c[0] for c in cursor.description], records)
        counters = dict(self._conn.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
        return rows, {str(k): int(v) for k, v in counters.items()}

    async def stream(self, table: str) -> AsyncIterator[tuple[Any, ...]]:
        """The rows of a STREAMED table, STREAM_BATCH at a time."""
        cursor = await asyncio.to_thread(self._conn.execute, f'SELECT * FROM "{table}"')
        while batch := await asyncio.to_thread(cursor.fetchmany, STREAM_BATCH):
            for row in batch:
                yield row


async def copy_to_postgres(path: Path, url: str) -> dict[str, int]:
    """Copy the SQLite database at `path` into the PostgreSQL database at `url`, migrating
    it first; returns the rows copied per table. CopyError when refused or failed."""
    if sqlite_migrations.LATEST_VERSION != POSTGRES_LATEST_VERSION:
        raise CopyError("this briefbot's SQLite and PostgreSQL schemas differ: no copy")
    try:
        snapshot = await SqliteSnapshot.open(path)
    except sqlite3.Error as error:
        raise CopyError(f"the SQLite database at {path} cannot be read: {error}") from error
    try:
        return await _copy_snapshot(snapshot, path, url)
    finally:
        await snapshot.close()


async def _copy_snapshot(snapshot: SqliteSnapshot, path: Path, url: str) -> dict[str, int]:
    try:
        rows, counters = await snapshot.read()
        pool = await connect(url)
        try:
            async with pool.acquire() as conn:
                await apply_postgres_migrations(conn)
                async with conn.transaction():
                    return await _copy(conn, snapshot, rows, counters)
        finally:
            await pool.close()
    except sqlite3.Error as error:
        raise CopyError(f"the SQLite database at {path} cannot be read: {error}") from error
    except asyncpg.PostgresError as error:
        raise CopyError(f"PostgreSQL refused the copy, nothing was kept: {error}") from error


async def _copy(
    conn: Any, snapshot: SqliteSnapshot, rows: Rows, counters: dict[str, int]
) -> dict[str, int]:
    for table in TABLES:
        if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):
            raise CopyError(f"the PostgreSQL database is not empty (table {table} has rows)")
    copied: dict[str, int] = {}
    for table in TABLES:
        columns, records = rows[table]
        if isinstance(records, int):
            read = records
            await conn.copy_records_to_table(table, records=snapshot.stream(table), columns=columns)
        else:
            read = len(records)
            await conn.copy_records_to_table(table, records=records, columns=columns)
        copied[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")
        if copied[table] != read:
            raise CopyError(f"{table}: {read} rows read, {copied[table]} written")
    await conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a broken reference fails here
    for statement in POSTGRES_REFILL:
        await conn.execute(statement)
    for table in IDENTITIES:
        floor = counters.get(table, 0)
        await conn.execute(
            f"""SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                              greatest((SELECT max(id) FROM {table}), $1::bigint, 1),
                              greatest((SELECT max(id) FROM {table}), $1::bigint) > 0)""",
            floor,
        )
    return copied
