"""The composition root: the one place that builds the Application and wires everything."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    BaseHandler,
    ContextTypes,
    Defaults,
    JobQueue,
)

from bot.backups import CHECK_INTERVAL, FIRST_CHECK, daily_backup
from bot.channels.posting_job import open_channels
from bot.config import Config
from bot.context import BotContext, BotData, BriefApplication, ChatData
from bot.errors import on_error
from bot.handlers import (
    admin_menu,
    archive,
    drafts,
    editing,
    help,
    push_admin,
    reader,
    search,
    subscription,
    uploads,
)
from bot.inline import handlers as inline
from bot.limits.early import UpdatesRequest
from bot.limits.flood import FloodGate
from bot.limits.flood_handler import flood_handler
from bot.limits.refusals import RefusedChats, standing_handler
from bot.limits.replies import SharedRateLimiter
from bot.metrics import Metrics
from bot.push.pacing import Pacer
from bot.push.scheduler import close_push, open_push
from bot.reading import command_menu
from bot.rendering import Renderer
from bot.reports import Reporter
from bot.transport import AiohttpRequest
from bot.updates import ObservedUpdates
from bot.web import health
from bot.web import metrics as metrics_page
from bot.web.readiness import Readiness
from bot.web.webhook import WebhookReceiver
from bot.web.webhook_registration import watch_webhook
from brief.isolated import UploadParser
from storage.opening import open_storage

log = logging.getLogger(__name__)
# Measured with bench/facts.py: enough updates in flight for the bot to batch its work,
# over a pool small enough to keep connections warm.
CONCURRENT_UPDATES = 64
CONNECTION_POOL_SIZE = 16
DRAFT_CLEANUP_INTERVAL = timedelta(hours=1)
# In webhook mode: often enough that the Bot API has always answered within the last
# minute (/readyz), rarely enough to cost nothing.
WEBHOOK_WATCH_INTERVAL = timedelta(seconds=25)


def build_application(
    config: Config,
    *,
    on_token_refused: Callable[[], None] | None = None,
    readiness: Readiness | None = None,
) -> BriefApplication:
    """The Application; `on_token_refused` hears a poll the Bot API refused with 401 (the
    token was revoked while the bot ran), which PTB would only end its polling for. With
    WEBHOOK_URL set it has no Updater: bot/web/webhook.py feeds its update queue."""
    # The application's own registry for /metrics (bot/metrics.py says why not the global one).
    metrics = Metrics()
    # One budget for replies and the push.
    budget = Pacer(config.push_rate_limit, on_pause=metrics.flood_waited)
    gate = FloodGate(config.admin_ids, budget.backlog)
    # Groups that refused the bot a moment ago: not sent to, so they spend no turns.
    refused = RefusedChats()
    readiness = readiness or Readiness()
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.bot_url)
        .base_file_url(config.file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .context_types(ContextTypes(context=BotContext, bot_data=BotData, chat_data=ChatData))
        .job_queue(JobQueue[BotContext]())
        # Replies to readers share Telegram's global budget with the push, and go first;
        # a RetryAfter pauses every send and is retried rather than dropped.
        .rate_limiter(SharedRateLimiter(budget, refused))
        .request(
            AiohttpRequest(
                connections=CONNECTION_POOL_SIZE,
                proxy=config.proxy,
                metrics=metrics,
                on_answer=readiness.bot_api_answered,
            )
        )
        # Each update timed, counted and given its ids for log lines (bot/updates.py).
        .concurrent_updates(ObservedUpdates(CONCURRENT_UPDATES, metrics))
        .post_init(_open)
        .post_shutdown(_close)
    )
    if config.webhook_url is None:
        # Long polling holds its one connection for up to the poll timeout.
        updates = UpdatesRequest(
            gate,
            connections=1,
            proxy=config.proxy,
            on_unauthorized=on_token_refused,
            metrics=metrics,
            on_answer=readiness.bot_api_answered,
        )
        builder = builder.get_updates_request(updates)
    else:
        builder = builder.updater(None)
    application = builder.build()
    if config.webhook_url is not None:
        path = urlsplit(config.webhook_url).path or "/"
        application.bot_data.webhook = WebhookReceiver(
            application.update_queue, application.bot, gate, path, metrics
        )
    application.bot_data.readiness = readiness
    application.bot_data.config = config
    application.bot_data.renderer = renderer = Renderer()
    # Failure reports go to ERROR_CHAT_ID when set, else to every admin.
    recipients = (config.error_chat_id,) if config.error_chat_id else sorted(config.admin_ids)
    application.bot_data.reporter = Reporter(application.bot, renderer, recipients)
    application.bot_data.upload_parser = UploadParser()
    application.bot_data.budget = budget
    application.bot_data.metrics = metrics
    # Before anything else: an update over its chat's allowance goes no further.
    application.add_handler(flood_handler(gate), group=-2)
    # Earlier still: a change of the bot's standing in a group is never held up.
    application.add_handler(standing_handler(refused), group=-3)
    application.add_handlers(_handlers(config))
    # In a group of its own, so it runs beside the handler that answers the update.
    application.add_handler(admin_menu.handler(config.admin_ids), group=-1)
    application.add_error_handler(on_error)
    return application


def web_routes(application: BriefApplication) -> list[web.RouteDef]:
    """Every route of the bot's HTTP server (bot/web/server.py), in one list."""
    data = application.bot_data
    assert data.readiness is not None, "build_application sets it"
    routes = health.routes(data.readiness, lambda: data.storage)
    routes.append(web.get("/metrics", metrics_page.metrics_handler(application)))
    if data.webhook is not None:
        routes.append(web.post(data.webhook.path, data.webhook.receive))
    return routes


