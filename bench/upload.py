"""A reader's wait while an admin uploads a 1 MB brief, as a ratio to the wait with no upload.

The bot runs as its own process (`bench.bot_process`) against the local Bot API server
(this process). One reader sends /brief, waits for the answer and sends the next, first
with nothing else going on, then while an admin uploads a 1 MB brief file again and
again. The same is measured for a bot that parses uploads on its event loop
(`inprocess`), which shows what parsing in a child process saves readers.

    python -m bench.upload [--uploads 4]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
from pathlib import Path

from bench.setup import PAID_RATE, bot_environment, reference_database, running_bot
from brief import MAX_BRIEF_BYTES
from tests.fakebot import FakeBotApi, FakeUser

ADMIN_ID = 1000
READERS = 200
MODES = ("child", "inprocess")


def plain_brief(size: int) -> str:
    """A valid brief of about `size` bytes: the shape of a real one, with many facts."""
    head = (
        "Northfield passes its budget\n"
        "The council passed the budget on Tuesday after a long debate.\nFacts\n"
    )
    tail = (
        "Sources: 1Harbor Ledger, 2Island Weekly, 3City Hall, 4Council Minutes, "
        "5Radio North and 6The Courier.\nNarratives\n"
        "- Pro-council narrative, as provided by Harbor Ledger. The budget is prudent.\n"
        "- Opposition narrative, as provided by Island Weekly. It cuts what people need.\n"
    )
    facts: list[str] = []
    total = len(head) + len(tail)
    while True:
        number = len(facts)
        fact = f"- Spending on item {number} rose 4.5 percent, the council said.{number % 6 + 1}\n"
        if total + len(fact) > size:
            break
        facts.append(fact)
        total += len(fact)
    return head + "".join(facts) + tail


class Reader:
    """Sends /brief, waits for the answer, sends the next; records each wait.

    The asks take turns among many readers' chats: Telegram takes about one message a
    second in a chat, and the bot keeps to it, so one chat asking back to back would
    measure that rule rather than the bot.
    """

    def __init__(self, server: FakeBotApi, users: list[FakeUser]) -> None:
        self.server = server
        self.users = itertools.cycle(users)

    async def ask(self) -> float:
        user = next(self.users)
        before = len(self.server.sent(user.id))
        start = time.perf_counter()
        await self.server.send_text(user, "/brief")
        await self.server.wait_sent(user.id, before + 1, timeout=120)
        return time.perf_counter() - start

    async def until(self, done: asyncio.Event) -> list[float]:
        waits = []
        while not done.is_set():
            waits.append(await self.ask())
        return waits


async def upload(server: FakeBotApi, admin: FakeUser, content: bytes, times: int) -> float:
    """Upload the file `times` times, each after the previous one's preview; seconds each."""
    start = time.perf_counter()
    for _ in range(times):
        before = len(server.sent(admin.id))
        await server.send_document(admin, "budget.txt", content)
        await server.wait_sent(admin.id, before + 2, timeout=120)  # the preview's two messages
    return (time.perf_counter() - start) / times


async def measure(
    server: FakeBotApi,
    env: dict[str, str],
    mode: str,
    people: tuple[Reader, FakeUser],
    upload_of: tuple[bytes, int],
) -> None:
    reader, admin = people
    content, uploads = upload_of
    async with running_bot(server, mode, env):
        for _ in range(20):  # warm up: connections, caches
            await reader.ask()
        idle = [await reader.ask() for _ in range(200)]
        done = asyncio.Event()
        waiting = asyncio.create_task(reader.until(done))
        per_upload = await upload(server, admin, content, uploads)
        done.set()
        busy = await waiting
    report(mode, idle, busy, per_upload)


def report(mode: str, idle: list[float], busy: list[float], per_upload: float) -> None:
    def ms(waits: list[float], q: int) -> float:
        return 1000 * statistics.quantiles(waits, n=100)[q - 1] if len(waits) > 1 else 0.0

    median = statistics.median(busy) / statistics.median(idle)
    worst = max(busy) / statistics.median(idle)
    print(
        f"{mode:>9}: /brief idle median {ms(idle, 50):.1f} ms, p99 {ms(idle, 99):.1f} ms; "
        f"during uploads median "
        f"{ms(busy, 50):.1f} ms, p99 {ms(busy, 99):.1f} ms, max {1000 * max(busy):.0f} ms "
        f"({len(busy)} answers); ratio to idle: median {median:.2f}x, worst {worst:.1f}x; "
        f"{per_upload:.2f} s per upload"
    )


async def main(uploads: int) -> None:
    content = plain_brief(MAX_BRIEF_BYTES).encode()
    with tempfile.TemporaryDirectory() as folder:
        database = await reference_database(Path(folder))
        async with FakeBotApi() as server:
            env = bot_environment(server, database, ADMIN_IDS=str(ADMIN_ID), **PAID_RATE)
            admin = server.user(ADMIN_ID, "Editor")  # opens the bot first, as admins do
            reader = Reader(server, [server.user(10_000 + n, "Ada") for n in range(READERS)])
            print(f"{len(content) / 1e6:.2f} MB brief, {uploads} uploads in a row per bot")
            for mode in MODES:
                await measure(server, env, mode, (reader, admin), (content, uploads))
                assert not server.errors(), server.dump()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--uploads", type=int, default=4)
    options = parser.parse_args()
    asyncio.run(main(options.uploads))
