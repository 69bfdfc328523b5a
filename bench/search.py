"""Search over many briefs: the time of `/search`'s query, in one run.

    python -m bench.search [--briefs 100000] [--queries 2000]

Builds a database of synthetic briefs whose words follow the frequencies of real ones
(the 750 words of the example briefs, drawn Zipf-like, so common words are in nearly
every brief and rare ones in a few), then times `storage.search.search` for queries of
one to three words of that vocabulary, the last one cut short as a reader still typing
would send it. Prints the
median and 99th percentile, and the same for a lookup of one brief by id (`briefs.get`,
what opening a brief costs) as the baseline measured beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from storage import Storage
from storage.db import to_db
from storage.migrations import INDEX_ROWS
from tests.conftest import DATA

TARGET_P99_MS = 20.0


def vocabulary() -> tuple[list[str], list[float]]:
    """Every word of the example briefs, weighted 1/rank by how often it occurs."""
    counts: dict[str, int] = {}
    for path in sorted((DATA / "briefs").glob("*.txt")):
        for word in re.findall(r"[^\W\d_]{2,}", path.read_text("utf-8").lower()):
            counts[word] = counts.get(word, 0) + 1
    words = sorted(counts, key=lambda w: -counts[w])
    return words, [1 / rank for rank in range(1, len(words) + 1)]


def fill(database: Path, count: int, rng: random.Random) -> None:
    """`count` briefs of three facts, two sources and two narratives, a minute apart,
    written directly (publishing each through storage would take minutes)."""
    words, weights = vocabulary()

    def text(n: int) -> str:
        return " ".join(rng.choices(words, weights, k=n))

    first = to_db(datetime(2026, 1, 1, tzinfo=UTC))
    with sqlite3.connect(database) as conn:
        for brief_id in range(1, count + 1):
            moment = first + brief_id * 60_000_000
            conn.execute("INSERT INTO briefs VALUES (?, ?, NULL, 1)", (brief_id, moment))
            conn.execute(
                "INSERT INTO brief_versions VALUES (?, ?, 1, ?, ?, ?, NULL)",
                (brief_id, brief_id, text(6).capitalize(), text(40), moment),
            )
            conn.executemany(
                "INSERT INTO sources VALUES (?, ?, ?, ?, NULL)",
                [(brief_id, number, number, text(2)) for number in (1, 2)],
            )
            conn.executemany(
                "INSERT INTO facts VALUES (?, ?, ?)",
                [(brief_id, position, text(25)) for position in range(3)],
            )
            conn.executemany(
                "INSERT INTO narratives VALUES (?, ?, ?, ?, ?)",
                [(brief_id, position, text(2), text(1), text(60)) for position in range(2)],
            )
        conn.execute(INDEX_ROWS)
    conn.close()


def queries(count: int, rng: random.Random) -> list[str]:
    """One to three words as readers type them, the last one often cut short. Readers look
    for topics, not for "the": each word of the vocabulary is as likely as another, so the
    commonest words (in nearly every synthetic brief) are asked for now and then."""
    words, _ = vocabulary()
    made = []
    for _ in range(count):
        chosen = rng.choices(words, k=rng.randint(1, 3))
        last = chosen[-1]
        chosen[-1] = last[: rng.randint(min(3, len(last)), len(last))]
        made.append(" ".join(chosen))
    return made


async def timed(call: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    """Milliseconds of each of `runs` calls, in order."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> str:
    p99 = statistics.quantiles(times, n=100)[98]
    return f"median {statistics.median(times):6.2f} ms, 99th percentile {p99:6.2f} ms"


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "search.db"
        await (await Storage.open(database)).close()
        started = time.perf_counter()
        fill(database, args.briefs, rng)
        print(
            f"{args.briefs:,} briefs written and indexed in {time.perf_counter() - started:.0f} s"
        )
        asked = queries(args.queries, rng)
        async with await Storage.open(database) as storage:
            ids = iter([rng.randint(1, args.briefs) for _ in range(args.queries)] * 2)
            lookups = await timed(lambda: storage.briefs.get(next(ids)), args.queries)
            texts = iter(asked)
            found = []

            async def search() -> None:
                found.append(len(await storage.search.search(next(texts))))

            searches = await timed(search, args.queries)
    print(f"opening a brief by id (baseline): {summary(lookups)}")
    print(f"/search, {args.queries:,} queries:    {summary(searches)}")
    p99 = statistics.quantiles(searches, n=100)[98]
    print(
        f"  99th percentile {p99:.2f} ms (target <= {TARGET_P99_MS:g} ms); "
        f"{sum(1 for n in found if n) / len(found):.0%} of queries found something"
    )


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--briefs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    return parser


if __name__ == "__main__":
    asyncio.run(main(arguments().parse_args()))
