"""Where this machine's CPU goes, for benchmarks that share it with what they measure.

On a small machine the local Bot API server, the bot and PostgreSQL share the cores, and
any other program running meanwhile takes from them: the benchmarks wait for a quiet
machine first, and print where the CPU went so that a disturbed run shows as one.
"""

from __future__ import annotations

import asyncio
import time

from bench.facts import CLOCK_TICKS

QUIET_CORES, QUIET_SAMPLE = 0.2, 1.0


def machine_busy_seconds() -> float:
    """CPU seconds every core spent on anything but waiting, since boot."""
    with open("/proc/stat") as stat:
        ticks = [int(n) for n in stat.readline().split()[1:]]
    idle, iowait = ticks[3], ticks[4]
    return (sum(ticks[:8]) - idle - iowait) / CLOCK_TICKS  # guest time is counted in user


async def quiet_machine(*, within: float = 60.0) -> None:
    """Until the machine is idle (other programs on it would take the cores measured), at
    most `within` seconds; then says how busy it still was."""
    deadline = time.monotonic() + within
    while True:
        before = machine_busy_seconds()
        await asyncio.sleep(QUIET_SAMPLE)
        busy = (machine_busy_seconds() - before) / QUIET_SAMPLE
        if busy <= QUIET_CORES:
            return
        if time.monotonic() > deadline:
            print(f"  (the machine is not idle: {busy:.2f} cores busy before this measurement)")
            return
