"""The bot's own cost of answering /facts, as a ratio to a bot that sends the same reply.

Each bot runs as its own process against the same local Bot API server (this process),
with the same Application, rate limiter and transport; 1,000 readers at once each send a
command, wait for the answer and send the next, twice (after one to warm up). A chat takes
three messages at once, then one a second (Telegram's rule, which the bot keeps), so the
load comes from many readers rather than from a few fast ones. The baseline (`reply`)
answers every message with the very reply /facts gives, rendered once, without reading
storage: what /facts costs beyond it is the bot's own work (finding the brief,
remembering the reader's place, rendering), the part this project controls. A bare echo
(`echo`) is printed too: what the reply costs beyond it is the size of the answer (PTB
parses the seven links and the keyboard Telegram sends back), which no bot sending that
answer avoids. Figures: updates answered per second and the bot process's CPU per update.

The reply and /facts runs are made twice: by readers whose app is in English, and by
readers whose app is in another language (`--language`, Spanish by default), who are
answered through the gettext catalogue: what speaking their language costs is the ratio of
the two /facts runs (target: within 5%).

    python -m bench.facts [--readers 1000] [--rounds 2] [--language es]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.setup import PAID_RATE, Answers, bot_environment, reference_database, running_bot
from tests.fakebot import FakeBotApi, FakeUser

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MODES = ("echo", "reply", "facts")
TRANSLATED = ("reply", "facts")  # run again by readers in another language


@dataclass(frozen=True)
class Run:
    mode: str
    updates: int
    seconds: float
    cpu_seconds: float

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_ms_per_update(self) -> float:
        return 1000 * self.cpu_seconds / self.updates


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


class Readers:
    """Readers who each send a command and wait for its answer before the next."""

    def __init__(
        self, server: FakeBotApi, count: int, language: str = "en", first: int = 0
    ) -> None:
        self.server = server
        self.users = [
            server.user(first + n, f"Reader {n}", language_code=language) for n in range(count)
        ]
        self.answers = Answers(server)

    async def _read(self, user: FakeUser, command: str, rounds: int) -> None:
        for _ in range(rounds):
            future = self.answers.expect(user.id)
            await self.server.send_text(user, command)
            await asyncio.wait_for(future, timeout=60)

    async def run(self, command: str, rounds: int) -> float:
        start = time.perf_counter()
        await asyncio.gather(*(self._read(user, command, rounds) for user in self.users))
        return time.perf_counter() - start


async def measure(
    server: FakeBotApi, readers: Readers, env: dict[str, str], mode: str, rounds: int
) -> Run:
    async with running_bot(server, mode, env) as process:
        command = "/facts" if mode == "facts" else "hello"  # reply: what an echo receives
        await readers.run(command, 1)  # warm up: connections, caches, the JIT-less interpreter
        before = cpu_seconds(process.pid)
        seconds = await readers.run(command, rounds)
        used = cpu_seconds(process.pid) - before
    return Run(mode, rounds * len(readers.users), seconds, used)


async def main(readers_count: int, rounds: int, repeats: int, language: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = await reference_database(Path(folder))
        async with FakeBotApi() as server:
            env = bot_environment(server, database, **PAID_RATE)
            english = Readers(server, readers_count, "en", 10_000)
            others = Readers(server, readers_count, language, 10_000 + readers_count)
            plan = [(mode, mode, english) for mode in MODES]
            plan += [(mode, f"{mode}-{language}", others) for mode in TRANSLATED]
            runs: dict[str, list[Run]] = {name: [] for _, name, _ in plan}
            for _ in range(repeats):  # alternate, so drift in the machine hits all alike
                for mode, name, readers in plan:
                    run = await measure(server, readers, env, mode, rounds)
                    runs[name].append(run)
                    print(
                        f"{name:>8}: {run.updates} updates in {run.seconds:.2f} s = "
                        f"{run.per_second:.0f} updates/s, "
                        f"bot CPU {run.cpu_ms_per_update:.3f} ms/update"
                    )
            assert not server.errors(), server.dump()
    report(runs, readers_count, language)


def report(runs: dict[str, list[Run]], readers: int, language: str) -> None:
    rate = {mode: statistics.median(r.per_second for r in rs) for mode, rs in runs.items()}
    cpu = {mode: statistics.median(r.cpu_ms_per_update for r in rs) for mode, rs in runs.items()}
    print(f"\nmedians over {len(runs['echo'])} alternating runs, {readers} readers at once:")
    for mode in runs:
        print(f"  {mode:>5}: {rate[mode]:.0f} updates/s, {cpu[mode]:.3f} ms bot CPU per update")
    ratio = rate["reply"] / rate["facts"]
    print(f"  /facts vs the same reply, time per update: {ratio:.3f}x (target <= 1.15x)")
    print(f"  /facts vs the same reply, bot CPU per update: {cpu['facts'] / cpu['reply']:.3f}x")
    print(f"  /facts throughput: {rate['facts']:.0f} updates/s (target >= 500)")
    print(f"  /facts vs echo, time per update: {rate['echo'] / rate['facts']:.3f}x")
    print("  where /facts' extra bot CPU goes:")
    print(f"    the size of its answer (reply - echo): {cpu['reply'] - cpu['echo']:+.3f} ms")
    print(f"    the bot's own work (facts - reply):    {cpu['facts'] - cpu['reply']:+.3f} ms")
    facts, reply = f"facts-{language}", f"reply-{language}"
    print(f"  readers in {language}:")
    print(f"    /facts vs the same reply, time per update: {rate[reply] / rate[facts]:.3f}x")
    print(f"    /facts throughput: {rate[facts]:.0f} updates/s")
    print(
        f"    /facts in {language} vs in English, time per update: "
        f"{rate['facts'] / rate[facts]:.3f}x, bot CPU per update: "
        f"{cpu[facts] / cpu['facts']:.3f}x (target <= 1.05x)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--language", default="es", help="the other readers' app language")
    options = parser.parse_args()
    asyncio.run(main(options.readers, options.rounds, options.repeats, options.language))
