"""The daily push, measured against the local Bot API server (its own process), in one run.

    python -m bench.push            # everything below, with the sizes the README quotes
    python -m bench.push --quick    # smaller sizes, a minute or so

Figures printed:
  rate      achieved push rate / configured limit: 30/s over 1,000 subscribers and
            1000/s (paid broadcast) over 10,000, the server enforcing that limit
  naive     the same 30/s push with 5% of sends answered 429 (retry after 1 s): the engine
            beside `for chat in subscribers: await bot.send_message(...)` through PTB's
            AIORateLimiter (max_retries=3): time taken, chats reached, lost, doubled
  due       with 1,000,000 subscribers in the database: the due-subscriber query (ms), on
            SQLite, and on PostgreSQL with --database-url (or TEST_DATABASE_URL) set
  cpu       the bot process's CPU time per message sent (no rate limit)
  memory    peak memory of a push to 10,000 and to 100,000 subscribers, no rate limit

Every push runs in a fresh process (`python -m bench.push one ...`), so CPU time and
peak memory are the push's alone; the server runs in another (bench.push_server).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.push.daily import BATCH as DAILY_BATCH
from bot.push.engine import PushEngine, default_concurrency
from bot.push.sender import Sender
from bot.reading import render_part
from bot.rendering import Renderer
from bot.replicas import HEARTBEAT, Replica
from brief import parse_text
from storage import Storage
from storage.db import to_db
from storage.postgres import PgStorage, migrate
from tests.conftest import DATA
from tests.postgres import fresh_schema

TOKEN = "123456:TEST-token"
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


# -- one push, in this process ----------------------------------------------------------------


async def one_push(
    subscribers: int, rate: float | None, paid: bool, fail_429: float, naive: bool
) -> dict[str, Any]:
    server, url = await start_server(subscribers, rate, fail_429)
    try:
        with tempfile.TemporaryDirectory() as directory:
            database = Path(directory) / "bench.db"
            await (await Storage.open(database)).close()
            fill(database, subscribers, due=FAR_FUTURE)
            async with await Storage.open(database) as storage:
                return await measure_push(storage, url, subscribers, rate, paid, naive)
    finally:
        await stop_server(server)


async def measure_push(
    storage: Storage, url: str, subscribers: int, rate: float | None, paid: bool, naive: bool
) -> dict[str, Any]:
    brief = parse_text((DATA / "briefs" / "harbor-bridge-vote.txt").read_text("utf-8")).brief
    stored = await storage.briefs.publish(brief, by=None, at=datetime.now(UTC))
    renderer = Renderer()
    concurrency = default_concurrency(rate)
    lost = 0
    if naive:
        bot = ExtBot(
            TOKEN,
            base_url=f"{url}/bot",
            request=HTTPXRequest(connection_pool_size=8),
            rate_limiter=AIORateLimiter(overall_max_rate=rate or 0, max_retries=3),
        )
        await bot.initialize()
    base_rss = current_rss_mb()
    cpu = time.process_time()
    started = time.perf_counter()
    if naive:
        try:
            lost = await naive_loop(bot, storage, renderer, stored.id)
        finally:
            await bot.shutdown()
    else:
        sender = Sender(f"{url}/bot", TOKEN, paid=paid, connections=concurrency)
        # Under a replica's lease, as the bot runs it: each send confirmed in the database.
        replica = Replica(storage)
        await replica.join()
        beats = asyncio.create_task(heartbeats(replica))
        engine = PushEngine(
            sender, storage, renderer, rate=rate, concurrency=concurrency, lease=replica
        )
        try:
            await engine.push(stored, by=None)
        finally:
            beats.cancel()
            await engine.close()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    async with aiohttp.ClientSession() as client, client.get(f"{url}/stats") as answer:
        stats = await answer.json()
    return {
        "subscribers": subscribers,
        "rate": rate,
        "elapsed": elapsed,
        "cpu": cpu,
        "lost": lost,
        "base_rss_mb": base_rss,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **stats,
    }


async def heartbeats(replica: Replica) -> None:
    """The lease renewed as the bot's heartbeat job renews it."""
    while True:
        await asyncio.sleep(HEARTBEAT.total_seconds())
        await replica.beat()


async def naive_loop(bot: Bot, storage: Storage, renderer: Renderer, brief_id: int) -> int:
    """What many bots do: one send after another, PTB's rate limiter in front."""
    stored = await storage.briefs.get(brief_id)
    assert stored is not None
    reply = render_part(renderer, stored, "summary")
    lost = 0
    after: int | None = None
    while batch := await storage.subscribers.active_chats(after_chat_id=after, limit=500):
        for chat_id in batch:
            try:
                await bot.send_message(
                    chat_id,
                    reply.texts[0],
                    parse_mode="HTML",
                    reply_markup=reply.keyboard,
                )
            except TelegramError:
                lost += 1
        after = batch[-1]
    return lost


