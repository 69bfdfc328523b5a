"""Replicas on one PostgreSQL database, in webhook mode behind a round-robin load balancer.

    python -m bench.replicas [--subscribers 1000000] [--readers 1000] [--rounds 2]
                             [--repeats 5] [--push 30:1000 --push 300:3000]

Each measurement runs `briefbot run` processes (tests/e2e/replicas.py) on a fresh schema of
BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/test,
against the local Bot API server, which runs in this process with the balancer and the
readers. Before each one it waits (up to a minute) for the machine to be idle.

Figures printed:
  due      the due-subscriber query over 1,000,000 subscribers (target: 20 ms or less), and
           a daily run's claim of a batch of them, as `bench.push due` measures them
  readers  updates answered per second by one replica and by two, 1,000 readers at once each
           sending /facts and waiting for the answer before the next (as bench.facts), at
           the paid rate so that the sending budget is not what is measured; the ratio
           two / one, and where the machine's CPU went (the replicas, this process,
           PostgreSQL, other programs), which bounds it on a small machine
  push     an admin's /push through the balancer with three replicas running, the server
           enforcing the configured global limit: the push messages' rate from the first
           to the last as a fraction of the limit (target: 0.97 or more), the same for
           every send the limit counts (the progress message's edits too), the most sends
           the server saw in any one second (never over the limit), and its 429s (none)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.facts import Readers, Run, cpu_seconds
from bench.fairness import ADMIN
from bench.machine import machine_busy_seconds, quiet_machine
from bench.push import FAR_FUTURE, bench_due_postgres, fill_postgres
from bench.setup import PAID_RATE, bot_environment, publish_reference
from storage.opening import DatabaseLocation, migrate_database, open_storage
from tests.e2e.replicas import Replicas, webhook_replicas
from tests.fakebot import ApiCall, FakeBotApi, RateLimits, SentMessage
from tests.fakebot.limits import busiest_window
from tests.postgres import fresh_schema

DATABASE_URL = (
    os.environ.get("BENCH_DATABASE_URL")
    or os.environ.get("TEST_DATABASE_URL")
    or "postgresql://postgres@127.0.0.1:5432/test"
)
PUSH_REPLICAS = 3
RATE_TARGET = 0.97  # of the configured limit
FREE_LIMIT = 30  # Telegram's free rate; above it the bot must be allowed paid broadcasts
# Idle enough to measure: at most this many cores busy over a sample of this many seconds.


@asynccontextmanager
async def database() -> AsyncIterator[str]:
    """A fresh, migrated schema holding the reference brief: its URL."""
    async with fresh_schema(DATABASE_URL) as url:
        await migrate_database(DatabaseLocation(url=url))
        async with await open_storage(DatabaseLocation(url=url)) as storage:
            await publish_reference(storage)
        yield url


@asynccontextmanager
async def replicas(
    server: FakeBotApi, url: str, count: int, **settings: str
) -> AsyncIterator[Replicas]:
    """`count` replicas on `url` behind the balancer; each must stop cleanly."""
    env = bot_environment(server, url, LOG_LEVEL="WARNING", **settings)
    with tempfile.TemporaryDirectory() as folder:
        async with webhook_replicas(server, count, env, Path(folder)) as running:
            yield running
    if running.codes != [0] * count:
        raise RuntimeError(f"a replica failed: {[bot.output for bot in running.bots]}")


# -- CPU: where the machine's time went -------------------------------------------------------


@dataclass(frozen=True)
class Cpu:
    """CPU seconds so far: the replicas', this process's, PostgreSQL's, the whole machine's
    (what else is left of it ran beside the benchmark: other programs)."""

    replicas: float
    own: float
    postgres: float
    machine: float

    @classmethod
    def now(cls, running: Replicas) -> Cpu:
        bots = sum(cpu_seconds(bot.process.pid) for bot in running.bots)
        return cls(bots, time.process_time(), postgres_seconds(), machine_busy_seconds())

    def cores(self, seconds: float) -> str:
        """Cores busy over `seconds`: on what."""
        other = self.machine - self.replicas - self.own - self.postgres
        return (
            f"cores busy: {self.machine / seconds:.2f} of {os.cpu_count()} (replicas "
            f"{self.replicas / seconds:.2f}, server+balancer+readers {self.own / seconds:.2f}, "
            f"PostgreSQL {self.postgres / seconds:.2f}, other programs {other / seconds:.2f})"
        )

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(
            self.replicas - other.replicas,
            self.own - other.own,
            self.postgres - other.postgres,
            self.machine - other.machine,
        )


def postgres_seconds() -> float:
    """CPU seconds of the PostgreSQL processes running now (the server and its backends,
    among them the replicas' connections, which last as long as they do)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        if text[text.index("(") + 1 : text.rindex(")")] == "postgres":
            total += cpu_seconds(int(stat.parent.name))
    return total


# -- readers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throughput(Run):
    """bench.facts' run (its CPU: the replicas'), with where the rest of the machine went."""

    cpu: Cpu

    def describe(self) -> str:
        return (
            f"{self.per_second:.0f} updates/s, replicas' CPU {self.cpu_ms_per_update:.2f} "
            f"ms/update; {self.cpu.cores(self.seconds)}"
        )


async def measure_readers(count: int, readers: int, rounds: int) -> Throughput:
    await quiet_machine()
    async with database() as url, FakeBotApi(local=True) as server:
        reading = Readers(server, readers)
        async with replicas(server, url, count, **PAID_RATE) as running:
            await reading.run("/facts", 1)  # warm up: connections, caches
            before = Cpu.now(running)
            seconds = await reading.run("/facts", rounds)
            used = Cpu.now(running) - before
        if server.errors():
            raise RuntimeError(server.dump())
    return Throughput(f"{count} replica(s)", rounds * readers, seconds, used.replicas, used)


async def bench_readers(readers: int, rounds: int, repeats: int) -> None:
    print(
        f"readers: {readers:,} at once send /facts, {rounds} rounds after one to warm up, "
        "through the balancer, paid rate"
    )
    runs: dict[int, list[Throughput]] = {1: [], 2: []}
    for _ in range(repeats):  # alternate, so drift in the machine hits both alike
        for count in runs:
            run = await measure_readers(count, readers, rounds)
            runs[count].append(run)
            print(f"  {run.mode}: {run.describe()}")
    one, two = (statistics.median(r.per_second for r in runs[n]) for n in (1, 2))
    print(
        f"  medians of {repeats}: one replica {one:.0f} updates/s, two {two:.0f} updates/s; "
        f"two / one = {two / one:.2f}"
    )
    # Other programs on the machine only ever slow a run: the best is the least disturbed.
    one, two = (max(r.per_second for r in runs[n]) for n in (1, 2))
    print(
        f"  best of {repeats}: one replica {one:.0f} updates/s, two {two:.0f} updates/s; "
        f"two / one = {two / one:.2f}"
    )


# -- the push -----------------------------------------------------------------------------------


class Delivered:
    """Set once every subscriber has received a message."""

    def __init__(self, server: FakeBotApi, subscribers: set[int]) -> None:
        self._waiting = set(subscribers)
        self.done = asyncio.Event()
        server.world.on_sent.append(self._sent)

    def _sent(self, message: SentMessage) -> None:
        self._waiting.discard(message.chat_id)
        if not self._waiting:
            self.done.set()


@dataclass(frozen=True)
class Push:
    limit: int
    subscribers: int
    took_by: int  # the replica the /push reached
    stamps: list[float]  # when each push message reached the server
    sends: list[float]  # when every send the limit counts reached it (push, progress, answers)
    doubled: int
    refused: int
    cpu: Cpu  # over the push, from the /push to the last subscriber's message
    seconds: float  # the same time

    @property
    def span(self) -> float:
        return self.stamps[-1] - self.stamps[0]

    @property
    def rate(self) -> float:
        """Push messages a second, from the first to the last."""
        return (len(self.stamps) - 1) / self.span

    @property
    def all_rate(self) -> float:
        """Every send the limit counts, a second, over the same span."""
        first, last = self.stamps[0], self.stamps[-1]
        return (sum(1 for at in self.sends if first <= at <= last) - 1) / self.span

    def describe(self) -> str:
        limit, busiest = self.limit, busiest_window(self.sends)
        return (
            f"  {len(self.stamps):,} push messages in {self.span:.2f} s from the first to the "
            f"last: {self.rate:.1f}/s = {self.rate / limit:.4f} of the limit "
            f"({_target(self.rate / limit >= RATE_TARGET)})\n"
            f"  every send the limit counts over that span (push, progress, answers): "
            f"{self.all_rate:.1f}/s = {self.all_rate / limit:.4f} of the limit "
            f"({_target(self.all_rate / limit >= RATE_TARGET)})\n"
            f"  busiest second at the server: {busiest} sends (limit {limit}: "
            f"{_target(busiest <= limit)}); {self.refused} refused by the server (429); "
            f"{self.doubled} doubled\n"
            f"  {self.cpu.cores(self.seconds)}"
        )


def _target(met: bool) -> str:
    return "target met" if met else "target MISSED"


async def measure_push(limit: int, subscribers: int) -> Push:
    chats = set(range(1, subscribers + 1))
    settings = {
        "ADMIN_IDS": str(ADMIN),
        "PUSH_RATE_LIMIT": str(limit),
        "ALLOW_PAID_BROADCAST": "true" if limit > FREE_LIMIT else "false",
    }
    limits = RateLimits(enabled=True, global_per_second=limit)
    await quiet_machine()
    async with database() as url, FakeBotApi(local=True, limits=limits) as server:
        await fill_postgres(url, subscribers, due=FAR_FUTURE)  # due far off: only /push sends
        for chat_id in chats:
            server.user(chat_id)
        admin = server.user(ADMIN, "Editor")
        delivered = Delivered(server, chats)
        async with replicas(server, url, PUSH_REPLICAS, **settings) as running:
            with no_collection_pauses():
                before, started = Cpu.now(running), time.perf_counter()
                update = await server.send_text(admin, "/push")
                await asyncio.wait_for(delivered.done.wait(), subscribers / limit * 2 + 30)
                used, seconds = Cpu.now(running) - before, time.perf_counter() - started
            await server.wait_for_call("editMessageText", timeout=30, where=finished)
        [took_by] = running.balancer.replicas_of(update["update_id"])
    pushed = [c for c in server.calls if c.method == "sendMessage" and c.ok]
    stamps = sorted(c.at for c in pushed if c.params["chat_id"] in chats)
    return Push(
        limit,
        subscribers,
        took_by,
        stamps,
        server.send_times(),
        doubled=len(stamps) - len(chats),  # every chat has its message: the rest repeat
        refused=server.limit_refusals,
        cpu=used,
        seconds=seconds,
    )


@contextmanager
def no_collection_pauses() -> Iterator[None]:
    """The server stamps each send on arrival, on this process's clock: a full garbage
    collection here (45 ms with a few thousand chats' messages kept) holds the sends that
    arrive meanwhile, stamps them together, and the busiest second shows a burst the bot
    never sent. So none runs while the push does; what is there already is set aside."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def finished(call: ApiCall) -> bool:
    """The progress message's last edit: the push is over."""
    return "Push finished" in str(call.params.get("text", ""))


async def bench_push(pushes: list[tuple[int, int]]) -> None:
    for limit, subscribers in pushes:
        push = await measure_push(limit, subscribers)
        print(
            f"push: /push to {subscribers:,} subscribers at {limit}/s, {PUSH_REPLICAS} "
            f"replicas running (replica {push.took_by} took it), the server enforcing {limit}/s"
        )
        print(push.describe())


def push_size(text: str) -> tuple[int, int]:
    """`LIMIT:SUBSCRIBERS`, e.g. 30:1000."""
    limit, _, subscribers = text.partition(":")
    return int(limit), int(subscribers)


async def main(options: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    await bench_due_postgres(DATABASE_URL, options.subscribers)
    await bench_readers(options.readers, options.rounds, options.repeats)
    await bench_push(options.push or [(30, 1000), (300, 3000)])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--subscribers", type=int, default=1_000_000, help="for the due query")
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--push", type=push_size, action="append", help="LIMIT:SUBSCRIBERS (repeatable)"
    )
    asyncio.run(main(parser.parse_args()))
