"""`briefbot copy-db`: every row of an SQLite database into an empty PostgreSQL one.

The SQLite file is read in one read transaction (the database as of one commit, even while
a bot writes to it) and written to PostgreSQL in one transaction with COPY: all of it or,
on any error, nothing. Each table's count is checked inside that transaction, the search
index is built from the copied briefs, and every identity is moved past the ids copied (for
drafts, past any id SQLite ever handed out: an old Publish button never names a new draft).
The whole database is held in memory once: fine for the sizes SQLite serves a bot at.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
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
)
IDENTITIES = ("briefs", "brief_versions", "audit", "push_runs", "drafts", "paste_parts")
# Nor replicas: the processes that served the SQLite file are not the ones to come.
_NOT_COPIED = ("sqlite_", "brief_search", "replicas")

Rows = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


class CopyError(StorageError):
    """The copy was refused or failed; nothing was written. The message says why."""


def read_sqlite(path: Path) -> tuple[Rows, dict[str, int]]:
    """Every table's columns and rows, and SQLite's AUTOINCREMENT counters, as of one commit."""
    if not path.is_file():
        raise CopyError(f"there is no SQLite database at {path}")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as conn:
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
        rows: Rows = {}
        for table in TABLES:  # names from this module, not from input
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            rows[table] = ([c[0] for c in cursor.description], cursor.fetchall())
        counters = dict(conn.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
        conn.execute("COMMIT")
    return rows, {str(k): int(v) for k, v in counters.items()}


async def copy_to_postgres(path: Path, url: str) -> dict[str, int]:
    """Copy the SQLite database at `path` into the PostgreSQL database at `url`, migrating
    it first; returns the rows copied per table. CopyError when refused or failed."""
    if sqlite_migrations.LATEST_VERSION != POSTGRES_LATEST_VERSION:
        raise CopyError("this briefbot's SQLite and PostgreSQL schemas differ: no copy")
    try:
        rows, counters = await asyncio.to_thread(read_sqlite, path)
    except sqlite3.Error as error:
        raise CopyError(f"the SQLite database at {path} cannot be read: {error}") from error
    pool = await connect(url)
    try:
        async with pool.acquire() as conn:
            await apply_postgres_migrations(conn)
            async with conn.transaction():
                return await _copy(conn, rows, counters)
    except asyncpg.PostgresError as error:
        raise CopyError(f"PostgreSQL refused the copy, nothing was kept: {error}") from error
    finally:
        await pool.close()


async def _copy(conn: Any, rows: Rows, counters: dict[str, int]) -> dict[str, int]:
    for table in TABLES:
        if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):
            raise CopyError(f"the PostgreSQL database is not empty (table {table} has rows)")
    copied: dict[str, int] = {}
    for table in TABLES:
        columns, records = rows[table]
        await conn.copy_records_to_table(table, records=records, columns=columns)
        copied[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")
        if copied[table] != len(records):
            raise CopyError(f"{table}: {len(records)} rows read, {copied[table]} written")
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
