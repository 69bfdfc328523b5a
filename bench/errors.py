"""A reader's answer while one user's updates keep failing, against the local Bot API server.

    python -m bench.errors [--groups 12] [--commands 96] [--seconds 4] [--after 6]
                           [--writable-groups 60]

The bot runs as its own process, exactly as `briefbot run` builds it (bench.bot_process),
with one admin and Telegram's free limits, which the server (this process) enforces too.
One account in `--groups` groups sends `--commands` /brief spread evenly over `--seconds`
(a flood attack), in three rounds, each against a fresh bot:

  refused     the groups do not let the bot write: Telegram refuses every reply, as any
              group may (nothing to report)
  failing     every reply in those groups fails with an error the bot does not expect,
              standing for any failing update: each must reach the admin's report
  writable    `--writable-groups` groups the bot may write in, 6 /brief in each (a group's
              whole burst) over `--seconds`, at Telegram's free 30/s: every reply it is let
              send takes a turn of the budget the readers' answers need

Meanwhile, and for `--after` seconds after the last command, readers in chats of their own
send /help one after another; the same readers' /help with that bot idle, just before, is
the baseline. Figures printed for each round: the readers' answer time during the flood,
median and worst, each as a ratio to idle; the admin's reports and how many failures they
count.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.fairness import WAIT_AT_MOST, ask
from bench.setup import PAID_RATE, Answers, bot_environment, reference_database, running_bot
from tests.fakebot import FakeBotApi, FakeChat, FakeUser, RateLimits
from tests.fakebot.groups import GroupBotStatus

ADMIN = 999_999_999
ATTACKER = 999_999_001
FIRST_READER = 500_000_000
IDLE_ASKS = 20
ASK_PAUSE = 0.1  # between one reader's answer and the next reader's /help
# An error Telegram gives for a reply the bot got wrong (no chat can cause it): reported.
WRITABLE_BURST = 6  # /brief per group in the writable round: a group's whole burst
UNEXPECTED = "Bad Request: can't parse entities: unsupported start tag at byte offset 0"


class Readers:
    """A new reader for each question: a chat takes about one message a second, so reusing
    one would measure that pacing, not the bot."""

    def __init__(self, server: FakeBotApi) -> None:
        self._server = server
        self._answers = Answers(server)
        self._next = FIRST_READER

    async def ask_help(self) -> float:
        self._next += 1
        reader = self._server.user(self._next, "Reader")
        return await ask(self._server, self._answers, reader, "/help")


@dataclass
class Round:
    kind: str  # "refused", "failing" or "writable"
    idle: list[float] = field(default_factory=list)
    during: list[float] = field(default_factory=list)
    refused: int = 0  # sends the groups refused
    groups: list[int] = field(default_factory=list)
    answered: int = 0  # replies the groups got
    reports: list[str] = field(default_factory=list)  # what the admin got


def attacked(server: FakeBotApi, kind: str, options: argparse.Namespace) -> list[FakeChat]:
    """The attacker's groups: the bot may not write there, every reply there fails, or
    (writable) the bot writes there as usual."""
    status: GroupBotStatus = "restricted" if kind == "refused" else "member"
    count = options.writable_groups if kind == "writable" else options.groups
    groups = [server.group(-4_000_000 - n, f"Group {n}", bot_status=status) for n in range(count)]
    if kind == "failing":
        for group in groups:
            server.fail(
                "sendMessage", chat_id=group.id, times=None, error_code=400, description=UNEXPECTED
            )
    return groups


def commands(kind: str, options: argparse.Namespace) -> int:
    sent: int = WRITABLE_BURST * options.writable_groups if kind == "writable" else options.commands
    return sent


async def flood(
    server: FakeBotApi, attacker: FakeUser, groups: list[FakeChat], sent: int, seconds: float
) -> None:
    pause = seconds / sent
    for n in range(sent):
        await server.send_text(attacker, "/brief", chat=groups[n % len(groups)])
        await asyncio.sleep(pause)


async def asking(readers: Readers, until: asyncio.Future[None], after: float) -> list[float]:
    """Readers' answer times from now until `after` seconds past the end of `until`."""
    times = []
    ends = math.inf
    while time.perf_counter() < ends:
        times.append(await readers.ask_help())
        await asyncio.sleep(ASK_PAUSE)
        if until.done() and ends == math.inf:
            ends = time.perf_counter() + after
    return times


