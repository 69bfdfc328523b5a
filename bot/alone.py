"""Matrix alone: `briefbot run` with MATRIX_* set and no TELEGRAM_BOT_TOKEN.

The same core, storage and guarantees as beside Telegram, without PTB's Application: the
bot's HTTP server (/healthz, /readyz, /metrics) listens from the start; the homeserver is
asked who the token is first (a refused token is one line, exit code 1); then, in the
order Telegram's start takes (bot/app.py `_start`), the replica joins and takes over what
the dead left, the push ticks, MATRIX_ROOM_IDS are checked and posted to, voice notes are
made, the sync stream is read, and the repeating jobs run (bot/ticking.py, in place of
PTB's JobQueue). A stop (SIGTERM, SIGINT) undoes it all in reverse, storage closed last.

/readyz: ready once the homeserver has answered within the last minute (each sync batch,
or while another replica reads the stream, its whoami every few seconds), the push ticks
and the database answers. Failure reports are logged only: MATRIX_ADMIN_IDS are people,
and the bot keeps no record of their direct chats to report to.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.app import DRAFT_CLEANUP_INTERVAL, compose_alone
from bot.config import Config
from bot.core.audio.starting import start_making, stop_making
from bot.core.channels.poster import CHANNELS_JOB, CHANNELS_TICK
from bot.core.publishing.drafts import drop_expired
from bot.core.push.assembly import BEAT_JOB, PUSH_JOB, PUSH_TICK, stop_push
from bot.core.readiness import Readiness
from bot.core.replicas import takeover
from bot.core.replicas.replica import HEARTBEAT
from bot.core.services import Services
from bot.core.subscriptions.timing import utc_now
from bot.exits import ExitCode, serve_http
from bot.matrix.adapter import (
    MatrixAlone,
    MatrixStartError,
    check_account,
    start_matrix,
    stop_matrix,
)
from bot.ticking import Repeating, Ticker, plain_jobs
from bot.version import briefbot_version
from bot.web import metrics as metrics_page
from bot.web.server import WebServer

log = logging.getLogger(__name__)
# The HTTP server takes no posts without Telegram's webhook: a small body is plenty.
_MAX_BODY = 64 * 1024


async def serve_alone(config: Config, stop: asyncio.Event, api_fresh: float) -> int:
    """Serve Matrix alone until `stop` is set; the process's exit code. Raises
    UnusableDatabaseError, as Telegram's start does, before the homeserver is asked."""
    readiness = Readiness(bot_api_fresh=api_fresh, api="the homeserver")
    alone = await compose_alone(config, readiness)
    server = None
    if config.http_port is not None:
        server = WebServer(config.http_host, config.http_port, alone.routes, max_body=_MAX_BODY)
    ticker = Ticker(alone.services)
    try:
        if server is not None and not await serve_http(server, config):
            return ExitCode.UNUSABLE_SETTING
        try:
            await _start(alone, ticker)
        except MatrixStartError as error:
            log.error("%s", error)
            return ExitCode.FAILED
        readiness.serving = True
        await stop.wait()
        return ExitCode.STOPPED
    finally:
        readiness.stopping = True
        await _stop(alone, ticker)
        if server is not None:
            await server.stop()


async def _start(alone: MatrixAlone, ticker: Ticker) -> None:
    services = alone.services
    await check_account(alone.matrix)  # as Telegram's getMe: nothing joins before it answers
    services.readiness.bot_api_answered()
    await _start_push(services, ticker)
    if alone.matrix.settings.room_ids:  # check the rooms (logged), then post every tick
        await services.channels.check(tell_admins=True)
        ticker.every(Repeating(CHANNELS_JOB, CHANNELS_TICK, _post_rooms, timedelta(seconds=1)))
    await start_making(services)  # the voices found, then voice notes made in the background
    await start_matrix(alone.matrix, services, on_answer=services.readiness.bot_api_answered)
    await metrics_page.count_figures(services)
    ticker.every(Repeating("admin-expire-leftovers", DRAFT_CLEANUP_INTERVAL, _expire_drafts))
    for job in plain_jobs(services.config):
        ticker.every(job)
    log.info("briefbot %s started on Matrix alone", briefbot_version())


async def _start_push(services: Services, ticker: Ticker) -> None:
    """Join the replicas, recover (release in-flight sends, take over and resume what the
    dead left), then tick at once (a bot that was down catches up) and beat."""
    await services.replica.join()
    await takeover.take_over(services)
    await _tick(services)
    late = services.metrics.scheduler_late
    ticker.every(Repeating(PUSH_JOB, PUSH_TICK, _tick, PUSH_TICK), late=late)
    ticker.every(Repeating(BEAT_JOB, HEARTBEAT, takeover.beat, HEARTBEAT))


async def _tick(services: Services) -> None:
    """Start the delivery and return: stopping never waits for a long push."""
    services.push.trigger_due()
    services.readiness.ticked()  # /readyz: the scheduler is on time


async def _post_rooms(services: Services) -> None:
    await services.channels.post_due()


async def _expire_drafts(services: Services) -> None:
    """What the core drops of an admin's work once it waited too long (Telegram's job drops
    its webhook's old updates too; there are none here)."""
    await drop_expired(services.storage, utc_now())


async def _stop(alone: MatrixAlone, ticker: Ticker) -> None:
    """The reverse of the start, whichever part of it happened; storage closed last."""
    services = alone.services
    try:
        await ticker.stop()
        await stop_matrix(alone.matrix)
        await services.reporter.close()
        await stop_push(services)
        await stop_making(services)
    finally:
        await services.storage.close()