def _handlers(config: Config) -> list[BaseHandler[Update, BotContext, None]]:
    """Every handler, in the order they are tried: the first that matches answers."""
    admins = config.admin_ids
    return [
        *reader.handlers(),
        *archive.handlers(),
        *search.handlers(),
        # Inline queries and chosen results: no other handler takes these kinds of update.
        *inline.handlers(),
        *subscription.handlers(),
        *push_admin.handlers(admins),
        *editing.handlers(admins),
        # An admin's text and files are uploads; before the reader help below takes them.
        *uploads.handlers(admins),
        drafts.handler(),
        # Anyone else's text, files or admin commands in a private chat: the reader help.
        *help.fallbacks(),
        # Any other button: old or unknown, answered so the client stops its spinner.
        reader.fallback_button(),
    ]


async def _open(application: BriefApplication) -> None:
    data = application.bot_data
    assert data.config is not None
    assert data.renderer is not None
    data.storage = await open_storage(data.config.database)
    await open_push(application)  # after a crash: release in-flight sends, catch up, resume
    await open_channels(application)  # CHANNEL_IDS: check the bot's rights, then post
    await application.bot.set_my_commands(command_menu(data.renderer.lines("commands.txt")))
    await admin_menu.set_admin_menus(application.bot, data.renderer, data.config.admin_ids)
    assert application.job_queue is not None, "built with a JobQueue"
    job_queue = application.job_queue
    job_queue.run_repeating(
        drafts.expire_leftovers, DRAFT_CLEANUP_INTERVAL, first=0, name="admin-expire-leftovers"
    )
    # What /metrics shows from the database, counted now and then again in the
    # background, never at a scrape.
    await metrics_page.count_figures(data)
    refresh = metrics_page.REFRESH
    job_queue.run_repeating(
        metrics_page.refresh_figures, refresh, first=refresh, name=metrics_page.JOB_NAME
    )
    if data.config.backup_dir is not None:
        job_queue.run_repeating(
            daily_backup, CHECK_INTERVAL, first=FIRST_CHECK, name="daily-backup"
        )
    if data.config.http_port is None:  # else `briefbot health` asks /readyz instead
        job_queue.run_repeating(
            health.heartbeat, health.HEARTBEAT_INTERVAL, first=1, name="heartbeat"
        )
    if data.webhook is not None:
        job_queue.run_repeating(
            watch_webhook,
            WEBHOOK_WATCH_INTERVAL,
            first=WEBHOOK_WATCH_INTERVAL,
            data={},
            name="webhook-watch",
        )
    log.info("briefbot started as @%s", application.bot.username)


async def _close(application: BriefApplication) -> None:
    if application.bot_data.reporter is not None:
        await application.bot_data.reporter.close()
    await close_push(application)
    if application.bot_data.storage is not None:
        await application.bot_data.storage.close()
        application.bot_data.storage = None
