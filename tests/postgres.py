"""PostgreSQL for tests: a schema of its own per test in the TEST_DATABASE_URL database,
fresh (empty) or migrated (as `briefbot migrate` leaves it)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from urllib.parse import quote

import asyncpg
import pytest

from storage.opening import DatabaseLocation, migrate_database

# postgresql://postgres@127.0.0.1:5432/test on CI (.ci/run); unset, PostgreSQL is skipped.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or None
NOT_SET = "TEST_DATABASE_URL not set"
needs_postgres = pytest.mark.skipif(TEST_DATABASE_URL is None, reason=NOT_SET)


@contextlib.asynccontextmanager
async def fresh_schema(database_url: str | None = None) -> AsyncIterator[str]:
    """A URL whose connections see only a new, empty schema (and `public`, where the
    unaccent extension lives, shared): each test starts from nothing, dropped after.
    In TEST_DATABASE_URL's database unless given another."""
    base = database_url or TEST_DATABASE_URL
    assert base is not None
    schema = await _new_schema(base)
    try:
        yield _url(base, schema)
    finally:
        await _drop(base, schema)


async def _new_schema(base: str) -> str:
    schema = f"test_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(base)
    try:
        # Once per database, in `public`, so no test's schema owns (and drops) it. Workers
        # racing to create it: one wins, the others find it made.
        with contextlib.suppress(asyncpg.UniqueViolationError, asyncpg.DuplicateObjectError):
            await conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()
    return schema


async def _drop(base: str, schema: str) -> None:
    conn = await asyncpg.connect(base)
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        await conn.close()


def _url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    # asyncpg passes a query parameter it does not know to the server as a setting.
    return f"{base}{separator}search_path={quote(f'{schema},public')}"


# Migrating takes a quarter of a second, under a lock that every worker's migration waits
# for; emptying a migrated schema takes a tenth of that. So each test process keeps the
# schemas it migrated when a test is done with them: here, with their shape as migrated.
_IDLE: dict[str, str] = {}

# What a test could change in a schema beyond its rows: tables, columns, indexes,
# sequences, constraints, functions and the schema version.
_SHAPE = """
SELECT md5(string_agg(part, ',' ORDER BY part)) FROM (
    SELECT c.relname || ':' || c.relkind::text || ':' || string_agg(
               coalesce(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ''), ';'
               ORDER BY a.attnum) AS part
      FROM pg_class AS c
      LEFT JOIN pg_attribute AS a
             ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE c.relnamespace = current_schema()::regnamespace
     GROUP BY c.relname, c.relkind
    UNION ALL
    SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
     WHERE connamespace = current_schema()::regnamespace
    UNION ALL
    SELECT proname || '(' || pg_get_function_identity_arguments(oid) || ') ' || md5(prosrc)
      FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
    UNION ALL
    SELECT 'version ' || version FROM briefbot_schema
) AS parts
"""
_TABLES = """
SELECT quote_ident(tablename) FROM pg_tables
 WHERE schemaname = current_schema() AND tablename <> 'briefbot_schema'
"""


@contextlib.asynccontextmanager
async def migrated_schema() -> AsyncIterator[str]:
    """As `fresh_schema`, in TEST_DATABASE_URL's database, migrated to this briefbot's
    latest version: empty, as `briefbot migrate` leaves a new database.

    Often a schema an earlier test of this process had, emptied after it: every table
    truncated (new, empty files, identities back to 1, as migrated). A schema whose shape a
    test changed, or that could not be emptied, is dropped instead, never given out again."""
    assert TEST_DATABASE_URL is not None
    base = TEST_DATABASE_URL
    if _IDLE:
        schema, shape = _IDLE.popitem()
    else:
        schema, shape = await _new_schema(base), None
    try:
        if shape is None:
            await migrate_database(DatabaseLocation(url=_url(base, schema)))
            shape = await _shape(base, schema)
        yield _url(base, schema)
    finally:
        if shape is None or not await _emptied(base, schema, shape):
            await _drop(base, schema)
        else:
            _IDLE[schema] = shape


async def _shape(base: str, schema: str) -> str:
    conn = await asyncpg.connect(_url(base, schema))
    try:
        shape: str = await conn.fetchval(_SHAPE)
        return shape
    finally:
        await conn.close()


async def _emptied(base: str, schema: str, shape: str) -> bool:
    """Whether `schema` is as migrated again, its rows gone."""
    conn = await asyncpg.connect(_url(base, schema))
    try:
        with contextlib.suppress(asyncpg.UndefinedTableError):  # briefbot_schema dropped
            if await conn.fetchval(_SHAPE) == shape:
                tables = ", ".join(row[0] for row in await conn.fetch(_TABLES))
                # A connection the test left open in a transaction holds its tables:
                # rather than wait for it, the schema is dropped as fresh_schema's is.
                await conn.execute("SET lock_timeout = '5s'")
                with contextlib.suppress(asyncpg.LockNotAvailableError):
                    await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY")
                    return True
        return False
    finally:
        await conn.close()


def drop_idle_schemas() -> None:
    """At the end of a test process: the migrated schemas it kept, dropped."""
    if TEST_DATABASE_URL is None or not _IDLE:
        return

    async def drop(base: str) -> None:
        while _IDLE:
            await _drop(base, _IDLE.popitem()[0])

    asyncio.run(drop(TEST_DATABASE_URL))
