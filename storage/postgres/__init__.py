"""The same storage on PostgreSQL, through asyncpg: for several replicas of the bot, or a
database the operator already runs and backs up.

`await PgStorage.open(url)` connects and checks the schema: the bot never migrates
PostgreSQL itself (`briefbot migrate`, i.e. `await migrate(url)`, does), so replicas
starting together never race on a schema change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from storage import BackupError, Storage
from storage.errors import SchemaTooNewError, SchemaTooOldError, StorageError
from storage.models import ConnectionSettings
from storage.postgres.db import PgDatabase, PortableSql, connect
from storage.postgres.migrations import (
    POSTGRES_LATEST_VERSION,
    apply_postgres_migrations,
    schema_version,
)
from storage.postgres.send_budget import PgSendBudget
from storage.postgres.urls import redacted


class PgStorage(Storage):
    """Storage (storage/__init__.py) on PostgreSQL: the same repositories' interface."""

    shared_by_replicas = True

    def __init__(self, db: PgDatabase) -> None:  # not Storage's: no SQLite Database here
        self._pg = db
        self._open_repositories(PortableSql(db))
        self.send_budget = PgSendBudget(db)

    @classmethod
    async def connect(cls, url: str, *, read_only: bool = False) -> PgStorage:
        """Connect, and refuse a schema this briefbot cannot serve: newer than it knows, or
        older than it needs (SchemaTooOldError: run `briefbot migrate`). `read_only` also
        takes a database never migrated (version 0), for looking only."""
        pool = await connect(url)
        try:
            async with pool.acquire() as conn:
                version = await schema_version(conn)
            _check_version(version, url, read_only=read_only)
        except BaseException:
            await pool.close()
            raise
        return cls(PgDatabase(pool, version))

    async def close(self) -> None:
        await self._pg.close()

    async def ping(self) -> None:
        await self._pg.ping()

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        async with self._pg.advisory_lock(name):
            yield

    @property
    def schema_version(self) -> int:
        return self._pg.schema_version

    @property
    def migration_backup(self) -> Path | None:
        return None  # never migrated on opening (`briefbot migrate` does)

    async def backup(self, target: Path, *, overwrite: bool = False) -> None:
        raise BackupError(
            "the database is PostgreSQL: back it up with pg_dump (or the server's own backups)"
        )

    async def settings(self) -> tuple[ConnectionSettings, ConnectionSettings]:
        raise StorageError("connection pragmas are SQLite's; PostgreSQL has none")


def _check_version(version: int, url: str, *, read_only: bool) -> None:
    if version > POSTGRES_LATEST_VERSION:
        raise SchemaTooNewError(
            f"it was migrated by a newer briefbot (schema version {version}; this one knows "
            f"up to {POSTGRES_LATEST_VERSION}): run the newer briefbot, or restore an older backup"
        )
    if version < POSTGRES_LATEST_VERSION and not (read_only and version == 0):
        raise SchemaTooOldError(
            f"its schema is at version {version} and this briefbot needs "
            f"{POSTGRES_LATEST_VERSION}: run `briefbot migrate` (with the same DATABASE_URL) "
            "once, then start the bot"
        )


async def migrate_schema(url: str) -> tuple[int, int]:
    """Apply the missing migrations to the database at `url`: (version before, after)."""
    pool = await connect(url)
    try:
        async with pool.acquire() as conn:
            return await apply_postgres_migrations(conn)
    except asyncpg.PostgresError as error:
        raise StorageError(f"migrating {redacted(url)} failed: {error}") from error
    finally:
        await pool.close()


__all__ = ["POSTGRES_LATEST_VERSION", "PgStorage", "migrate_schema"]
