"""The push's jobs: the daily delivery's tick and the replica's heartbeat (its work in
bot/push/takeover.py), started with storage, and stopped before it closes.

Finding who is due is one indexed query over the stored next-due time, read in batches
(PushEngine.deliver_due), so a tick costs the same with ten subscribers or a million, and
there is one job however many subscribers there are.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime, timedelta

from bot.context import BotContext, BotData, BriefApplication
from bot.push import takeover
from bot.push.engine import PushEngine, default_concurrency
from bot.push.sender import Sender
from bot.replicas import DEAD_AFTER, HEARTBEAT, Replica

log = logging.getLogger(__name__)

TICK = timedelta(seconds=20)
JOB_NAME = "daily-push"
BEAT_JOB = "replica-heartbeat"


async def start_schedule(application: BriefApplication, engine: PushEngine) -> None:
    """Tick at once: a bot that was down catches up."""
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is a dependency"
    # The first tick now, not after TICK: a job scheduled before the JobQueue starts would
    # count its first run as missed.
    engine.trigger_due()
    _ticked(application.bot_data)
    job_queue.run_repeating(tick, interval=TICK, first=TICK, name=JOB_NAME)


async def tick(context: BotContext) -> None:
    """Start the delivery and return: shutting down never waits for a long push."""
    _measure_lag(context)
    engine = context.bot_data.push
    if engine is not None:
        engine.trigger_due()
    _ticked(context.bot_data)


def _ticked(data: BotData) -> None:
    if data.readiness is not None:
        data.readiness.ticked()  # /readyz: the scheduler is on time


def _measure_lag(context: BotContext) -> None:
    """How late this tick runs: the JobQueue has already set the next run, one TICK after
    the time this one was due."""
    job, metrics = context.job, context.bot_data.metrics
    if job is not None and job.next_t is not None and metrics is not None:
        due = job.next_t - TICK
        metrics.scheduler_late(max(0.0, (datetime.now(UTC) - due).total_seconds()))


async def open_push(application: BriefApplication) -> None:
    """Called once storage is open: build the engine, recover, schedule, resume."""
    data = application.bot_data
    assert data.config is not None
    assert data.storage is not None
    assert data.renderer is not None
    config = data.config
    concurrency = default_concurrency(config.push_rate_limit)
    # The push sends over its own lean client (bot/push/sender.py), not the application's
    # bot, but spends the same budget as the replies PTB sends (bot/limits/replies.py):
    # its messages wait behind any reply, and a 429 on either side pauses both.
    sender = Sender(
        config.bot_url,
        config.token,
        paid=config.allow_paid_broadcast,
        connections=concurrency,
        proxy=config.proxy,
        metrics=data.metrics,
    )
    data.replica = Replica(data.storage)
    await data.replica.join()
    if data.storage.send_budget is not None and data.budget is not None:
        data.budget.share(data.storage.send_budget)  # one budget for every replica
    data.push = PushEngine(
        sender,
        data.storage,
        data.renderer,
        rate=config.push_rate_limit,
        concurrency=concurrency,
        pacer=data.budget,
        metrics=data.metrics,
        lease=data.replica,
        on_failure=functools.partial(data.replica.forfeit, "had a run fail"),
    )
    await takeover.take_over(application.bot, data)
    await start_schedule(application, data.push)
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is a dependency"
    job_queue.run_repeating(takeover.beat, interval=HEARTBEAT, first=HEARTBEAT, name=BEAT_JOB)


async def close_push(application: BriefApplication) -> None:
    """Before storage closes: stop deliveries in progress and leave, so that another
    replica (or the next start) takes over their claims and pushes at once."""
    data = application.bot_data
    engine, data.push = data.push, None
    if engine is not None:
        await engine.close()
    replica, data.replica = data.replica, None
    if replica is not None:
        try:
            await replica.leave()
        except Exception as error:  # whatever the driver raises: stopping goes on
            log.warning("could not leave cleanly (taken for dead in %s): %s", DEAD_AFTER, error)
