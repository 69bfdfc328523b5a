"""The daily push, measured against the local Bot API server (its own process), in one run.

    python -m bench.push            # everything below, with the sizes bench/README.md quotes
    python -m bench.push --quick    # smaller sizes, a minute or so

Figures printed:
  rate      achieved push rate / configured limit: 30/s over 1,000 subscribers and
            1000/s (paid broadcast) over 10,000, the server enforcing that limit; beside
            it, the machine's baseline (the sends a second the server takes from a bare
            client, no limit) and where the CPU went during each push (the bot, the server,
            other programs), which says what bound the rate, and how far the bot's own CPU
            per message leaves it from the limit
  naive     the same 30/s push with 5% of sends answered 429 (retry after 1 s): the engine
            beside `for chat in subscribers: await bot.send_message(...)` through PTB's
            AIORateLimiter (max_retries=3): time taken, chats reached, lost, doubled
  due       with 1,000,000 subscribers in the database: the due-subscriber query (ms), on
            SQLite, and on PostgreSQL with --database-url (or TEST_DATABASE_URL) set
  cpu       the bot process's CPU time per message sent (no rate limit)
  memory    peak memory of a push to 10,000 and to 100,000 subscribers, no rate limit

Every push runs in a fresh process (`python -m bench.push one ...`), so CPU time and
peak memory are the push's alone; the server runs in another (bench.push_server). Before
each, the benchmark waits (up to a minute) for the machine to be idle.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import math
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

from bench.machine import machine_busy_seconds, quiet_machine
from bot.core.push.daily import DAILY_BATCH
from bot.core.push.engine import PushEngine, default_concurrency
from bot.core.reading import render_part
from bot.core.rendering import Renderer
from bot.core.replicas.replica import HEARTBEAT, Replica
from bot.telegram.keyboards import Keyboards
from bot.telegram.push_sender import Sender
from brief import parse_text
from storage import Storage
from storage.db import to_db
from storage.postgres import PgStorage, migrate_schema
from tests.conftest import DATA
from tests.postgres import fresh_schema

TOKEN = "123456:TEST-token"
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
CLAIMS = 10  # claim_due calls timed in `due`
MINUTES_A_DAY = 1440  # fill() spreads due times a minute apart over a day
TARGET = 0.97  # of the limit, from a push's first send to its last
BUSY = 0.9  # of a core: an event loop this busy is what bounds its process


# -- one push, in this process ----------------------------------------------------------------


async def one_push(
    subscribers: int, rate: float | None, paid: bool, fail_429: float, naive: bool, bare: bool
) -> dict[str, Any]:
    server, url = await start_server(subscribers, rate, fail_429)
    try:
        if bare:
            return await bare_sends(url, subscribers, default_concurrency(None))
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
    server_before = await server_stats(url)
    base_rss = current_rss_mb()
    cpu, machine = time.process_time(), machine_busy_seconds()
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
    cpu, machine = time.process_time() - cpu, machine_busy_seconds() - machine
    stats = await server_stats(url)
    stats["server_cpu"] -= server_before["server_cpu"]
    return {
        "subscribers": subscribers,
        "machine_cpu": machine,
        "rate": rate,
        "elapsed": elapsed,
        "cpu": cpu,
        "lost": lost,
        "base_rss_mb": base_rss,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **stats,
    }


async def server_stats(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as client, client.get(f"{url}/stats") as answer:
        stats: dict[str, Any] = await answer.json()
        return stats


async def bare_sends(url: str, messages: int, connections: int) -> dict[str, Any]:
    """The machine's baseline: the same server taking `messages` sends, no limit, from the
    barest client (aiohttp, `connections` at once, one fixed text, answers not parsed)."""
    chats = iter(range(1, messages + 1))
    server_before = await server_stats(url)
    cpu, started = time.process_time(), time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as client:

        async def worker() -> None:
            for chat_id in chats:
                body = {"chat_id": chat_id, "text": "A brief."}
                async with client.post(f"{url}/bot{TOKEN}/sendMessage", json=body) as answer:
                    await answer.read()

        await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    stats = await server_stats(url)
    stats["server_cpu"] -= server_before["server_cpu"]
    return {"elapsed": elapsed, "cpu": cpu, "lost": 0, **stats}


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
    markup = Keyboards(lambda: bot.username).markup(reply.keyboard)
    lost = 0
    after: int | None = None
    while batch := await storage.subscribers.active_chats(after_chat_id=after, limit=500):
        for chat_id in batch:
            try:
                await bot.send_message(
                    chat_id,
                    reply.texts[0],
                    parse_mode="HTML",
                    reply_markup=markup,
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
    bare: bool = False,
) -> dict[str, Any]:
    arguments = ["one", "--subscribers", str(subscribers), "--rate", str(rate or 0)]
    arguments += ["--fail-429", str(fail_429)]
    arguments += ["--paid"] if paid else []
    arguments += ["--naive"] if naive else []
    arguments += ["--bare"] if bare else []
    await quiet_machine()
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
    capacity = await bench_capacity(quick)
    for limit, subscribers, paid in ((30, 1000, False), (1000, 10000, True)):
        if quick:
            subscribers //= 5
        result = await run_child(subscribers, limit, paid=paid)
        achieved = result["messages"] / result["elapsed"]
        paced = (result["messages"] - 1) / result["span"]
        print(
            f"  {limit:>5}/s over {subscribers:>6,}: {achieved:8.1f} msg/s = "
            f"{achieved / limit:.3f} of the limit from the push's start "
            f"({paced / limit:.3f} from its first send to its last); "
            f"{result['chats']:,} chats reached, {result['doubled']} doubled, "
            f"{result['limit_refusals']} refused by the server"
        )
        print_bound(result, limit, capacity)


async def bench_capacity(quick: bool) -> float:
    """The machine's own baseline: what the local server takes from the barest client."""
    messages = 2000 if quick else 10000
    result = await run_child(messages, None, bare=True)
    capacity = float(result["messages"]) / float(result["elapsed"])
    print(
        f"  baseline: the local server takes {capacity:,.0f} sends/s from a bare aiohttp "
        f"client, no limit ({cpu_per_message(result, 'server_cpu'):.3f} ms of the server's "
        f"CPU per send, {cpu_per_message(result):.3f} ms of the client's)"
    )
    return capacity


