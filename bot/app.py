"""The composition root: the one place that builds every service and the Application,
and the order in which they start and stop.

`compose` builds it all, storage opened once, before anything talks to Telegram (so a
database that cannot be used is said first); `_start` (PTB's post_init) runs once the
Bot API has answered, and `_stop` (post_shutdown) undoes both, storage closed last.
Without TELEGRAM_BOT_TOKEN, `compose_alone` builds Matrix alone over the same core (no
Application; bot/alone.py starts and stops it in the same order).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from aiohttp import web
from telegram import Update
from telegram.ext import BaseHandler

from bot.config import Config
from bot.core.audio.making import AudioMaker
from bot.core.budget.pacing import Pacer
from bot.core.chat import Messenger
from bot.core.limits.flood import FloodGate
from bot.core.metrics import Metrics
from bot.core.push.assembly import push_engine, stop_push
from bot.core.readiness import Readiness
from bot.core.rendering import Renderer
from bot.core.reports import Reporter
from bot.core.services import Services
from bot.core.subscriptions.timing import utc_now
from bot.matrix.adapter import (
    MatrixAlone,
    MatrixSide,
    build_matrix,
    room_poster,
    start_matrix,
    stop_matrix,
)
from bot.routing import channel_poster, route_push, routed_messenger
from bot.telegram.admin import drafts, editing, guide, recordings, uploads
from bot.telegram.admin import menu as admin_menu
from bot.telegram.admin import push as push_admin
from bot.telegram.application import build_application
from bot.telegram.audio_jobs import start_audio, stop_audio
from bot.telegram.channel_jobs import start_channels
from bot.telegram.context import BotContext, BriefApplication
from bot.telegram.errors import on_error
from bot.telegram.handlers import (
    archive,
    help,
    identity,
    language,
    listen,
    reader,
    search,
    subscription,
)
from bot.telegram.inline import handlers as inline
from bot.telegram.jobs import services_job
from bot.telegram.keyboards import Keyboards
from bot.telegram.limits.flood_handler import flood_handler
from bot.telegram.limits.refusals import RefusedChats, standing_handler
from bot.telegram.menus import set_reader_menus
from bot.telegram.messenger import TelegramMessenger
from bot.telegram.profile import set_descriptions
from bot.telegram.push_jobs import build_push, start_push
from bot.telegram.replies import now
from bot.telegram.webhook.receiver import WebhookReceiver
from bot.telegram.webhook.registration import watch_webhook, webhook_receiver
from bot.ticking import plain_jobs
from bot.version import briefbot_version
from bot.web import health
from bot.web import metrics as metrics_page
from brief.isolated import UploadParser
from storage import Storage
from storage.opening import open_storage

log = logging.getLogger(__name__)
_Built = TypeVar("_Built")
DRAFT_CLEANUP_INTERVAL = timedelta(hours=1)
# In webhook mode: often enough that the Bot API has always answered within the last
# minute (/readyz), rarely enough to cost nothing.
WEBHOOK_WATCH_INTERVAL = timedelta(seconds=25)


@dataclass(frozen=True, slots=True)
class Composed:
    """The running system: the Application (its bot_data holds `services`), the receiver
    of Telegram's posts in webhook mode (WEBHOOK_URL; None when polling), and the routes
    of the bot's HTTP server (bot/web/server.py)."""

    application: BriefApplication
    services: Services
    webhook: WebhookReceiver | None
    routes: list[web.RouteDef]


async def compose(
    config: Config,
    *,
    on_token_refused: Callable[[], None] | None = None,
    readiness: Readiness | None = None,
) -> Composed:
    """Everything, built and wired; nothing started. Raises UnusableDatabaseError (storage
    is the one thing opened here) before touching Telegram. `on_token_refused` hears a
    poll the Bot API refused with 401 (the token was revoked while the bot ran), which PTB
    would only end its polling for. Raises TemplatesError, before the database is opened
    (and perhaps migrated), when a template or catalogue cannot be spoken from."""
    readiness = readiness or Readiness()
    return await _opened(config, lambda r, s: _compose(config, s, r, on_token_refused, readiness))


async def _opened(config: Config, build: Callable[[Renderer, Storage], _Built]) -> _Built:
    """The templates read (TemplatesError first), then storage opened (and migrated), then
    everything built on them; storage closed again if that fails."""
    renderer = Renderer(overrides=config.templates_dir, default_language=config.bot_language)
    storage = await open_storage(config.database)
    if (kept := storage.migration_backup) is not None:
        log.info("migrated the database; the file as it was before is kept as %s", kept)
    try:
        return build(renderer, storage)
    except BaseException:
        await storage.close()
        raise