async def bench_round(database: Path, kind: str, options: argparse.Namespace) -> Round:
    # Telegram's limits in each chat (an admin's chat takes a message a second) and the paid
    # global rate: at 30/s the attacker's own replies would take most of the budget and the
    # readers would wait for it, which is Telegram's rule, not what this measures.
    # The writable round is about that budget, so it runs at the free 30/s.
    paid = kind != "writable"
    limits = RateLimits(enabled=True, global_per_second=1000 if paid else 30)
    measured = Round(kind)
    async with FakeBotApi(limits=limits) as server:
        server.user(ADMIN, "Editor")
        attacker = server.user(ATTACKER, "Mallory")
        groups = attacked(server, kind, options)
        readers = Readers(server)
        rate = PAID_RATE if paid else {}
        env = bot_environment(server, database, ADMIN_IDS=str(ADMIN), **rate)
        async with running_bot(server, "facts", env, quiet=True):
            for _ in range(3):  # warm up: connections, caches
                await readers.ask_help()
            for _ in range(IDLE_ASKS):
                await asyncio.sleep(ASK_PAUSE)  # idle: one reader at a time
                measured.idle.append(await readers.ask_help())
            sent = commands(kind, options)
            flooding = asyncio.ensure_future(flood(server, attacker, groups, sent, options.seconds))
            measured.during = await asking(readers, flooding, options.after)
            measured.reports = [message.text for message in server.sent(ADMIN)]
            ids = {group.id for group in groups}
            measured.refused = sum(call.params.get("chat_id") in ids for call in server.errors())
            measured.groups = sorted(ids)
            measured.answered = sum(len(server.sent(group)) for group in ids)
    return measured


def counted(texts: list[str]) -> int:
    """Failures the admin's reports stand for: one each, or the "N more times" folded in."""
    found = [re.search(r"(\d+) more times?", text) for text in texts]
    return sum(int(match[1]) if match else 1 for match in found)


def show(measured: Round, options: argparse.Namespace) -> None:
    idle = statistics.median(measured.idle)
    median, worst = statistics.median(measured.during), max(measured.during)
    shown = f">{WAIT_AT_MOST:.0f} s" if worst >= WAIT_AT_MOST else f"{worst * 1000:.0f} ms"
    reports = measured.reports
    print(
        f"{measured.kind}: one account sends {commands(measured.kind, options)} /brief in "
        f"{len(measured.groups)} "
        f"groups over {options.seconds:g} s; readers send /help meanwhile and "
        f"{options.after:g} s after\n"
        f"  idle answer {idle * 1000:.1f} ms (median of {IDLE_ASKS}); during: median "
        f"{median * 1000:.1f} ms = {median / idle:.2f}x idle, worst {shown} = "
        f"{worst / idle:.1f}x idle, over {len(measured.during)} answers\n"
        f"  {measured.answered} sent and {measured.refused} refused in the groups; the admin "
        f"had {len(reports)} report(s) by the end, counting {counted(reports)} failure(s)"
        + (
            " (a cause's later ones are counted for one report when its 5 minutes end)"
            if reports
            else ""
        )
    )


async def main(options: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        database = await reference_database(Path(folder))
        for kind in ("refused", "failing", "writable"):
            show(await bench_round(database, kind, options), options)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--groups", type=int, default=12)
    parser.add_argument("--commands", type=int, default=96)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--after", type=float, default=6.0)
    parser.add_argument("--writable-groups", type=int, default=60)
    asyncio.run(main(parser.parse_args()))
