"""The SQLite Database in the shared layer's call shape (storage.sql.Sql), for the
repositories that serve both engines; storage.postgres.db.PortableSql is its PostgreSQL
twin. Every statement is checked by storage.sql.portable first, so what would not run on
PostgreSQL fails here too."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

from storage.db import SQLITE_NOW, Database, Row
from storage.sql import Dialect, SqlTx, portable


class SqliteTx:
    """The calls of storage.sql.SqlTx on the writer connection, inside its transaction:
    reads here see the transaction's own writes."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def write(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        cursor = await self._conn.execute(portable(sql), params)
        return cursor.rowcount

    async def write_returning(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        return await self.fetch_all(sql, params)

    async def fetch_all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(portable(sql), params))

    async def fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def executemany(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        await self._conn.executemany(portable(sql), rows)


class SqliteSql:
    """storage.sql.Sql on SQLite: writes on the writer connection, reads on the reader."""

    now = SQLITE_NOW
    dialect: Dialect = "sqlite"

    def __init__(self, db: Database) -> None:
        self._db = db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlTx]:
        async with self._db.transaction() as conn:
            yield SqliteTx(conn)

    async def write(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        return await self._db.write(portable(sql), params)

    async def write_returning(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        return await self._db.write_returning(portable(sql), params)

    async def fetch_all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        return await self._db.fetch_all(portable(sql), params)

    async def fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> Row | None:
        return await self._db.fetch_one(portable(sql), params)

    async def fetch_one_shared(self, sql: str, params: tuple[Any, ...] = ()) -> Row | None:
        return await self._db.fetch_one_shared(portable(sql), params)

    async def executemany(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)