def fill(database: Path, count: int, *, due: datetime) -> None:
    """Subscribers 1..count in one statement (storage's own writes would take minutes here)."""
    with sqlite3.connect(database) as conn:
        conn.execute(
            """WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
               INSERT INTO subscribers (chat_id, delivery_time, timezone, active, blocked,
                                        subscribed_at, next_due_at, last_delivered_at, updated_at)
               SELECT i, '08:00', 'UTC', 1, 0, ?, ? + (i % 1440) * 60000000, NULL, ? FROM n""",
            (count, to_db(datetime.now(UTC)), to_db(due), to_db(datetime.now(UTC))),
        )
    conn.close()


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES / 2**20


async def start_server(
    users: int, rate: float | None, fail_429: float
) -> tuple[asyncio.subprocess.Process, str]:
    arguments = ["-m", "bench.push_server", "--users", str(users), "--fail-429", str(fail_429)]
    if rate:
        arguments += ["--rate", str(rate)]
    process = await asyncio.create_subprocess_exec(
        sys.executable, *arguments, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    line = (await process.stdout.readline()).decode()
    if not line.startswith("URL "):
        raise RuntimeError(f"the bench server did not start: {line!r}")
    return process, line.split()[1]


async def stop_server(process: asyncio.subprocess.Process) -> None:
    assert process.stdin is not None
    process.stdin.close()
    await asyncio.wait_for(process.wait(), timeout=60)


# -- the parent: each push in a fresh process ---------------------------------------------------


async def run_child(
    subscribers: int,
    rate: float | None,
    *,
    paid: bool = False,
    fail_429: float = 0.0,
    naive: bool = False,
) -> dict[str, Any]:
    arguments = ["one", "--subscribers", str(subscribers), "--rate", str(rate or 0)]
    arguments += ["--fail-429", str(fail_429)]
    arguments += ["--paid"] if paid else []
    arguments += ["--naive"] if naive else []
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.push", *arguments, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"bench child failed: {arguments}")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


async def bench_rate(quick: bool) -> None:
    print("rate: achieved push rate / configured limit (server enforcing the limit)")
    for limit, subscribers, paid in ((30, 1000, False), (1000, 10000, True)):
        if quick:
            subscribers //= 5
        result = await run_child(subscribers, limit, paid=paid)
        achieved = result["messages"] / result["elapsed"]
        print(
            f"  {limit:>5}/s over {subscribers:>6,}: {achieved:8.1f} msg/s = "
            f"{achieved / limit:.3f} of the limit; {result['chats']:,} chats reached, "
            f"{result['doubled']} doubled, {result['limit_refusals']} refused by the server; "
            f"CPU {result['cpu'] / max(result['messages'], 1) * 1000:.3f} ms/msg"
        )


async def bench_naive(quick: bool) -> None:
    subscribers = 200 if quick else 1000
    print(f"naive: 30/s over {subscribers:,}, 5% of sends answered 429 (retry after 1 s)")
    for naive in (False, True):
        result = await run_child(subscribers, 30, fail_429=0.05, naive=naive)
        name = "naive loop" if naive else "engine    "
        print(
            f"  {name}: {result['elapsed']:6.1f} s, "
            f"{result['messages'] / result['elapsed']:5.1f} msg/s, "
            f"{result['chats']:,} of {subscribers:,} reached, "
            f"lost {subscribers - result['chats']}, doubled {result['doubled']}, "
            f"429 answers {result['answered_429']}"
        )


async def bench_due(quick: bool, database_url: str | None = None) -> None:
    """The due query on SQLite, and on PostgreSQL too when given a database to use."""
    count = 100_000 if quick else 1_000_000
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as directory:
        database = Path(directory) / "due.db"
        await (await Storage.open(database)).close()
        # Due times spread over the next day: a minute's worth (1/1440) is due at a time.
        fill(database, count, due=now - timedelta(minutes=1))
        async with await Storage.open(database) as storage:
            print_due("SQLite", count, *await time_due(storage, now))
    if database_url is None:
        print("due on PostgreSQL: skipped (give --database-url postgresql://...)")
        return
    await bench_due_postgres(database_url, count)


async def bench_due_postgres(database_url: str, count: int) -> None:
    """The due query on PostgreSQL, over `count` subscribers in a fresh schema."""
    now = datetime.now(UTC)
    async with fresh_schema(database_url) as url:
        await migrate(url)
        await fill_postgres(url, count, due=now - timedelta(minutes=1))
        storage = await PgStorage.connect(url)
        try:
            print_due("PostgreSQL", count, *await time_due(storage, now))
        finally:
            await storage.close()


async def time_due(storage: Storage, now: datetime) -> tuple[list[float], int, list[float]]:
    """Seconds of 30 due queries for a batch of 500, how many the batch held, and seconds
    of 10 claims of a daily run's batch (claim_due: the due query that also holds them)."""
    timings = []
    due = []
    for _ in range(30):
        started = time.perf_counter()
        due = await storage.subscribers.due(now, limit=500)
        timings.append(time.perf_counter() - started)
    assert due, "some subscribers are due"
    claims = []
    for _ in range(10):
        started = time.perf_counter()
        held = await storage.subscribers.claim_due(
            now, limit=DAILY_BATCH, hold_until=now + timedelta(minutes=1)
        )
        claims.append(time.perf_counter() - started)
        assert len(held) == DAILY_BATCH, "enough are due for every claim"
    return timings, len(due), claims


def print_due(
    engine: str, count: int, timings: list[float], batch: int, claims: list[float]
) -> None:
    print(
        f"due on {engine}: {count:,} subscribers, a batch of {batch} due: median "
        f"{statistics.median(timings) * 1000:.2f} ms, worst {max(timings) * 1000:.2f} ms "
        "(target <= 20 ms)"
    )
    print(
        f"  claiming {DAILY_BATCH} of them (claim_due): median "
        f"{statistics.median(claims) * 1000:.2f} ms, worst {max(claims) * 1000:.2f} ms"
    )


async def fill_postgres(url: str, count: int, *, due: datetime) -> None:
    """As fill(), on PostgreSQL, then ANALYZE so the planner knows the table."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            """INSERT INTO subscribers (chat_id, delivery_time, timezone, active, blocked,
                                        subscribed_at, next_due_at, last_delivered_at, updated_at)
               SELECT i, '08:00', 'UTC', 1, 0, $1::bigint,
                      $2::bigint + (i % 1440) * 60000000::bigint, NULL, $1::bigint
                 FROM generate_series(1, $3) AS i""",
            to_db(datetime.now(UTC)),
            to_db(due),
            count,
        )
        await conn.execute("ANALYZE subscribers")
    finally:
        await conn.close()


async def bench_memory(quick: bool) -> None:
    sizes = (2_000, 20_000) if quick else (10_000, 100_000)
    print("memory and cpu: push with no rate limit")
    peaks = []
    for subscribers in sizes:
        result = await run_child(subscribers, None)
        peaks.append(result["peak_rss_mb"])
        print(
            f"  {subscribers:>7,} subscribers: peak RSS {result['peak_rss_mb']:.1f} MB "
            f"(before the push {result['base_rss_mb']:.1f} MB), "
            f"{result['messages'] / result['elapsed']:.0f} msg/s, "
            f"CPU {cpu_per_message(result):.3f} ms/msg, "
            f"{result['chats']:,} reached, {result['doubled']} doubled"
        )
    print(f"  peak difference: {abs(peaks[1] - peaks[0]):.1f} MB")
    await bench_cpu(sizes[0])


async def bench_cpu(subscribers: int) -> None:
    """The push's CPU per message beside PTB's own send path, alternating to share drift."""
    engine, naive = [], []
    for _ in range(3):
        engine.append(cpu_per_message(await run_child(subscribers, None)))
        naive.append(cpu_per_message(await run_child(subscribers, None, naive=True)))
    push, loop = statistics.median(engine), statistics.median(naive)
    print(f"cpu: {subscribers:,} messages, no rate limit, medians of 3 alternating runs")
    print(f"  push engine: {push:.3f} ms/msg; PTB's Bot.send_message loop: {loop:.3f} ms/msg")
    print(f"  push / PTB loop: {push / loop:.2f} (target <= 0.5)")


def cpu_per_message(result: dict[str, Any]) -> float:
    return float(result["cpu"]) / max(int(result["messages"]), 1) * 1000


async def main(args: argparse.Namespace) -> None:
    if args.section == "one":
        result = await one_push(
            args.subscribers, args.rate or None, args.paid, args.fail_429, args.naive
        )
        print(json.dumps(result))
        return
    sections: dict[str, Callable[[bool], Awaitable[None]]] = {
        "rate": bench_rate,
        "naive": bench_naive,
        "due": functools.partial(bench_due, database_url=args.database_url),
        "memory": bench_memory,
    }
    chosen = sections if args.section == "all" else {args.section: sections[args.section]}
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    for run in chosen.values():
        await run(args.quick)


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "section",
        nargs="?",
        default="all",
        choices=("all", "rate", "naive", "due", "memory", "one"),
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--paid", action="store_true")
    parser.add_argument("--fail-429", type=float, default=0.0)
    parser.add_argument("--naive", action="store_true")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="a PostgreSQL database for `due` to also run on, in a schema of its own "
        "(default: TEST_DATABASE_URL)",
    )
    return parser


if __name__ == "__main__":
    asyncio.run(main(arguments().parse_args()))