def print_bound(result: dict[str, Any], limit: float, capacity: float) -> None:
    """Which process held the rate back: each one's share of a core during the push (the
    bot and the server are one event loop each, so a share near 1.0 is that process's
    bound; the machine's cores all busy is the machine's), and how far the bot's own CPU
    per message leaves it from the limit."""
    elapsed = result["elapsed"]
    bot, server = result["cpu"] / elapsed, result["server_cpu"] / elapsed
    others = max(result["machine_cpu"] / elapsed - bot - server, 0.0)
    bot_ms = cpu_per_message(result)
    ceiling = 1000 / bot_ms if bot_ms else float("inf")
    print(
        f"    CPU busy, in cores: bot {bot:.2f}, server {server:.2f}, others {others:.2f} "
        f"of {os.cpu_count()}; bound: {bound(result, limit, (bot, server, others))}. The bot's "
        f"{bot_ms:.3f} ms/msg would allow {ceiling:,.0f} msg/s ({ceiling / limit:.1f}x the "
        f"limit); the server alone takes {capacity / limit:.1f}x"
    )


def bound(result: dict[str, Any], limit: float, busy: tuple[float, float, float]) -> str:
    bot, server, _ = busy
    if (result["messages"] - 1) / result["span"] >= TARGET * limit:
        return "the limit (the pacer keeps 2% under it)"
    if sum(busy) >= (os.cpu_count() or 1) * BUSY:
        return "the machine's cores (all busy)"
    if max(bot, server) >= BUSY:
        return "the bot" if bot >= server else "the local server"
    return "neither process (CPU to spare: the pacer's 2% margin and the push's start)"


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
            print_due("SQLite", count, *await time_due(storage, now, count))
    if database_url is None:
        print("due on PostgreSQL: skipped (give --database-url postgresql://...)")
        return
    await bench_due_postgres(database_url, count)


async def bench_due_postgres(database_url: str, count: int) -> None:
    """The due query on PostgreSQL, over `count` subscribers in a fresh schema."""
    now = datetime.now(UTC)
    async with fresh_schema(database_url) as url:
        await migrate_schema(url)
        await fill_postgres(url, count, due=now - timedelta(minutes=1))
        storage = await PgStorage.connect(url)
        try:
            print_due("PostgreSQL", count, *await time_due(storage, now, count))
        finally:
            await storage.close()


async def time_due(
    storage: Storage, now: datetime, count: int
) -> tuple[list[float], int, list[float]]:
    """Seconds of 30 due queries for a batch of 500, how many the batch held, and seconds
    of 10 claims of a daily run's batch (claim_due: the due query that also holds them)."""
    timings = []
    due = []
    for _ in range(30):
        started = time.perf_counter()
        due = await storage.subscribers.due(now, limit=500)
        timings.append(time.perf_counter() - started)
    assert due, "some subscribers are due"
    # Each claim holds what it takes, so ten claims need ten batches due: a minute's worth
    # of 100,000 (--quick) is fewer, so the claims look as far ahead as that takes.
    ahead = timedelta(minutes=math.ceil(CLAIMS * DAILY_BATCH * MINUTES_A_DAY / count))
    claims = []
    for _ in range(CLAIMS):
        started = time.perf_counter()
        held = await storage.subscribers.claim_due(
            now + ahead, limit=DAILY_BATCH, hold_until=now + ahead + timedelta(minutes=1)
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


def cpu_per_message(result: dict[str, Any], cpu: str = "cpu") -> float:
    return float(result[cpu]) / max(int(result["messages"]), 1) * 1000


async def main(args: argparse.Namespace) -> None:
    if args.section == "one":
        result = await one_push(
            args.subscribers, args.rate or None, args.paid, args.fail_429, args.naive, args.bare
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
    parser.add_argument("--bare", action="store_true", help="`one`: the bare client, no bot")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="a PostgreSQL database for `due` to also run on, in a schema of its own "
        "(default: TEST_DATABASE_URL)",
    )
    return parser


if __name__ == "__main__":
    asyncio.run(main(arguments().parse_args()))
