"""Search over many briefs: the time of `/search`'s and inline mode's query, on SQLite and
PostgreSQL, repeated so that one slow run shows.

    python -m bench.search [--quick] [--briefs 100000] [--queries 500] [--runs 3]
                           [--database-url postgresql://...]

Builds an archive of synthetic briefs whose words follow the frequencies of real ones
(the 750 words of the example briefs, drawn Zipf-like, so common words are in nearly
every brief and rare ones in a few; bench/search_data.py), then times
`storage.search.search` for each case below, `--runs` times over the same queries, and
prints each run's median and 99th percentile, their range over the runs, and each case's
median against the three-letter case's (what a shorter last word costs beside a longer
one). The baseline beside them, timed in the same runs, is opening one brief by id
(`briefs.get`, what a button press reads). Also the index's size once filled, and what
publishing a brief costs with the index kept in step (100 example briefs, after the
searches). PostgreSQL (`--database-url`, default TEST_DATABASE_URL) runs the same in a
schema of its own, dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.search_data import (
    example_briefs,
    fill_postgres,
    fill_sqlite,
    postgres_sizes,
    vocabulary,
)
from bot.core.finding import SEARCH_RESULTS
from bot.telegram.inline.answers import PAGE
from storage import Storage
from storage.opening import DatabaseLocation, migrate_database, open_storage
from tests.postgres import fresh_schema

TARGET_P99_MS = 20.0


@dataclass(frozen=True)
class Case:
    name: str
    limit: int  # what the bot asks for: a /search reply, or an inline page and one more
    queries: list[str]


def cases(count: int, rng: random.Random) -> list[Case]:
    """Readers look for topics, not for "the": each word of the vocabulary is as likely as
    another, so the commonest words (in nearly every brief) are asked for now and then."""
    words, _ = vocabulary()

    def typed(last: int | None, others: tuple[int, int]) -> list[str]:
        made = []
        for _ in range(count):
            chosen = rng.choices(words, k=rng.randint(*others) + 1)
            cut = last or rng.randint(min(3, len(chosen[-1])), len(chosen[-1]))
            made.append(" ".join([*chosen[:-1], chosen[-1][:cut]]))
        return made

    inline = PAGE + 1
    return [
        Case("/search, 1-3 words, the last cut", SEARCH_RESULTS, typed(None, (0, 2))),
        Case("/search, last word 3 letters", SEARCH_RESULTS, typed(3, (1, 2))),
        Case("/search, last word 2 letters", SEARCH_RESULTS, typed(2, (1, 2))),
        Case("/search, last word 1 letter", SEARCH_RESULTS, typed(1, (1, 2))),
        Case("/search, one letter alone", SEARCH_RESULTS, typed(1, (0, 0))),
        Case("inline, first keystroke", inline, typed(1, (0, 0))),
        Case("inline, a word and a letter", inline, typed(1, (1, 1))),
    ]


async def timed(call: Callable[[str], Awaitable[object]], texts: list[str]) -> list[float]:
    """Milliseconds of each call, in order."""
    times = []
    for text in texts:
        started = time.perf_counter()
        await call(text)
        times.append((time.perf_counter() - started) * 1000)
    return times


def p99(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[98]


async def measure(storage: Storage, made: list[Case], runs: int, briefs: int) -> None:
    """Each case `runs` times, the by-id baseline in each run; a line per run and case."""
    rng = random.Random(11)
    ids = [str(rng.randint(1, briefs)) for _ in made[0].queries]
    medians: dict[str, list[float]] = {}
    worst: dict[str, list[float]] = {}
    for run in range(1, runs + 1):
        baseline = await timed(lambda i: storage.briefs.get(int(i)), ids)
        print(
            f"  run {run}: opening a brief by id (baseline): median "
            f"{statistics.median(baseline):.2f} ms, 99th percentile {p99(baseline):.2f} ms"
        )
        for case in made:
            found = 0

            async def one(text: str, limit: int = case.limit) -> None:
                nonlocal found
                found += bool(await storage.search.search(text, limit=limit))

            times = await timed(one, case.queries)
            medians.setdefault(case.name, []).append(statistics.median(times))
            worst.setdefault(case.name, []).append(p99(times))
            print(
                f"  run {run}: {case.name:34} median {medians[case.name][-1]:6.2f} ms, "
                f"99th percentile {worst[case.name][-1]:6.2f} ms, "
                f"{found / len(case.queries):4.0%} found something"
            )
    report(medians, worst)


def report(medians: dict[str, list[float]], worst: dict[str, list[float]]) -> None:
    three = statistics.median(medians["/search, last word 3 letters"])
    print(f"  over the runs (target: 99th percentile <= {TARGET_P99_MS:g} ms in every run):")
    for name, p99s in worst.items():
        mid = statistics.median(medians[name])
        verdict = "ok" if max(p99s) <= TARGET_P99_MS else "OVER"
        print(
            f"    {name:34} 99th percentile {min(p99s):6.2f}-{max(p99s):6.2f} ms {verdict:4} "
            f"median {mid:6.2f} ms, {mid / three:5.2f}x the 3-letter case"
        )


async def publishing(storage: Storage, count: int = 100) -> None:
    """What a publication costs with the index kept in step (storage/search.py writes the
    brief's row in its transaction): the example briefs published one after another, after
    the searches."""
    briefs = example_briefs()
    at = datetime(2030, 1, 1, tzinfo=UTC)
    times = await timed(
        lambda n: storage.briefs.publish(briefs[int(n) % len(briefs)], by=None, at=at),
        [str(n) for n in range(count)],
    )
    print(
        f"  publishing a brief, its search row with it: median {statistics.median(times):.2f} "
        f"ms, 99th percentile {p99(times):.2f} ms"
    )


async def on_sqlite(args: argparse.Namespace, made: list[Case]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "search.db"
        await (await Storage.open(database)).close()
        started = time.perf_counter()
        fill_sqlite(database, args.briefs, random.Random(7))
        print(
            f"SQLite: {args.briefs:,} briefs written and indexed in "
            f"{time.perf_counter() - started:.0f} s; the database file "
            f"{database.stat().st_size / 1e6:.0f} MB"
        )
        async with await Storage.open(database) as storage:
            await measure(storage, made, args.runs, args.briefs)
            await publishing(storage)


async def on_postgres(args: argparse.Namespace, made: list[Case]) -> None:
    async with fresh_schema(args.database_url) as url:
        location = DatabaseLocation(url=url)
        await migrate_database(location)
        started = time.perf_counter()
        await fill_postgres(url, args.briefs, random.Random(7))
        table, index = await postgres_sizes(url)
        print(
            f"PostgreSQL: {args.briefs:,} briefs written and indexed in "
            f"{time.perf_counter() - started:.0f} s; the search table {table / 1e6:.0f} MB, "
            f"its GIN index {index / 1e6:.0f} MB of it"
        )
        storage = await open_storage(location)
        try:
            await measure(storage, made, args.runs, args.briefs)
            await publishing(storage)
        finally:
            await storage.close()


async def main(args: argparse.Namespace) -> None:
    if args.quick:
        args.briefs, args.queries, args.runs = 10_000, 200, 2
    made = cases(args.queries, random.Random(3))
    if args.engine in ("both", "sqlite"):
        await on_sqlite(args, made)
    if args.engine == "sqlite":
        return
    if args.database_url is None:
        print("PostgreSQL: skipped (give --database-url postgresql://...)")
        return
    await on_postgres(args, made)


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--briefs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500, help="per case and run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="10,000 briefs, 200 queries, 2 runs")
    parser.add_argument("--engine", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="the PostgreSQL database to also run on, in a schema of its own "
        "(default: TEST_DATABASE_URL)",
    )
    return parser


if __name__ == "__main__":
    asyncio.run(main(arguments().parse_args()))
