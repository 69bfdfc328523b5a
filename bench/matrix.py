"""Matrix beside Telegram: readers' `!facts` answered per second, and a push to 1,000 rooms
against the homeserver's message limit, the bot as its own process against a real Synapse
(tests/synapse/) and the local Bot API server (this process) at once.

    python -m bench.matrix [--readers 50] [--rounds 2] [--repeats 3] [--rooms 1000]
                           [--limit 20] [--burst 10] [--telegram-readers 1000]

It needs Synapse (SYNAPSE_PYTHON, else .venv-synapse; tests/synapse/finding.py).

`!facts`: `--readers` Matrix users, each in a direct room of their own with the bot, each
send `!facts`, wait for the answer and send the next, `--rounds` times after one to warm
up; `--telegram-readers` Telegram readers do the same with `/facts` against the same bot
process, as bench.facts does; the two alternate `--repeats` times. The bot's account is
free of Synapse's rate limits and its Matrix budget raised to 1000/s (as bench.facts
raises Telegram's), so that neither limit is what is measured. Printed: answers a second;
the bot process's CPU per answer; Synapse's, and this process's (readers, the local Bot
API server), per Matrix answer. The readers wait on one sync stream (the bot's account
read by a second client), not one each: what a reader's own Element costs Synapse is left
out. Then one round with the bot's Matrix budget as shipped (10 a second).

The push: `--rooms` rooms (made by a few users, the bot invited; its sync reader joins
them), subscribed straight in the bot's database (storage.matrix.id_of, then one INSERT),
the bot's message limit at Synapse set to `--limit` a second with bursts of `--burst`
(Synapse's override_ratelimit), then an admin's `/push N` in Telegram. Twice: with the
Matrix budget raised (so the homeserver's limit, and its M_LIMIT_EXCEEDED, pace the push),
and with the budget as shipped. Printed: seconds from `/push` to the last room's message,
the rate from the first message to the last against the limit (Synapse's own timestamps),
the most in any one second (by the same stamps, which Synapse takes as it builds an event:
on a busy machine not when its limiter admits it), the M_LIMIT_EXCEEDED answers the bot
met, and how many rooms got exactly one copy (Synapse's events) and have a `sent`
delivery record.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bench.facts import Readers as TelegramReaders
from bench.facts import cpu_seconds
from bench.machine import machine_busy_seconds
from bench.matrix_bot import COUNTS
from bench.push import FAR_FUTURE
from bench.setup import PAID_RATE, bot_environment
from bot.config.matrix import SEND_RATE_DEFAULT as SHIPPED
from brief import parse_text
from storage import Storage
from storage.db import to_db
from tests.conftest import DATA
from tests.fakebot import FakeBotApi
from tests.synapse.client import MatrixClient
from tests.synapse.server import Account, Homeserver

T = TypeVar("T")
ADMIN = 777  # the Telegram admin who sends /push
RAISED = 1000.0  # the Matrix budget while the bot's own cost is measured
AT_ONCE = 8  # users registered, rooms made, at once (Synapse writes one at a time anyway)
SYNC = "/_matrix/client/v3/sync"
JOINED = "/_matrix/client/v3/joined_rooms"
_QUIET: dict[str, Any] = {"presence": {"types": []}, "account_data": {"types": []}}
_QUIET_ROOM: dict[str, Any] = {
    "state": {"types": []},
    "ephemeral": {"types": []},
    "account_data": {"types": []},
}
BRIEFS = ("harbor-bridge-vote.txt", "coastal-wind-farm.txt", "putin-north-korea.txt")


# -- processes and their CPU ------------------------------------------------------------------


@dataclass
class Cpu:
    """CPU seconds of the bot, Synapse and this process (readers, the local Bot API server),
    and of the whole machine, from `start()` on."""

    bot_pid: int
    synapse_pid: int

    def start(self) -> None:
        self._at = (
            cpu_seconds(self.bot_pid),
            cpu_seconds(self.synapse_pid),
            time.process_time(),
            machine_busy_seconds(),
        )

    def used(self) -> tuple[float, float, float, float]:
        now = (
            cpu_seconds(self.bot_pid),
            cpu_seconds(self.synapse_pid),
            time.process_time(),
            machine_busy_seconds(),
        )
        bot, synapse, own, machine = (b - a for a, b in zip(self._at, now, strict=True))
        return bot, synapse, own, machine


def load() -> str:
    return ", ".join(f"{n:.1f}" for n in os.getloadavg())


@asynccontextmanager
async def bot_process(
    server: FakeBotApi, env: dict[str, str], matrix_rate: float | None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bench.matrix_bot` (the bot as `briefbot run` builds it, serving both apps),
    polling the local server; SIGTERM on exit. Its counts of M_LIMIT_EXCEEDED are in
    env[COUNTS] once it has ended."""
    env = {**env, "MATRIX_SEND_RATE": f"{matrix_rate:g}"} if matrix_rate else env
    before = sum(1 for call in server.calls if call.method == "getUpdates")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.matrix_bot", env=env
    )
    try:
        await server.wait_for_call("getUpdates", count=before + 1, timeout=120)
        yield process
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


