"""Fair shares, measured against the local Bot API server enforcing Telegram's limits.

    python -m bench.fairness [--flood 4000] [--subscribers 600] [--readers 60]

The bot runs as its own process, exactly as `briefbot run` builds it (bench.bot_process),
with Telegram's free limit of 30 messages/s; the server (this process) enforces the same.

Figures printed:
  flood   another reader's /brief answer time while one chat has just sent `--flood`
          /facts, as a ratio to the same reader's answer time with the bot idle
  push    an admin's /push to `--subscribers` chats at the limit, while `--readers` of them
          press Facts, then Sources, on the message they received: the most sends the
          server saw in any one second (target: never over 30), the server's 429s, and
          the readers' answer time, 50th and 99th percentile
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bench.push import FAR_FUTURE, fill
from bench.setup import Answers, bot_environment, reference_database, running_bot
from tests.fakebot import FakeBotApi, FakeUser, RateLimits, SentMessage

ADMIN = 999_999_999
FLOODER = 999_999_001
OTHER = 999_999_002
LIMIT = 30
WAIT_AT_MOST = 60.0


@asynccontextmanager
async def bot_process(server: FakeBotApi, database: Path) -> AsyncIterator[None]:
    env = bot_environment(server, database, ADMIN_IDS=str(ADMIN), PUSH_RATE_LIMIT=str(LIMIT))
    async with running_bot(server, "facts", env, quiet=True):
        yield


async def ask(server: FakeBotApi, answers: Answers, user: FakeUser, text: str) -> float:
    """Seconds until the first message of the answer, at most WAIT_AT_MOST."""
    answer = answers.expect(user.id)
    started = time.perf_counter()
    await server.send_text(user, text)
    try:
        await asyncio.wait_for(answer, WAIT_AT_MOST)
    except TimeoutError:
        return WAIT_AT_MOST
    return time.perf_counter() - started


async def bench_flood(database: Path, flood: int) -> None:
    async with FakeBotApi(limits=RateLimits(enabled=True)) as server:
        answers = Answers(server)
        server.user(ADMIN, "Editor")
        flooder = server.user(FLOODER, "Flooder")
        other = server.user(OTHER, "Reader")
        async with bot_process(server, database):
            for n in range(30, 33):  # warm up: connections, caches
                await ask(server, answers, server.user(OTHER + n, "Warm-up"), "/brief")
            # A reader's chat takes a few messages at once, then one a second: each idle
            # answer goes to a reader of its own, so it measures the bot, not that pacing.
            idle = []
            for n in range(1, 21):
                await asyncio.sleep(0.05)  # idle: one reader at a time
                idle.append(await ask(server, answers, server.user(OTHER + n, "Reader"), "/brief"))
            for _ in range(flood):
                await server.send_text(flooder, "/facts")
            during = await ask(server, answers, other, "/brief")
            flooder_got = len(server.sent(FLOODER))
        refused = server.limit_refusals
    base = statistics.median(idle)
    shown = f">{WAIT_AT_MOST:.0f} s" if during >= WAIT_AT_MOST else f"{during * 1000:.0f} ms"
    print(
        f"flood: one chat sends {flood:,} /facts, then another reader sends /brief\n"
        f"  idle answer {base * 1000:.1f} ms (median of 20); during the flood {shown} = "
        f"{during / base:.1f}x idle (target: within a second)\n"
        f"  the flooder had received {flooder_got} messages by then; "
        f"{refused} sends refused by the server"
    )


async def bench_push(database: Path, subscribers: int, readers: int) -> None:
    async with FakeBotApi(limits=RateLimits(enabled=True, global_per_second=LIMIT)) as server:
        answers = Answers(server)
        for chat_id in range(1, subscribers + 1):
            server.user(chat_id)
        admin = server.user(ADMIN, "Editor")
        # Readers spread over the push, so some press while it runs at full rate.
        step = max(1, subscribers // readers)
        pressing = {
            chat_id: server.world.users[chat_id] for chat_id in range(1, 1 + subscribers, step)
        }
        times: list[float] = []
        tasks: list[asyncio.Future[None]] = []

        async def read(pushed: SentMessage) -> None:
            user = pressing[pushed.chat_id]
            for label in ("Facts", "Sources"):
                answer = answers.expect(user.id)
                started = time.perf_counter()
                await server.press_button(user, pushed, pushed.button(label)["callback_data"])
                try:
                    await asyncio.wait_for(answer, WAIT_AT_MOST)
                except TimeoutError:
                    times.append(WAIT_AT_MOST)
                    return
                times.append(time.perf_counter() - started)
                # The whole answer (it may take several messages) before the next press.
                await asyncio.sleep(0.5)

        def pushed(message: SentMessage) -> None:
            first = len(server.sent(message.chat_id)) == 1
            if first and message.chat_id in pressing:
                tasks.append(asyncio.ensure_future(read(message)))

        server.world.on_sent.append(pushed)
        everyone = set(range(1, subscribers + 1))
        async with bot_process(server, database):
            started = time.perf_counter()
            await server.send_text(admin, "/push")
            await server.wait_for_call(
                "sendMessage",
                count=subscribers,
                timeout=subscribers / LIMIT * 3,
                where=lambda call: call.ok and call.params.get("chat_id") in everyone,
            )
            elapsed = time.perf_counter() - started
            await asyncio.gather(*tasks)
        busiest = server.busiest_second()
        refused = server.limit_refusals
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    print(
        f"push: /push to {subscribers:,} chats at {LIMIT}/s, {len(pressing)} of them pressing "
        f"Facts then Sources on it\n"
        f"  push took {elapsed:.1f} s; busiest second at the server: {busiest} sends "
        f"(limit {LIMIT}); {refused} refused by the server\n"
        f"  readers' answer time over {len(times)} presses: median "
        f"{statistics.median(times) * 1000:.0f} ms, 99th percentile {p99 * 1000:.0f} ms"
    )


async def main(flood: int, subscribers: int, readers: int) -> None:
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        database = await reference_database(Path(folder))
        fill(database, subscribers, due=FAR_FUTURE)
        await bench_flood(database, flood)
        await bench_push(database, subscribers, readers)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--flood", type=int, default=4000)
    parser.add_argument("--subscribers", type=int, default=600)
    parser.add_argument("--readers", type=int, default=60)
    options = parser.parse_args()
    asyncio.run(main(options.flood, options.subscribers, options.readers))
