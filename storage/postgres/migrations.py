"""The PostgreSQL schema, as an ordered list of migrations numbered as SQLite's
(storage/postgres/schema.py holds their statements).

Migration N here makes the same tables as migration N of storage/migrations.py, so a
version means the same on both and `briefbot copy-db` copies rows unchanged: times are
BIGINT microseconds, flags SMALLINT 0/1, JSON columns jsonb (read back as text). Ids are
BIGINT identities BY DEFAULT, so copied rows keep theirs (the copy then moves each
sequence past them); an identity never hands out an id twice, as AUTOINCREMENT does not.

`briefbot migrate` applies them (never the bot: replicas starting together must not race
on a schema change). Each runs in its own transaction with the version bump, under an
advisory lock, so two `migrate` at once apply each migration exactly once. Never edit a
released migration: append a new one, and its twin in storage/migrations.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storage.errors import SchemaTooNewError
from storage.migrations import Migration
from storage.postgres.schema import POSTGRES_MIGRATIONS

# pg_advisory_xact_lock key: "briefbot" in ASCII, any constant no other program uses.
MIGRATION_LOCK = 0x6272696566626F74

POSTGRES_LATEST_VERSION = len(POSTGRES_MIGRATIONS)

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS briefbot_schema (
    only_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
    version INTEGER NOT NULL
)
"""


async def schema_version(conn: Any) -> int:
    """The number of migrations applied; 0 for a database briefbot never migrated.

    Looked for in the schema briefbot's tables are created in (the first of search_path),
    not wherever search_path finds one: a briefbot database in `public` must not make a
    new one in a schema before it (`search_path=app,public`) look migrated already."""
    found = await conn.fetchval(
        "SELECT to_regclass(format('%I.briefbot_schema', current_schema()))"
    )
    if found is None:
        return 0
    version = await conn.fetchval("SELECT version FROM briefbot_schema")
    return 0 if version is None else int(version)


async def apply_postgres_migrations(
    conn: Any,
    *,
    target: int = POSTGRES_LATEST_VERSION,
    migrations: Sequence[Migration] = POSTGRES_MIGRATIONS,
) -> tuple[int, int]:
    """Bring the database up to `target`: (the version before, the version after)."""
    before = await schema_version(conn)
    if before > len(migrations):
        raise SchemaTooNewError(
            f"it was migrated by a newer briefbot (schema version {before}; "
            f"this one knows up to {len(migrations)})"
        )
    for number in range(before + 1, target + 1):
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await conn.execute(_VERSION_TABLE)
            if await schema_version(conn) >= number:  # another `migrate` got here first
                continue
            for statement in migrations[number - 1]:
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO briefbot_schema (version) VALUES ($1)"
                " ON CONFLICT (only_row) DO UPDATE SET version = excluded.version",
                number,
            )
    return before, await schema_version(conn)