def limit_answers(env: dict[str, str]) -> tuple[int, float]:
    """M_LIMIT_EXCEEDED answers the bot process met, and the seconds they asked it to wait."""
    counts = json.loads(Path(env[COUNTS]).read_text(encoding="utf-8"))
    return int(counts["limit_exceeded"]), float(counts["retry_after_seconds"])


async def bounded(tasks: Sequence[Callable[[], Awaitable[T]]], at_once: int = AT_ONCE) -> list[T]:
    gate = asyncio.Semaphore(at_once)

    async def one(task: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await task()

    return list(await asyncio.gather(*(one(task) for task in tasks)))


# -- Matrix readers -----------------------------------------------------------------------------


class Watcher:
    """The bot's messages in the readers' rooms as Synapse tells a client of the bot's account
    (a second one beside the bot's own): one sync stream for every reader."""

    def __init__(self, client: MatrixClient, bot: str, rooms: Sequence[str]) -> None:
        self._client = client
        self._bot = bot
        self._rooms = list(rooms)
        self._waiting: dict[str, asyncio.Future[None]] = {}
        self.seen = 0  # the bot's messages in those rooms

    def expect(self, room: str) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[room] = future
        return future

    async def position(self) -> str:
        nothing = {**_QUIET, "room": {"rooms": []}}
        params = {"timeout": "0", "filter": json.dumps(nothing)}
        batch: str = (await self._client.request("GET", SYNC, params=params))["next_batch"]
        return batch

    async def run(self, since: str) -> None:
        timeline = {"types": ["m.room.message"], "senders": [self._bot], "limit": 50}
        room = {**_QUIET_ROOM, "rooms": self._rooms, "timeline": timeline}
        sync_filter = json.dumps({**_QUIET, "room": room})
        while True:
            params = {"since": since, "timeout": "30000", "filter": sync_filter}
            answer = await self._client.request("GET", SYNC, params=params, timeout=90)
            for room_id, joined in answer.get("rooms", {}).get("join", {}).items():
                for event in joined.get("timeline", {}).get("events", []):
                    if event.get("sender") == self._bot and event["type"] == "m.room.message":
                        self.seen += 1
                        future = self._waiting.pop(room_id, None)
                        if future is not None and not future.done():
                            future.set_result(None)
            since = answer["next_batch"]


@dataclass
class MatrixReader:
    client: MatrixClient
    room: str


class MatrixReaders:
    """Readers who each send `!facts` in their room and wait for its answer before the next."""

    def __init__(self, readers: Sequence[MatrixReader], watcher: Watcher) -> None:
        self.readers = list(readers)
        self.watcher = watcher

    async def _read(self, reader: MatrixReader, rounds: int) -> None:
        for _ in range(rounds):
            answer = self.watcher.expect(reader.room)
            await reader.client.send_text(reader.room, "!facts")
            await asyncio.wait_for(answer, timeout=120)

    async def run(self, rounds: int) -> float:
        started = time.perf_counter()
        await asyncio.gather(*(self._read(reader, rounds) for reader in self.readers))
        return time.perf_counter() - started


@dataclass(frozen=True)
class Run:
    app: str
    answers: int
    seconds: float
    bot_cpu: float
    synapse_cpu: float
    own_cpu: float
    machine_cpu: float

    @property
    def per_second(self) -> float:
        return self.answers / self.seconds

    def per_answer(self, cpu: float) -> float:
        return 1000 * cpu / self.answers

    def line(self) -> str:
        cores = os.cpu_count() or 1
        others = max(self.machine_cpu - self.bot_cpu - self.synapse_cpu - self.own_cpu, 0.0)
        return (
            f"{self.app:>8}: {self.answers} answers in {self.seconds:.2f} s = "
            f"{self.per_second:.1f}/s; CPU per answer: bot {self.per_answer(self.bot_cpu):.2f} ms, "
            f"Synapse {self.per_answer(self.synapse_cpu):.2f} ms, readers and local server "
            f"{self.per_answer(self.own_cpu):.2f} ms; cores busy: bot "
            f"{self.bot_cpu / self.seconds:.2f}, Synapse {self.synapse_cpu / self.seconds:.2f}, "
            f"this process {self.own_cpu / self.seconds:.2f}, others "
            f"{others / self.seconds:.2f} of {cores}"
        )


async def measured(
    app: str, cpu: Cpu, rounds: int, readers: int, run: Callable[[], Awaitable[float]]
) -> Run:
    cpu.start()
    seconds = await run()
    bot, synapse, own, machine = cpu.used()
    return Run(app, rounds * readers, seconds, bot, synapse, own, machine)


# -- set-up -----------------------------------------------------------------------------------


async def timed(what: str, work: Awaitable[T]) -> T:
    started = time.perf_counter()
    result = await work
    print(f"  set-up: {what} in {time.perf_counter() - started:.1f} s", flush=True)
    return result


async def register_many(homeserver: Homeserver, name: str, count: int) -> list[Account]:
    return await bounded([partial(homeserver.register, f"{name}-{n}") for n in range(count)])


async def direct_rooms(
    clients: Sequence[MatrixClient], bot: str, watch: MatrixClient
) -> list[MatrixReader]:
    """Each reader's direct room with the bot, once the bot has joined every one."""

    async def make(client: MatrixClient) -> MatrixReader:
        return MatrixReader(client, await client.create_room(invite=[bot], direct=True))

    readers = await bounded([partial(make, client) for client in clients])
    await joined(watch, [reader.room for reader in readers])
    return readers


async def joined(bot: MatrixClient, rooms: Sequence[str], within: float = 600) -> None:
    """Until the bot's account has joined every room (its sync reader accepts invitations)."""
    deadline = time.monotonic() + within
    missing = set(rooms)
    while missing:
        missing -= set((await bot.request("GET", JOINED))["joined_rooms"])
        if missing and time.monotonic() > deadline:
            raise TimeoutError(f"the bot joined none of {len(missing)} rooms in {within} s")
        await asyncio.sleep(0.5)


async def push_rooms(
    homeserver: Homeserver, count: int, bot: str, watch: MatrixClient
) -> list[str]:
    """`count` rooms of a few users, the bot invited to each and joined."""
    owners = [homeserver.client(a) for a in await register_many(homeserver, "owner", AT_ONCE)]
    for owner in owners:
        await owner.__aenter__()
    try:
        turns = itertools.cycle(owners)

        def make(owner: MatrixClient, n: int) -> Callable[[], Awaitable[str]]:
            return lambda: owner.create_room(invite=[bot], name=f"Room {n}")

        rooms = await bounded([make(next(turns), n) for n in range(count)])
    finally:
        for owner in owners:
            await owner.__aexit__(None, None, None)
    await joined(watch, rooms)
    return rooms


async def subscribe(database: Path, rooms: Sequence[str]) -> list[int]:
    """Each room subscribed, due far in the future (the push is an admin's /push): its chat
    id as the Matrix side names it, then one INSERT, as bench.push fills Telegram chats."""
    async with await Storage.open(database) as storage:
        chat_ids = [await storage.matrix.id_of(room) for room in rooms]
    now = to_db(datetime.now(UTC))
    rows = [(chat_id, now, to_db(FAR_FUTURE), now) for chat_id in chat_ids]
    with sqlite3.connect(database, timeout=30) as conn:
        conn.executemany(
            """INSERT INTO subscribers (chat_id, delivery_time, timezone, active, blocked,
                                        subscribed_at, next_due_at, last_delivered_at, updated_at)
               VALUES (?, '08:00', 'UTC', 1, 0, ?, ?, NULL, ?)""",
            rows,
        )
    conn.close()
    return chat_ids


async def publish_briefs(database: Path) -> list[int]:
    """Two briefs to push, then the reference brief, the latest: what `!facts` answers."""
    async with await Storage.open(database) as storage:
        ids = []
        for name in BRIEFS:
            text = (DATA / "briefs" / name).read_text(encoding="utf-8")
            stored = await storage.briefs.publish(parse_text(text).brief, by=None, at=now())
            ids.append(stored.id)
    return ids


def now() -> datetime:
    return datetime.now(UTC)


# -- the push -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Push:
    label: str
    rooms: int
    limit: int
    burst: int
    budget: float
    elapsed: float  # from /push to the last room's message (Synapse's timestamp)
    span: float  # from the first room's message to the last
    busiest: int  # most messages in any one second
    exactly_once: int  # rooms with one message from the bot since /push
    twice: int
    none: int
    records: int  # `sent` delivery records
    limit_exceeded: int
    retry_after: float
    bot_cpu: float
    synapse_cpu: float

    def lines(self) -> list[str]:
        paced = (self.rooms - 1) / self.span if self.span else float("inf")
        return [
            f"  {self.label}: {self.rooms:,} rooms in {self.elapsed:.1f} s from /push = "
            f"{self.rooms / self.elapsed:.1f}/s; {paced:.1f}/s from the first message to the "
            f"last = {paced / self.limit:.3f} of the homeserver's {self.limit}/s "
            f"(bursts of {self.burst}), {paced / self.budget:.3f} of the bot's Matrix budget "
            f"({self.budget:g}/s)",
            f"    most in any one second: {self.busiest} (the limit lets {self.limit} a second "
            f"through after a burst of {self.burst}); M_LIMIT_EXCEEDED answers: "
            f"{self.limit_exceeded} (waits asked for: {self.retry_after:.1f} s in all)",
            f"    rooms with exactly one copy: {self.exactly_once:,} of {self.rooms:,} "
            f"(two or more: {self.twice}, none: {self.none}); `sent` delivery records: "
            f"{self.records:,}",
            f"    CPU: bot {self.bot_cpu:.1f} s ({1000 * self.bot_cpu / self.rooms:.2f} ms a "
            f"room), Synapse {self.synapse_cpu:.1f} s "
            f"({1000 * self.synapse_cpu / self.rooms:.2f} ms a room)",
        ]


def synapse_messages(homeserver: Homeserver, bot: str, since_ms: int) -> list[tuple[str, int]]:
    """(room, Synapse's timestamp) of each message the bot sent since `since_ms`, read from
    Synapse's own database."""
    database = homeserver.directory / "homeserver.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as conn:
        rows = conn.execute(
            """SELECT room_id, origin_server_ts FROM events
                WHERE sender = ? AND type = 'm.room.message' AND origin_server_ts >= ?""",
            (bot, since_ms),
        ).fetchall()
    conn.close()
    return [(str(room), int(ts)) for room, ts in rows]


def busiest_second(stamps: Sequence[int]) -> int:
    """Most timestamps (ms) within any 1,000 ms."""
    ordered = sorted(stamps)
    most, first = 0, 0
    for last, stamp in enumerate(ordered):
        while stamp - ordered[first] >= 1000:
            first += 1
        most = max(most, last - first + 1)
    return most


async def push(
    label: str,
    server: FakeBotApi,
    homeserver: Homeserver,
    env: dict[str, str],
    database: Path,
    bot: str,
    rooms: Sequence[str],
    brief_id: int,
    budget: float,
    options: argparse.Namespace,
    first: Callable[[Cpu], Awaitable[None]] | None = None,
) -> Push:
    """An admin's `/push brief_id` with the bot's message limit at `--limit`, `--burst`;
    `first`, with the bot's limits lifted, in the same bot process before it."""
    async with bot_process(server, env, budget if budget != SHIPPED else None) as process:
        cpu = Cpu(process.pid, homeserver.pid)
        admin = server.world.users[ADMIN]
        if first is not None:
            await first(cpu)
        await homeserver.limit_messages(bot, per_second=options.limit, burst_count=options.burst)
        await asyncio.sleep(2)  # the bot's first sync, after its restart, out of the figures
        cpu.start()
        since_ms = int(time.time() * 1000)
        started = time.perf_counter()
        await server.send_text(admin, f"/push {brief_id}")
        async with await Storage.open(database) as storage:
            while len(sent := await storage.deliveries.sent_copies(brief_id)) < len(rooms):
                if time.perf_counter() - started > 60 + 10 * len(rooms) / options.limit:
                    print(f"    gave up waiting: {len(sent)} of {len(rooms)} sent")
                    break
                await asyncio.sleep(0.5)
        bot_cpu, synapse_cpu, _, _ = cpu.used()
    answers, waited = limit_answers(env)
    messages = synapse_messages(homeserver, bot, since_ms)
    wanted = set(rooms)
    copies: dict[str, int] = dict.fromkeys(rooms, 0)
    stamps = []
    for room, stamp in messages:
        if room in wanted:
            copies[room] += 1
            stamps.append(stamp)
    stamps.sort()
    return Push(
        label=label,
        rooms=len(rooms),
        limit=options.limit,
        burst=options.burst,
        budget=budget,
        elapsed=(stamps[-1] - since_ms) / 1000 if stamps else float("nan"),
        span=(stamps[-1] - stamps[0]) / 1000 if stamps else 0.0,
        busiest=busiest_second(stamps),
        exactly_once=sum(1 for n in copies.values() if n == 1),
        twice=sum(1 for n in copies.values() if n > 1),
        none=sum(1 for n in copies.values() if n == 0),
        records=sum(1 for record in sent if record.status == "sent"),
        limit_exceeded=answers,
        retry_after=waited,
        bot_cpu=bot_cpu,
        synapse_cpu=synapse_cpu,
    )


# -- the benchmark ------------------------------------------------------------------------------


async def main(options: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load {load()}")
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        pushed = await publish_briefs(database)
        async with FakeBotApi() as server, Homeserver() as homeserver:
            await bench(options, Path(folder), database, pushed, server, homeserver)
    print(f"load at the end: {load()}")


async def bench(
    options: argparse.Namespace,
    folder: Path,
    database: Path,
    briefs: list[int],
    server: FakeBotApi,
    homeserver: Homeserver,
) -> None:
    print(f"  set-up: Synapse started in {homeserver.started_in:.1f} s")
    account = await homeserver.register("briefbot")
    editor = await homeserver.register("editor")
    await homeserver.lift_rate_limits(account.user_id)
    bot = account.user_id
    server.user(ADMIN, "Editor")
    env = bot_environment(
        server,
        database,
        **PAID_RATE,
        ADMIN_IDS=str(ADMIN),
        MATRIX_HOMESERVER=homeserver.url,
        MATRIX_USER_ID=bot,
        MATRIX_ACCESS_TOKEN=account.access_token,
        MATRIX_ADMIN_IDS=editor.user_id,
        **{COUNTS: str(folder / "counts.json")},
    )
    accounts = await timed(
        f"{options.readers} Matrix readers registered",
        register_many(homeserver, "reader", options.readers),
    )
    telegram = TelegramReaders(server, options.telegram_readers, "en", 10_000)
    async with AsyncExitStack() as stack:
        watch = await stack.enter_async_context(
            MatrixClient(homeserver.url, bot, account.access_token)
        )
        clients = [
            await stack.enter_async_context(homeserver.client(reader)) for reader in accounts
        ]
        async with bot_process(server, env, RAISED) as process:
            cpu = Cpu(process.pid, homeserver.pid)
            readers = await timed(
                f"{options.readers} direct rooms made and joined by the bot",
                direct_rooms(clients, bot, watch),
            )
            async with watching(watch, bot, readers) as matrix:
                await facts(options, cpu, matrix, telegram)
            rooms = await timed(
                f"{options.rooms:,} rooms made by {AT_ONCE} users, the bot invited and joined",
                push_rooms(homeserver, options.rooms, bot, watch),
            )
            await timed(f"{options.rooms:,} rooms subscribed", subscribe(database, rooms))

        async def shipped_facts(cpu: Cpu) -> None:
            """One round of the Matrix readers against the Matrix budget as shipped."""
            await homeserver.lift_rate_limits(bot)
            async with watching(watch, bot, readers) as matrix:
                run = await measured(
                    "Matrix",
                    cpu,
                    options.rounds,
                    len(readers),
                    lambda: matrix.run(options.rounds),
                )
            print(f"!facts with the Matrix budget as shipped ({SHIPPED:g}/s):")
            print(run.line(), flush=True)

        print("the push: an admin's /push to every subscribed room")
        print("  (Telegram, for comparison: `python -m bench.push rate`, 0.97-0.98 of 30/s)")
        for label, budget, brief, first in (
            ("raised", RAISED, briefs[0], None),
            ("shipped", SHIPPED, briefs[1], shipped_facts),
        ):
            result = await push(
                f"Matrix budget {label} ({budget:g}/s)",
                server,
                homeserver,
                env,
                database,
                bot,
                rooms,
                brief,
                budget,
                options,
                first,
            )
            for line in result.lines():
                print(line, flush=True)
        print(f"  load after the pushes: {load()}")
    assert not server.errors(), server.dump()


@asynccontextmanager
async def watching(
    watch: MatrixClient, bot: str, readers: Sequence[MatrixReader]
) -> AsyncIterator[MatrixReaders]:
    """The readers, their answers watched for on one sync stream while the block runs."""
    watcher = Watcher(watch, bot, [reader.room for reader in readers])
    task = asyncio.create_task(watcher.run(await watcher.position()))
    try:
        yield MatrixReaders(readers, watcher)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def facts(
    options: argparse.Namespace, cpu: Cpu, matrix: MatrixReaders, telegram: TelegramReaders
) -> None:
    print(
        f"!facts: {len(matrix.readers)} Matrix readers and {len(telegram.users)} Telegram "
        f"readers, {options.rounds} rounds each after one to warm up, alternating; "
        f"load {load()}"
    )
    await matrix.run(1)
    await telegram.run("/facts", 1)
    runs: dict[str, list[Run]] = {"Matrix": [], "Telegram": []}
    for _ in range(options.repeats):
        run = await measured(
            "Matrix", cpu, options.rounds, len(matrix.readers), lambda: matrix.run(options.rounds)
        )
        runs["Matrix"].append(run)
        print(run.line(), flush=True)
        run = await measured(
            "Telegram",
            cpu,
            options.rounds,
            len(telegram.users),
            lambda: telegram.run("/facts", options.rounds),
        )
        runs["Telegram"].append(run)
        print(run.line(), flush=True)
    commands = (1 + options.repeats * options.rounds) * len(matrix.readers)
    print(f"  Matrix messages from the bot: {matrix.watcher.seen} for {commands} commands")
    report(runs)


def report(runs: dict[str, list[Run]]) -> None:
    print(f"  medians over {len(runs['Matrix'])} runs:")
    for app, done in runs.items():
        rate = statistics.median(run.per_second for run in done)
        bot = statistics.median(run.per_answer(run.bot_cpu) for run in done)
        synapse = statistics.median(run.per_answer(run.synapse_cpu) for run in done)
        extra = f", Synapse {synapse:.2f} ms" if app == "Matrix" else ""
        print(f"    {app:>8}: {rate:.1f} answers/s; CPU per answer: bot {bot:.2f} ms{extra}")
    matrix_rate = statistics.median(run.per_second for run in runs["Matrix"])
    telegram_rate = statistics.median(run.per_second for run in runs["Telegram"])
    matrix_bot = statistics.median(run.per_answer(run.bot_cpu) for run in runs["Matrix"])
    telegram_bot = statistics.median(run.per_answer(run.bot_cpu) for run in runs["Telegram"])
    print(
        f"    Matrix against Telegram: {matrix_rate / telegram_rate:.2f}x the answers a second, "
        f"{matrix_bot / telegram_bot:.2f}x the bot's CPU per answer"
    )


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--readers", type=int, default=50, help="Matrix readers")
    parser.add_argument("--telegram-readers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rooms", type=int, default=1000, help="rooms the push goes to")
    parser.add_argument("--limit", type=int, default=20, help="the bot's messages a second")
    parser.add_argument("--burst", type=int, default=10, help="the bot's burst at Synapse")
    return parser


if __name__ == "__main__":
    asyncio.run(main(arguments().parse_args()))
