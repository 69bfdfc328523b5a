"""The local Bot API server for the push benchmarks, as a process of its own.

So the bot's CPU time and memory are measured without the server's. Prints `URL <root>`
once listening; `GET /stats` answers what it received; ends when its stdin closes.

    python -m bench.push_server --users 1000 [--rate 30] [--fail-429 0.05]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter

from aiohttp import web

from tests.fakebot import FakeBotApi, RateLimits


class BenchServer(FakeBotApi):
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/stats":
            return web.json_response(self.stats())
        return await super()._handle(request)

    def stats(self) -> dict[str, float]:
        per_chat = Counter(m.chat_id for m in self.world.sent_order)
        arrivals = self.send_times()
        return {
            "messages": sum(per_chat.values()),
            "chats": len(per_chat),
            "doubled": sum(1 for n in per_chat.values() if n > 1),
            "answered_429": sum(1 for c in self.calls if c.error_code == 429),
            "limit_refusals": self.limit_refusals,
            # From the first send's arrival to the last's: the push's pace, without its start.
            "span": max(arrivals) - min(arrivals) if len(arrivals) > 1 else 0.0,
            # This process's CPU so far: the parent reads it before and after a push, to
            # tell whether the server (sharing the machine's cores) was what bound the rate.
            "server_cpu": time.process_time(),
        }


async def serve(users: int, rate: float | None, fail_429: float) -> None:
    limits = RateLimits(enabled=rate is not None, global_per_second=int(rate or 30))
    server = BenchServer(limits=limits)
    for chat_id in range(1, users + 1):
        server.user(chat_id)
    if fail_429:
        server.fail_ratio(
            "sendMessage", fail_429, 429, "Too Many Requests: retry after 1", {"retry_after": 1}
        )
    await server.start()
    print(f"URL {server.url}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # the parent closes our stdin to stop us
    await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--rate", type=float, default=None, help="enforce this global limit")
    parser.add_argument("--fail-429", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(serve(args.users, args.rate, args.fail_429))


if __name__ == "__main__":
    main()