async def compose_alone(config: Config, readiness: Readiness) -> MatrixAlone:
    """Matrix alone, from the same core and storage; nothing started, Telegram never built.
    Failure reports are logged only: no Telegram admin, and no admin's direct chat known."""
    return await _opened(config, lambda r, s: _alone(config, r, s, readiness))


def _alone(config: Config, renderer: Renderer, storage: Storage, ready: Readiness) -> MatrixAlone:
    assert config.matrix is not None, "Matrix alone is served with MATRIX_* set"
    metrics = Metrics()
    matrix = build_matrix(config.matrix, storage)
    sender, turns = matrix.push_sender, matrix.pacer
    replica, push = push_engine(config, storage, renderer, sender, turns, metrics)
    services = Services(
        config=config,
        renderer=renderer,
        storage=storage,
        upload_parser=UploadParser(),
        messenger=matrix.messenger,
        reporter=Reporter(matrix.messenger, renderer, ()),
        budget=matrix.pacer,
        metrics=metrics,
        readiness=ready,
        replica=replica,
        push=push,
        channels=room_poster(matrix, storage, renderer, push.delivery),
        audio=AudioMaker(storage, renderer, owner=replica.id, clock=utc_now),
    )
    return MatrixAlone(services, matrix, _routes(services, None))


def _compose(
    config: Config,
    storage: Storage,
    renderer: Renderer,
    on_token_refused: Callable[[], None] | None,
    readiness: Readiness,
) -> Composed:
    # The application's own registry for /metrics (bot/core/metrics.py says why not the global one).
    metrics = Metrics()
    # One budget for replies and the push.
    budget = Pacer(config.push_rate_limit, on_pause=metrics.flood_waited)
    gate = FloodGate(config.admin_ids, budget.backlog)
    # Groups that refused the bot a moment ago: not sent to, so they spend no turns.
    refused = RefusedChats()
    # Matrix beside Telegram (MATRIX_*): its own account and budget over the same core.
    matrix = build_matrix(config.matrix, storage) if config.matrix is not None else None
    application = build_application(
        config,
        budget,
        gate,
        refused,
        metrics,
        readiness,
        on_token_refused,
        functools.partial(_start, matrix=matrix),
        functools.partial(_stop, matrix=matrix),
    )
    # The core's buttons as this bot's keyboards; the username is known once the bot started.
    keyboards = Keyboards(lambda: application.bot.username)
    services = _services(
        config, storage, renderer, application, budget, metrics, readiness, keyboards, matrix
    )
    application.bot_data.services = services
    application.bot_data.keyboards = keyboards
    _add_handlers(application, config, gate, refused)
    webhook = webhook_receiver(config, application, gate, storage, metrics)
    return Composed(application, services, webhook, _routes(services, webhook))


def _services(
    config: Config,
    storage: Storage,
    renderer: Renderer,
    application: BriefApplication,
    budget: Pacer,
    metrics: Metrics,
    readiness: Readiness,
    keyboards: Keyboards,
    matrix: MatrixSide | None,
) -> Services:
    routes = functools.partial(route_push, matrix) if matrix is not None else None
    replica, push = build_push(config, storage, renderer, budget, metrics, keyboards, routes)
    # How the core sends, notifies and edits: through the application's bot, paced with
    # every reply (the push alone has a lean sender of its own); a Matrix room's through
    # the Matrix side.
    messenger: Messenger = TelegramMessenger(application.bot, keyboards)
    if matrix is not None:
        messenger = routed_messenger(messenger, matrix)
    # Failure reports go to ERROR_CHAT_ID when set, else to every admin.
    recipients = (config.error_chat_id,) if config.error_chat_id else sorted(config.admin_ids)
    channels = channel_poster(config, storage, renderer, application.bot, messenger, push, matrix)
    return Services(
        config=config,
        renderer=renderer,
        storage=storage,
        upload_parser=UploadParser(),
        messenger=messenger,
        reporter=Reporter(messenger, renderer, recipients),
        budget=budget,
        metrics=metrics,
        readiness=readiness,
        replica=replica,
        push=push,
        channels=channels,
        audio=AudioMaker(storage, renderer, owner=replica.id, clock=now),
    )


