"""The synthetic archive bench.search searches: briefs whose words follow the frequencies
of real ones, written straight into SQLite or PostgreSQL (publishing each through storage
would take minutes), then indexed as the migrations index."""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import asyncpg

from brief.files import parse_file
from brief.model import Brief
from storage.db import to_db
from storage.search_index import INDEX_ROWS, POSTGRES_REFILL
from tests.conftest import DATA

Rows = dict[str, list[tuple[Any, ...]]]
_TABLES = ("briefs", "brief_versions", "sources", "facts", "narratives")


@cache
def vocabulary() -> tuple[list[str], list[float]]:
    """Every word of the example briefs, weighted 1/rank by how often it occurs."""
    counts: dict[str, int] = {}
    for path in sorted((DATA / "briefs").glob("*.txt")):
        for word in re.findall(r"[^\W\d_]{2,}", path.read_text("utf-8").lower()):
            counts[word] = counts.get(word, 0) + 1
    words = sorted(counts, key=lambda w: -counts[w])
    return words, [1 / rank for rank in range(1, len(words) + 1)]


def batches(count: int, rng: random.Random, size: int = 2000) -> Iterator[Rows]:
    """`count` briefs of three facts, two sources and two narratives, a minute apart, as
    rows of each table, `size` briefs at a time. Version id = brief id; every brief in
    English (brief_versions.language, its last column)."""
    words, weights = vocabulary()

    def text(n: int) -> str:
        return " ".join(rng.choices(words, weights, k=n))

    first = to_db(datetime(2026, 1, 1, tzinfo=UTC))
    for start in range(1, count + 1, size):
        rows: Rows = {table: [] for table in _TABLES}
        for brief_id in range(start, min(start + size, count + 1)):
            moment = first + brief_id * 60_000_000
            rows["briefs"].append((brief_id, moment, None, 1))
            rows["brief_versions"].append(
                (brief_id, brief_id, 1, text(6).capitalize(), text(40), moment, None, "en")
            )
            rows["sources"] += [(brief_id, n, n, text(2), None) for n in (1, 2)]
            rows["facts"] += [(brief_id, n, text(25)) for n in range(3)]
            rows["narratives"] += [(brief_id, n, text(2), text(1), text(60)) for n in range(2)]
        yield rows


def fill_sqlite(database: Path, count: int, rng: random.Random) -> None:
    """The archive in a migrated SQLite file, indexed."""
    with sqlite3.connect(database) as conn:
        for rows in batches(count, rng):
            for table, values in rows.items():
                marks = ", ".join("?" * len(values[0]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
        conn.execute(INDEX_ROWS)
    conn.close()


async def fill_postgres(url: str, count: int, rng: random.Random) -> None:
    """The archive in a migrated PostgreSQL schema, indexed and analysed."""
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():  # a brief and its version reference each other
            for rows in batches(count, rng):
                for table, values in rows.items():
                    await conn.copy_records_to_table(table, records=values)
            for statement in POSTGRES_REFILL:
                await conn.execute(statement)
            for table in ("briefs", "brief_versions"):  # the ids written, as copy-db does
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {max(count, 1)})"
                )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def example_briefs() -> list[Brief]:
    """The example briefs, as an admin would upload them."""
    return [
        parse_file(path.read_bytes(), as_json=False).brief
        for path in sorted((DATA / "briefs").glob("*.txt"))
    ]


async def postgres_sizes(url: str) -> tuple[int, int]:
    """Bytes of the search table, its TOAST table and indexes included, and of its GIN
    index (whatever a migration named it)."""
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            """SELECT pg_total_relation_size('brief_search'),
                      (SELECT sum(pg_relation_size(x.indexrelid)) FROM pg_index AS x
                         JOIN pg_class AS i ON i.oid = x.indexrelid
                         JOIN pg_am AS m ON m.oid = i.relam
                        WHERE x.indrelid = 'brief_search'::regclass AND m.amname = 'gin')"""
        )
    finally:
        await conn.close()
    return int(row[0]), int(row[1])
