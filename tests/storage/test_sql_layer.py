"""The shared SQL layer (storage/sql.py) on both engines: transactions, executemany, and
the placeholder rewriting run against the real databases."""

from collections.abc import AsyncIterator

import pytest

from storage.db import Database
from storage.errors import ConstraintError
from storage.opening import DatabaseLocation
from storage.postgres.db import PgDatabase, PortableSql, connect
from storage.sql import Sql, UnportableSqlError
from storage.sqlite import SqliteSql

_PUT = "INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, ?)"
_ALL = "SELECT key, value FROM bot_state WHERE substr(key, 1, 2) = 't:' ORDER BY key"


@pytest.fixture
async def sql(database: DatabaseLocation) -> AsyncIterator[Sql]:
    if database.url is None:
        db = await Database.open(database.path)
        try:
            yield SqliteSql(db)
        finally:
            await db.close()
        return
    pg = PgDatabase(await connect(database.url), 0)
    try:
        yield PortableSql(pg)
    finally:
        await pg.close()


async def stored(sql: Sql) -> list[tuple[str, str]]:
    return [(str(r[0]), str(r[1])) for r in await sql.fetch_all(_ALL)]


async def test_dialect_names_the_engine(sql: Sql, backend: str) -> None:
    assert sql.dialect == backend


async def test_executemany_writes_every_row(sql: Sql) -> None:
    await sql.executemany(_PUT, [(f"t:{i}", str(i), i) for i in range(3)])
    assert await stored(sql) == [("t:0", "0"), ("t:1", "1"), ("t:2", "2")]


async def test_executemany_is_all_or_nothing(sql: Sql) -> None:
    with pytest.raises(ConstraintError):
        await sql.executemany(_PUT, [("t:a", "1", 1), ("t:b", "2", 2), ("t:a", "3", 3)])
    assert await stored(sql) == []


async def test_transaction_commits_its_writes_and_reads_them(sql: Sql) -> None:
    async with sql.transaction() as tx:
        await tx.write(_PUT, ("t:a", "1", 1))
        changed = await tx.write("UPDATE bot_state SET value = ? WHERE key = ?", ("2", "t:a"))
        row = await tx.fetch_one("SELECT value FROM bot_state WHERE key = ?", ("t:a",))
        await tx.executemany(_PUT, [("t:b", "b", 1), ("t:c", "c", 1)])
        returned = await tx.write_returning(
            "DELETE FROM bot_state WHERE key = ? RETURNING value", ("t:c",)
        )
    assert (changed, row[0] if row else None, [r[0] for r in returned]) == (1, "2", ["c"])
    assert await stored(sql) == [("t:a", "2"), ("t:b", "b")]


async def write_then(sql: Sql, second: tuple[str, str, int] | None) -> None:
    """Write one row in a transaction, then the `second` (None: raise RuntimeError)."""
    async with sql.transaction() as tx:
        await tx.write(_PUT, ("t:a", "1", 1))
        if second is None:
            raise RuntimeError("undo")
        await tx.write(_PUT, second)


async def test_transaction_rolls_back_on_error(sql: Sql) -> None:
    with pytest.raises(RuntimeError):
        await write_then(sql, None)
    assert await stored(sql) == []


async def test_broken_constraint_in_a_transaction_undoes_it_all(sql: Sql) -> None:
    with pytest.raises(ConstraintError):
        await write_then(sql, ("t:a", "2", 2))
    assert await stored(sql) == []


async def test_question_mark_in_a_literal_is_text_on_both_engines(sql: Sql) -> None:
    row = await sql.fetch_one("SELECT 'why?' || CAST(? AS TEXT), 'a''?'", ("!",))
    assert row is not None
    assert (row[0], row[1]) == ("why?!", "a'?")


async def test_unportable_statement_is_refused_before_it_runs(sql: Sql) -> None:
    with pytest.raises(UnportableSqlError, match="numbered parameter"):
        await sql.write("INSERT INTO bot_state (key, value, updated_at) VALUES (?1, ?1, 0)", ("t",))
    assert await stored(sql) == []