def _add_handlers(
    application: BriefApplication, config: Config, gate: FloodGate, refused: RefusedChats
) -> None:
    # Before anything else: an update over its chat's allowance goes no further.
    application.add_handler(flood_handler(gate), group=-3)
    # Earlier still: a change of the bot's standing in a group is never held up.
    application.add_handler(standing_handler(refused), group=-4)
    # Then the language everything after speaks in (one read of the chat's row).
    application.add_handler(language.locale_handler(), group=-2)
    application.add_handlers(_handlers(config))
    # In a group of its own, so it runs beside the handler that answers the update.
    application.add_handler(admin_menu.handler(config.admin_ids), group=-1)
    application.add_error_handler(on_error)


def _handlers(config: Config) -> list[BaseHandler[Update, BotContext, None]]:
    """Every handler, in the order they are tried: the first that matches answers."""
    admins = config.admin_ids
    return [
        # An admin's /help is theirs; everyone else's is the readers' (next).
        *guide.handlers(admins),
        *reader.handlers(),
        *identity.handlers(),
        *archive.handlers(),
        *search.handlers(),
        *listen.handlers(),
        # Inline queries and chosen results: no other handler takes these kinds of update.
        *inline.handlers(),
        *subscription.handlers(),
        *language.handlers(),
        *push_admin.handlers(admins),
        *editing.handlers(admins),
        # An admin's voice message or audio file in reply to a brief: its recording.
        *recordings.handlers(admins),
        # An admin's text and files are uploads; before the reader help below takes them.
        *uploads.handlers(admins),
        drafts.handler(),
        # Anyone else's text, files or admin commands in a private chat: the reader help.
        *help.fallbacks(),
        # Any other button: old or unknown, answered so the client stops its spinner.
        reader.fallback_button(),
    ]


def _routes(services: Services, webhook: WebhookReceiver | None) -> list[web.RouteDef]:
    """Every route of the bot's HTTP server, in one list."""
    routes = health.routes(services.readiness, services.storage)
    handler = metrics_page.metrics_handler(services.metrics, services.config.metrics_token)
    routes.append(web.get("/metrics", handler))
    if webhook is not None:
        routes.append(web.post(webhook.path, webhook.receive))
    return routes


async def _start(application: BriefApplication, *, matrix: MatrixSide | None = None) -> None:
    """Once the Bot API has answered: the push recovers and resumes, the channels are
    checked, the menus and descriptions set, and the jobs scheduled. Updates come after."""
    services = application.bot_data.services
    config, renderer = services.config, services.renderer
    await start_push(application)  # after a crash: release in-flight sends, catch up, resume
    await start_channels(application)  # CHANNEL_IDS: check the bot's rights, then post
    await set_reader_menus(application.bot, renderer)  # in each language the bot speaks
    await admin_menu.set_admin_menus(application.bot, renderer, config.admin_ids)
    await set_descriptions(application.bot, renderer, config)
    await start_audio(application)  # the voices found, then voice notes made in the background
    if matrix is not None:  # the token checked, then the sync stream read in the background
        await start_matrix(matrix, services)
    # What /metrics shows from the database, counted now and then again in the
    # background, never at a scrape.
    await metrics_page.count_figures(services)
    _schedule(application, config)
    log.info("briefbot %s started as @%s", briefbot_version(), application.bot.username)
    if not config.admin_ids:  # a first run: say how to become the bot's admin
        log.warning(
            "no admins: send /id to @%s, then set ADMIN_IDS=<your id> and restart",
            application.bot.username,
        )


def _schedule(application: BriefApplication, config: Config) -> None:
    """The repeating jobs beside the push's and the channels'."""
    jobs = application.job_queue
    assert jobs is not None, "built with a JobQueue"
    jobs.run_repeating(
        drafts.expire_leftovers, DRAFT_CLEANUP_INTERVAL, first=0, name="admin-expire-leftovers"
    )
    # The figures /metrics shows, the daily backup, the heartbeat (bot/ticking.py).
    for job in plain_jobs(config):
        jobs.run_repeating(services_job(job.work), job.interval, first=job.first, name=job.name)
    if config.webhook_url is not None:
        jobs.run_repeating(
            watch_webhook,
            WEBHOOK_WATCH_INTERVAL,
            first=WEBHOOK_WATCH_INTERVAL,
            data={},
            name="webhook-watch",
        )


async def _stop(application: BriefApplication, *, matrix: MatrixSide | None = None) -> None:
    """The reverse of compose and _start, whichever part of the start happened: reports
    sent, the push stopped and the replica gone, then storage closed."""
    services = application.bot_data.services
    try:
        if matrix is not None:
            await stop_matrix(matrix)
        await services.reporter.close()
        await stop_push(services)
        await stop_audio(services)
    finally:
        await services.storage.close()
