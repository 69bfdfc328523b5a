"""The push's parts from any chat app's sender: this process's replica and its delivery
engine, and their stop. Telegram's (bot/telegram/push_jobs.py) passes its lean sender and
the budget it shares with the replies; Matrix alone passes the Matrix side's sender and
pacer. The engine claims, sends and records each copy the same whichever it is given."""

from __future__ import annotations

import functools
import logging
from datetime import timedelta

from bot.config import Config
from bot.core.budget.pacing import Turns
from bot.core.metrics import Metrics
from bot.core.push.engine import PushEngine, default_concurrency
from bot.core.push.sending import PushSender
from bot.core.rendering import Renderer
from bot.core.replicas.replica import DEAD_AFTER, Replica
from bot.core.services import Services
from storage import Storage

log = logging.getLogger(__name__)

# The daily delivery's tick: the one job that finds who is due, whichever app runs it.
PUSH_TICK = timedelta(seconds=20)
PUSH_JOB = "daily-push"
BEAT_JOB = "replica-heartbeat"


def push_engine(
    config: Config,
    storage: Storage,
    renderer: Renderer,
    sender: PushSender,
    turns: Turns,
    metrics: Metrics,
) -> tuple[Replica, PushEngine]:
    """This process's replica and its delivery engine over `sender`, paced by `turns`:
    built, not started."""
    replica = Replica(storage)
    engine = PushEngine(
        sender,
        storage,
        renderer,
        rate=config.push_rate_limit,
        concurrency=default_concurrency(config.push_rate_limit),
        pacer=turns,
        metrics=metrics,
        lease=replica,
        on_failure=functools.partial(replica.forfeit, "had a run fail"),
    )
    return replica, engine


async def stop_push(services: Services) -> None:
    """Before storage closes: stop deliveries in progress and leave, so that another
    replica (or the next start) takes over their claims and pushes at once."""
    await services.push.close()
    try:
        await services.replica.leave()
    except Exception as error:  # whatever the driver raises: stopping goes on
        log.warning("could not leave cleanly (taken for dead in %s): %s", DEAD_AFTER, error)
