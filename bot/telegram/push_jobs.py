"""Telegram's push: its lean sender and shared budget, given to the replica and delivery
engine any app builds (bot/core/push/assembly.py, which stops them too), by the composition
root (bot/app.py); the daily delivery's tick and the replica's heartbeat (its work in
bot/core/replicas/takeover.py), started once the bot reaches Telegram as PTB's jobs.

Finding who is due is one indexed query over the stored next-due time, read in batches
(PushEngine.deliver_due), so a tick costs the same with ten subscribers or a million, and
there is one job however many subscribers there are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from bot.config import Config
from bot.core.budget.pacing import Pacer, Turns
from bot.core.metrics import Metrics
from bot.core.push.assembly import BEAT_JOB, push_engine
from bot.core.push.assembly import PUSH_JOB as PUSH_JOB
from bot.core.push.assembly import PUSH_TICK as PUSH_TICK
from bot.core.push.engine import PushEngine, default_concurrency
from bot.core.push.sending import PushSender
from bot.core.rendering import Renderer
from bot.core.replicas import takeover
from bot.core.replicas.replica import HEARTBEAT, Replica
from bot.telegram.context import BotContext, BriefApplication
from bot.telegram.jobs import services_job
from bot.telegram.keyboards import Keyboards
from bot.telegram.push_sender import Sender
from storage import Storage

log = logging.getLogger(__name__)


async def start_schedule(application: BriefApplication) -> None:
    """Tick at once: a bot that was down catches up."""
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is a dependency"
    services = application.bot_data.services
    # The first tick now, not after PUSH_TICK: a job scheduled before the JobQueue starts would
    # count its first run as missed.
    services.push.trigger_due()
    services.readiness.ticked()  # /readyz: the scheduler is on time
    job_queue.run_repeating(tick, interval=PUSH_TICK, first=PUSH_TICK, name=PUSH_JOB)


async def tick(context: BotContext) -> None:
    """Start the delivery and return: shutting down never waits for a long push."""
    _measure_lag(context)
    context.services.push.trigger_due()
    context.services.readiness.ticked()


def _measure_lag(context: BotContext) -> None:
    """How late this tick runs: the JobQueue has already set the next run, one PUSH_TICK after
    the time this one was due."""
    job = context.job
    if job is not None and job.next_t is not None:
        due = job.next_t - PUSH_TICK
        late = max(0.0, (datetime.now(UTC) - due).total_seconds())
        context.services.metrics.scheduler_late(late)


def build_push(
    config: Config,
    storage: Storage,
    renderer: Renderer,
    budget: Pacer,
    metrics: Metrics,
    keyboards: Keyboards,
    routes: Callable[[PushSender, Turns], tuple[PushSender, Turns]] | None = None,
) -> tuple[Replica, PushEngine]:
    """This process's replica and its delivery engine: built, not started. `routes` sends
    another chat app's chats through its own sender and budget (bot/routing.py)."""
    # The push sends over its own lean client (bot/telegram/push_sender.py), not the application's
    # bot, but spends the same budget as the replies PTB sends (bot/telegram/rate_limiter.py):
    # its messages wait behind any reply, and a 429 on either side pauses both.
    sender = Sender(
        config.bot_url,
        config.token,
        paid=config.allow_paid_broadcast,
        connections=default_concurrency(config.push_rate_limit),
        proxy=config.proxy,
        metrics=metrics,
        keyboards=keyboards,
    )
    if storage.send_budget is not None:
        budget.share(storage.send_budget)  # one budget for every replica
    push_sender: PushSender = sender
    turns: Turns = budget
    if routes is not None:
        push_sender, turns = routes(sender, budget)
    return push_engine(config, storage, renderer, push_sender, turns, metrics)


async def start_push(application: BriefApplication) -> None:
    """Join the replicas, recover (release in-flight sends, take over and resume what the
    dead left), then tick and beat."""
    services = application.bot_data.services
    await services.replica.join()
    await takeover.take_over(services)
    await start_schedule(application)
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is a dependency"
    beat = services_job(takeover.beat)
    job_queue.run_repeating(beat, interval=HEARTBEAT, first=HEARTBEAT, name=BEAT_JOB)
