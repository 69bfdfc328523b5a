"""PostgreSQL for tests: a schema of its own per test in the TEST_DATABASE_URL database,
fresh (empty) or migrated (as `briefbot migrate` leaves it)."""

from __future__ import annotations

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
    schema = f"test_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(base)
    try:
        # Once per database, in `public`, so no test's schema owns (and drops) it. Workers
        # racing to create it: one wins, the others find it made.
        with contextlib.suppress(asyncpg.UniqueViolationError, asyncpg.DuplicateObjectError):
            await conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
        await conn.execute(f"CREATE SCHEMA {schema}")
        separator = "&" if "?" in base else "?"
        # asyncpg passes a query parameter it does not know to the server as a setting.
        yield f"{base}{separator}search_path={quote(f'{schema},public')}"
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()


@contextlib.asynccontextmanager
async def migrated_schema() -> AsyncIterator[str]:
    """As `fresh_schema`, migrated as `briefbot migrate` leaves a new database.

    A new schema each time, never one a test used and another emptied: to PostgreSQL's
    planner a truncated table is not a new one (its size reads as never analyzed, the
    statistics an ANALYZE of its rows gathered stay), and search's plans depend on both."""
    async with fresh_schema() as url:
        await migrate_database(DatabaseLocation(url=url))
        yield url
