"""The bot under bench.matrix, as a process of its own: bench.bot_process's `facts` bot (as
`briefbot run` builds it), here with MATRIX_* set, so that it serves Telegram and Matrix.

What it adds, for the benchmark to read: every M_LIMIT_EXCEEDED the homeserver answers and
the wait it asked for, counted where the Matrix client reads them (bot/matrix/client.py),
written as JSON to BENCH_MATRIX_COUNTS when the process ends (the Matrix side's pauses are
not in /metrics: briefbot_flood_wait_seconds_total is Telegram's budget alone). The
benchmark raises the Matrix side's budget with MATRIX_SEND_RATE, as PUSH_RATE_LIMIT=1000
lifts Telegram's in bench.facts, so that the bot's own cost is measured rather than its
budget.

    python -m bench.matrix_bot      # started by bench.matrix
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse

import bot.matrix.client as matrix_client
from bench.bot_process import serve
from bot.telegram.bot_api import ignore_retry_after_notice

COUNTS = "BENCH_MATRIX_COUNTS"


class LimitCounter:
    """The homeserver's M_LIMIT_EXCEEDED answers and the seconds of waiting they asked for."""

    def __init__(self) -> None:
        self.answers = 0
        self.retry_after = 0.0
        self._read = matrix_client._retry_after

    def __call__(self, body: dict[str, Any], response: ClientResponse) -> float:
        seconds = self._read(body, response)
        self.answers += 1
        self.retry_after += seconds
        return seconds

    def write(self, path: Path) -> None:
        figures = {"limit_exceeded": self.answers, "retry_after_seconds": self.retry_after}
        path.write_text(json.dumps(figures), encoding="utf-8")


def main() -> None:
    counter = LimitCounter()
    # The client reads retry_after_ms through this module-level function, once for each
    # M_LIMIT_EXCEEDED, so counting it there sees every one (the push's and the replies').
    matrix_client._retry_after = counter
    ignore_retry_after_notice()
    try:
        asyncio.run(serve("facts"))
    finally:
        if path := os.environ.get(COUNTS):
            counter.write(Path(path))


if __name__ == "__main__":
    main()
