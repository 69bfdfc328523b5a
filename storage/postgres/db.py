"""A pool of asyncpg connections, with the few operations the repositories need.

Unlike SQLite, PostgreSQL serves many writers at once, so there is no writer lock: each
transaction takes a connection of its own from the pool, and row locks (UPDATE ...
RETURNING, INSERT ... ON CONFLICT) order concurrent writers, in this process or in another
replica. Times are stored as BIGINT microseconds since the Unix epoch, UTC, as in SQLite
(storage/db.py to_db/from_db), so rows copy across unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from storage.errors import ConstraintError, StorageError, UnusableDatabaseError
from storage.postgres.urls import scrubbed
from storage.sql import Dialect, SqlTx, numbered

# The server's clock as a time column reads it (storage.db.SQLITE_NOW): every replica reads the
# same one, whatever its own says.
POSTGRES_NOW = "CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS BIGINT)"

# Connections per process: the bot's reads are short, and PostgreSQL's own default limit
# (100) must serve every replica.
POOL_SIZE = 10
CONNECT_TIMEOUT = 10.0

Record = Any  # asyncpg.Record: ships no type information


async def _keep_session(conn: Any) -> None:
    """A connection returned to the pool is used as it is: nothing here changes a session
    (no SET, LISTEN or open cursor; an advisory lock is let go by its own block, which
    closes the connection if it cannot). asyncpg's default reset query would cost each
    statement a second round trip."""


async def connect(url: str) -> asyncpg.Pool:
    """A pool on `url`; UnusableDatabaseError, naming the cause, when it cannot connect."""
    try:
        return await asyncpg.create_pool(
            url, min_size=1, max_size=POOL_SIZE, timeout=CONNECT_TIMEOUT, reset=_keep_session
        )
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        reason = scrubbed(f"{type(error).__name__}: {error}", url)
        raise UnusableDatabaseError(f"PostgreSQL does not serve it ({reason})") from error
    except (ValueError, OverflowError) as error:
        # asyncpg's answer to a malformed URL (it may quote a piece), and the socket's
        # to a port above 65535 (asyncpg reads any number as one).
        raise UnusableDatabaseError(
            f"it is not a usable URL: {scrubbed(str(error), url)}"
        ) from error


def rowcount(status: str) -> int:
    """Rows changed, from a command status such as "UPDATE 3" or "INSERT 0 2"."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PgDatabase:
    def __init__(self, pool: asyncpg.Pool, schema_version: int) -> None:
        self._pool = pool
        self.schema_version = schema_version

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """One transaction on a connection of its own: committed if the block ends
        normally, rolled back otherwise. A deferred constraint fails at the commit, and is
        a ConstraintError like any other."""
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                yield conn
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise ConstraintError(str(exc)) from exc

    @asynccontextmanager
    async def advisory_lock(self, name: str) -> AsyncIterator[None]:
        """Hold PostgreSQL's advisory lock for `name` over the block, on a connection of
        its own: the lock goes with the connection if this process dies, or if the lock
        cannot be let go (a cancellation midway): the connection is closed then, rather
        than returned to the pool still holding it."""
        async with self._pool.acquire() as conn:
            released = False
            try:
                await conn.execute("SELECT pg_advisory_lock(hashtext($1))", name)
                try:
                    yield
                finally:
                    await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", name)
                    released = True
            finally:
                if not released:
                    conn.terminate()

    async def write(self, sql: str, *args: Any) -> int:
        """One statement in its own transaction; returns the number of rows changed."""
        try:
            return rowcount(await self._pool.execute(sql, *args))
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise ConstraintError(str(exc)) from exc

    async def write_returning(self, sql: str, *args: Any) -> list[Record]:
        try:
            return list(await self._pool.fetch(sql, *args))
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise ConstraintError(str(exc)) from exc

    async def fetch_all(self, sql: str, *args: Any) -> list[Record]:
        return list(await self._pool.fetch(sql, *args))

    async def fetch_one(self, sql: str, *args: Any) -> Record | None:
        return await self._pool.fetchrow(sql, *args)

    async def ping(self) -> None:
        try:
            await self._pool.fetchval("SELECT 1")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise StorageError(f"{type(error).__name__}: {error}") from error


class PgTx:
    """The calls of storage.sql.SqlTx on one connection, inside its transaction."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def write(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        return rowcount(await self._conn.execute(numbered(sql), *params))

    async def write_returning(self, sql: str, params: tuple[Any, ...] = ()) -> list[Record]:
        return await self.fetch_all(sql, params)

    async def fetch_all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Record]:
        return list(await self._conn.fetch(numbered(sql), *params))

    async def fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> Record | None:
        return await self._conn.fetchrow(numbered(sql), *params)

    async def executemany(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        await self._conn.executemany(numbered(sql), list(rows))


class PortableSql:
    """storage.sql.Sql on PostgreSQL: the SQLite Database's call shape, `?` rewritten as
    $1, $2... (storage.sql.numbered), for the repositories that serve both engines."""

    now = POSTGRES_NOW
    dialect: Dialect = "postgresql"

    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlTx]:
        async with self._db.transaction() as conn:
            yield PgTx(conn)

    async def write(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        return await self._db.write(numbered(sql), *params)

    async def write_returning(self, sql: str, params: tuple[Any, ...] = ()) -> list[Record]:
        return await self._db.write_returning(numbered(sql), *params)

    async def fetch_all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Record]:
        return await self._db.fetch_all(numbered(sql), *params)

    async def fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> Record | None:
        return await self._db.fetch_one(numbered(sql), *params)

    async def fetch_one_shared(self, sql: str, params: tuple[Any, ...] = ()) -> Record | None:
        return await self.fetch_one(sql, params)

    async def executemany(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)
