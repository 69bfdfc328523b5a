"""Several `briefbot run` processes in webhook mode behind one round-robin load balancer,
as an operator runs replicas behind nginx: shared by the replica tests and bench.replicas."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import webhook_env
from tests.fakebot import FakeBotApi, free_port
from tests.fakebot.balancer import RoundRobin


@dataclass
class Replicas:
    balancer: RoundRobin
    bots: list[BotProcess]
    codes: list[int] = field(default_factory=list)  # each one's exit code, once stopped


@asynccontextmanager
async def webhook_replicas(
    server: FakeBotApi, count: int, env: dict[str, str], cwd: Path
) -> AsyncIterator[Replicas]:
    """`count` replicas with `env` (the database among it), each listening on a port of its
    own but giving Telegram the balancer's URL; yielded once every one has set the webhook,
    stopped with SIGINT on exit (their exit codes in `codes`). `server` must be `local`
    (http:// webhooks) and have seen no setWebhook yet."""
    ports = [free_port() for _ in range(count)]
    upstreams = [webhook_env(port)["WEBHOOK_URL"] for port in ports]
    async with RoundRobin(free_port(), upstreams) as balancer:
        envs = [{**env, **webhook_env(port), "WEBHOOK_URL": balancer.url} for port in ports]
        bots = await asyncio.gather(*(BotProcess.start(one, cwd) for one in envs))
        replicas = Replicas(balancer, list(bots))
        try:
            # Each replica takes updates before it calls setWebhook
            # (bot/telegram/webhook/receiver.py).
            await server.wait_for_call("setWebhook", count=count, timeout=60)
            yield replicas
        finally:
            replicas.codes = await asyncio.gather(*(bot.finish(signal.SIGINT) for bot in bots))
