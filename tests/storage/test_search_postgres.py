# ruff: noqa: RUF001 - the Ukrainian apostrophe (U+02BC) is one of the words searched
"""PostgreSQL's search index across its migrations: briefs indexed by an earlier version
are found by this one, and read back by it."""

import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from storage.db import to_db
from storage.postgres import PgStorage
from storage.postgres.migrations import apply_postgres_migrations
from storage.search_index import postgres_index_rows
from tests.postgres import TEST_DATABASE_URL, fresh_schema, needs_postgres
from tests.storage.conftest import at, make_brief

pytestmark = needs_postgres

# Brief 1 as a briefbot at schema 12 stored it (its facts, sources and narratives as
# columns of their own, which the index reads too).
_BRIEF_AT_12 = (
    ("INSERT INTO briefs VALUES (1, $1, NULL, 1)", (to_db(at(0)),)),
    (
        "INSERT INTO brief_versions VALUES (1, 1, 1, 'Harbor vote', 'Shipbuilders strike', $1,"
        " NULL)",
        (to_db(at(0)),),
    ),
    ("INSERT INTO facts VALUES (1, 0, 'The ceasefire holds in Kyïv')", ()),
    ("INSERT INTO sources VALUES (1, 1, 1, 'Reuters', 'https://example.org/r')", ()),
    ("INSERT INTO narratives VALUES (1, 0, 'Label', 'Outlet', 'Mʼyaso prices')", ()),
)


async def test_briefs_indexed_at_schema_12_are_found_after_13() -> None:
    async with fresh_schema() as url:
        conn = await asyncpg.connect(url)
        try:
            await apply_postgres_migrations(conn, target=12)
            async with conn.transaction():
                for statement, args in _BRIEF_AT_12:
                    await conn.execute(statement, *args)
                await conn.execute(postgres_index_rows(words="briefbot_prefixed"))
            assert await apply_postgres_migrations(conn, target=13) == (12, 13)
            await apply_postgres_migrations(conn)  # and on, as `briefbot migrate` goes
        finally:
            await conn.close()
        async with await PgStorage.connect(url) as storage:
            for query in (
                "harbor",
                "h",
                "vote harb",
                "shipbuilders",
                "shipbuild",
                "ceasefire kyiv",
                "kyï",
                "reuters",
                "example org",
                "yaso prices",
                "mʼya",
            ):
                assert [h.id for h in await storage.search.search(query)] == [1], query
            assert await storage.search.search("shipbuilt") == []
            # Indexed again by 14 with their stems, in English as they were: other forms found.
            for query in ("voting", "shipbuilder strikes", "ceasefires"):
                assert [h.id for h in await storage.search.search(query)] == [1], query
            # Stored before briefs had a language (14): English, as every brief then was.
            stored = await storage.briefs.get(1)
            assert stored is not None
            assert (stored.brief.title, stored.brief.language) == ("Harbor vote", "en")


@contextlib.asynccontextmanager
async def _c_locale_database() -> AsyncIterator[str]:
    """A database made with the C locale (initdb --locale=C), beside the test database."""
    assert TEST_DATABASE_URL is not None
    name = f"test_c_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        await conn.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
        )
        yield f"{TEST_DATABASE_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.close()


@pytest.mark.parametrize("locale", ["the test database's", "C"])
async def test_cyrillic_briefs_indexed_at_13_are_found_after_14_whatever_the_locale(
    locale: str,
) -> None:
    """On a database made with the C locale, 13 indexed no Cyrillic word (its collation
    knows ASCII letters only); 14 folds with one that knows every script and indexes again."""
    async with contextlib.AsyncExitStack() as stack:
        database = None if locale != "C" else await stack.enter_async_context(_c_locale_database())
        url = await stack.enter_async_context(fresh_schema(database))
        conn = await asyncpg.connect(url)
        try:
            await apply_postgres_migrations(conn, target=13)
            async with conn.transaction():
                for statement, args in _BRIEF_AT_12[:2]:
                    await conn.execute(statement, *args)
                await conn.execute("INSERT INTO facts VALUES (1, 0, 'Перемовини в Києві, ёлка')")
                await conn.execute(postgres_index_rows())
                for table in ("briefs", "brief_versions"):  # as copy-db leaves them
                    await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1)")
            await apply_postgres_migrations(conn)
        finally:
            await conn.close()
        async with await PgStorage.connect(url) as storage:
            for query in ("harbor", "перемовини", "КИЄВІ", "ки", "елка"):
                assert [h.id for h in await storage.search.search(query)] == [1], query
            new = await storage.briefs.publish(make_brief("Дніпро"), by=None, at=at(1))
            assert [h.id for h in await storage.search.search("дніпро")] == [new.id]
