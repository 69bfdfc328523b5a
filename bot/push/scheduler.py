"""The one repeating job that delivers the daily push, and start-up after a crash.

Finding who is due is one indexed query over the stored next-due time, read in batches
(PushEngine.deliver_due), so a tick costs the same with ten subscribers or a million, and
there is one job however many subscribers there are.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from telegram.error import TelegramError

from bot.context import BotContext, BotData, BriefApplication
from bot.push.engine import PushEngine, default_concurrency
from bot.push.progress import ProgressMessage
from bot.push.sender import Sender
from storage import PushRun, StoredBrief

log = logging.getLogger(__name__)

TICK = timedelta(seconds=20)
JOB_NAME = "daily-push"


async def start_schedule(application: BriefApplication, engine: PushEngine) -> None:
    """Release sends a crash left in flight, then tick at once: a bot that was down catches up."""
    storage = application.bot_data.storage
    assert storage is not None
    released = await storage.deliveries.release_in_flight()
    if released:
        log.warning("%d deliveries were in flight at the last stop; they are sent again", released)
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


async def resume_push(
    application: BriefApplication, engine: PushEngine
) -> list[asyncio.Task[PushRun]]:
    """Every push a stop left unfinished goes on, each under its own record.

    One whose brief is gone or withdrawn is closed with the tally it had, so /stats does
    not show it running forever.
    """
    storage = application.bot_data.storage
    assert storage is not None
    resumed: list[asyncio.Task[PushRun]] = []
    for run in await storage.pushes.unfinished():
        stored = None if run.brief_id is None else await storage.briefs.get(run.brief_id)
        if stored is None or stored.retracted_at is not None:
            log.warning("push %d was interrupted and its brief withdrawn; closing it", run.id)
            await storage.pushes.finish(
                run.id, sent=run.sent, failed=run.failed, skipped=run.skipped, at=datetime.now(UTC)
            )
            continue
        log.warning("push %d of brief %d was interrupted; resuming it", run.id, stored.id)
        report = await _resumed_report(application, run, stored)
        resumed.append(engine.start_push(stored, by=run.started_by, run=run, on_progress=report))
    return resumed


async def _resumed_report(
    application: BriefApplication, run: PushRun, stored: StoredBrief
) -> ProgressMessage | None:
    """The admin who started the push sees it go on: a new progress message."""
    renderer = application.bot_data.renderer
    if run.started_by is None or renderer is None:
        return None
    text = renderer.render("push_resumed.html", stored=stored)
    try:
        message = await application.bot.send_message(run.started_by, text)
    except TelegramError as error:
        log.warning("could not tell admin %s the push resumed: %s", run.started_by, error)
        return None
    return ProgressMessage(application.bot, renderer, message, stored)


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
    data.push = PushEngine(
        sender,
        data.storage,
        data.renderer,
        rate=config.push_rate_limit,
        concurrency=concurrency,
        pacer=data.budget,
        metrics=data.metrics,
    )
    await start_schedule(application, data.push)
    await resume_push(application, data.push)


async def close_push(application: BriefApplication) -> None:
    """Before storage closes: stop deliveries in progress (their claims are released next start)."""
    engine, application.bot_data.push = application.bot_data.push, None
    if engine is not None:
        await engine.close()
