"""PTB's Application as the composition root (bot/app.py) builds it: the bot's own
transport, budget and update pipeline, long polling or the webhook's queue."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults, JobQueue

from bot.config import Config
from bot.core.budget.pacing import Pacer
from bot.core.limits.flood import FloodGate
from bot.core.metrics import Metrics
from bot.core.readiness import Readiness
from bot.telegram.context import BotContext, BotData, BriefApplication, ChatData
from bot.telegram.limits.early import UpdatesRequest
from bot.telegram.limits.refusals import RefusedChats
from bot.telegram.rate_limiter import SharedRateLimiter
from bot.telegram.transport import AiohttpRequest
from bot.telegram.updates import ObservedUpdates

# Measured with bench/facts.py: enough updates in flight for the bot to batch its work,
# over a pool small enough to keep connections warm.
CONCURRENT_UPDATES = 64
CONNECTION_POOL_SIZE = 16
# What runs once the Bot API has answered (post_init), and at the end (post_shutdown).
Lifecycle = Callable[[BriefApplication], Coroutine[Any, Any, None]]


def build_application(
    config: Config,
    budget: Pacer,
    gate: FloodGate,
    refused: RefusedChats,
    metrics: Metrics,
    readiness: Readiness,
    on_token_refused: Callable[[], None] | None,
    post_init: Lifecycle,
    post_shutdown: Lifecycle,
) -> BriefApplication:
    """PTB's Application over the bot's own transport, budget and update pipeline. With
    WEBHOOK_URL set it has no Updater: bot/telegram/webhook/receiver.py feeds its update queue."""
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
        # Each update timed, counted and given its ids for log lines (bot/telegram/updates.py).
        .concurrent_updates(ObservedUpdates(CONCURRENT_UPDATES, metrics))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if config.webhook_url is not None:
        return builder.updater(None).build()
    # Long polling holds its one connection for up to the poll timeout; an update over its
    # chat's allowance is dropped there, unread (bot/telegram/limits/early.py).
    return builder.get_updates_request(
        _polls(config, gate, metrics, readiness, on_token_refused)
    ).build()


def _polls(
    config: Config,
    gate: FloodGate,
    metrics: Metrics,
    readiness: Readiness,
    on_token_refused: Callable[[], None] | None,
) -> UpdatesRequest:
    return UpdatesRequest(
        gate,
        connections=1,
        proxy=config.proxy,
        on_unauthorized=on_token_refused,
        metrics=metrics,
        on_answer=readiness.bot_api_answered,
    )
