"""Jobs of PTB's job queue that run plain work on the application's services.

The work knows nothing of Telegram (the figures /metrics shows from the database,
bot/web/metrics.py; the heartbeat `briefbot health` reads, bot/web/health.py): the
composition root (bot/app.py) schedules it through `services_job`, which hands it the
services PTB's context carries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from bot.core.services import Services
from bot.telegram.context import BotContext


def services_job(
    work: Callable[[Services], Awaitable[None]],
) -> Callable[[BotContext], Coroutine[Any, Any, None]]:
    """A job callback that runs `work` with the application's services."""

    async def job(context: BotContext) -> None:
        await work(context.services)

    return job
