"""The one repeating job that delivers the daily push, and start-up after a crash.

Finding who is due is one indexed query over the stored next-due time, read in batches
(PushEngine.deliver_due), so a tick costs the same with ten subscribers or a million, and
there is one job however many subscribers there are.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import UTC, datetime, timedelta

from telegram import Bot
from telegram.error import TelegramError

from bot.context import BotContext, BotData, BriefApplication
from bot.push.engine import PushEngine, default_concurrency
from bot.push.progress import ProgressMessage
from bot.push.sender import Sender
from bot.replicas import DEAD_AFTER, HEARTBEAT, Replica
from storage import PushRun, StoredBrief

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


async def take_over(bot: Bot, data: BotData) -> list[asyncio.Task[PushRun]]:
    """What replicas that stopped beating left half-done goes on here: their claimed sends
    are released to be sent again, and each push they ran is resumed under its own
    record. On SQLite this is what a restart left (the last process is gone).

    A push whose brief is gone or withdrawn is closed with the tally it had, so /stats
    does not show it running forever.
    """
    storage, engine, replica = data.storage, data.push, data.replica
    assert storage is not None
    assert engine is not None
    assert replica is not None
    # One moment for both: every send of a replica whose push is taken over is released.
    alive_since = replica.alive_since()
    released = await storage.deliveries.release_in_flight(alive_since=alive_since)
    if released:
        log.warning("%d sends were in flight in a replica that stopped; they go again", released)
    resumed: list[asyncio.Task[PushRun]] = []
    for run in await storage.pushes.take_over(replica.id, alive_since=alive_since):
        stored = None if run.brief_id is None else await storage.briefs.get(run.brief_id)
        if stored is None or stored.retracted_at is not None:
            log.warning("push %d was interrupted and its brief withdrawn; closing it", run.id)
            await storage.pushes.finish(
                run.id, sent=run.sent, failed=run.failed, skipped=run.skipped, at=datetime.now(UTC)
            )
            continue
        log.warning("push %d of brief %d was interrupted; resuming it", run.id, stored.id)
        report = await _resumed_report(bot, data, run, stored)
        resumed.append(engine.start_push(stored, by=run.started_by, run=run, on_progress=report))
    return resumed


async def beat(context: BotContext) -> None:
    """The replica's heartbeat: say it is alive, then take over what the dead left."""
    try:
        await keep_alive(context.bot, context.bot_data)
    except Exception as error:
        # The database is unreachable, most likely: one line per beat, no notice to the
        # admins (they hear of it from /readyz and the replies that fail). Without its
        # heartbeat the replica stops sending pushes once its lease runs out.
        log.warning("replica heartbeat failed: %s: %s", type(error).__name__, error)


async def keep_alive(bot: Bot, data: BotData) -> None:
    """One heartbeat: say this replica is alive, give back what it owes, take over what
    dead replicas left."""
    replica, engine, storage = data.replica, data.push, data.storage
    if replica is None or engine is None or storage is None:
        return
    await replica.beat()
    if replica.owes_give_back:
        # Its lease ran out (it stalled), or a run died on an error: others may have
        # taken its work for a dead replica's, or nobody ever will. Stop it all and give
        # it back; whatever nobody took is taken below. Retried at every beat until done.
        await engine.stop_runs()
        await storage.deliveries.release_held(replica.id)
        await storage.pushes.release(replica.id)
        replica.given_back()
    await take_over(bot, data)


async def _resumed_report(
    bot: Bot, data: BotData, run: PushRun, stored: StoredBrief
) -> ProgressMessage | None:
    """The admin who started the push sees it go on: the progress message it had, or a
    new one."""
    renderer = data.renderer
    if renderer is None:
        return None
    if run.progress is not None:
        return ProgressMessage(bot, renderer, run.progress, stored)
    if run.started_by is None:
        return None
    text = renderer.render("push_resumed.html", stored=stored)
    try:
        message = await bot.send_message(run.started_by, text)
    except TelegramError as error:
        log.warning("could not tell admin %s the push resumed: %s", run.started_by, error)
        return None
    return ProgressMessage(bot, renderer, (message.chat_id, message.message_id), stored)


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
    await take_over(application.bot, data)
    await start_schedule(application, data.push)
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is a dependency"
    job_queue.run_repeating(beat, interval=HEARTBEAT, first=HEARTBEAT, name=BEAT_JOB)


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
