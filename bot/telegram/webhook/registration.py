"""Asking Telegram to post updates to WEBHOOK_URL, with the secret every replica agrees on,
and watching that Telegram can deliver there. The receiver of those posts is
bot/telegram/webhook/receiver.py.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from telegram.error import TelegramError

from bot.config import Config
from bot.core.limits.flood import FloodGate
from bot.core.metrics import Metrics
from bot.core.redaction import redact_also
from bot.telegram.context import BotContext, BriefApplication
from bot.telegram.webhook.receiver import ALLOWED_UPDATES, WebhookReceiver
from storage import Storage

log = logging.getLogger(__name__)

SECRET_KEY = "webhook_secret"  # where a generated secret is kept (storage.state)


async def agreed_secret(config: Config, storage: Storage) -> str:
    """WEBHOOK_SECRET, or the one generated at the first start and kept in the database
    (every replica and every restart then agrees on it)."""
    if config.webhook_secret is not None:
        return config.webhook_secret
    return await storage.state.put_if_absent(SECRET_KEY, secrets.token_urlsafe(32))


async def start_webhook(application: BriefApplication, receiver: WebhookReceiver) -> None:
    """Ask Telegram to post updates to WEBHOOK_URL, then take them."""
    services = application.bot_data.services
    config = services.config
    assert config.webhook_url is not None, "a receiver is built only with WEBHOOK_URL"
    secret = await agreed_secret(config, services.storage)
    # PTB logs each call's parameters at DEBUG: the secret is hidden like the token.
    redact_also(secret, "<webhook secret>")
    receiver.open(secret)  # before setWebhook: Telegram may post at once
    await application.bot.set_webhook(
        config.webhook_url,
        secret_token=secret,
        allowed_updates=ALLOWED_UPDATES,
        max_connections=config.webhook_max_connections,
    )
    log.info("receiving updates by webhook at %s", config.webhook_url)


async def watch_webhook(context: BotContext) -> None:
    """A job in webhook mode: a cheap call that keeps "the Bot API answered lately" true
    when no update comes, and says when Telegram could not deliver to the webhook."""
    try:
        info = await context.bot.get_webhook_info()
    except TelegramError as error:  # /readyz says so once it lasts; admins are not paged
        log.warning("asking Telegram about the webhook failed (%s)", error)
        return
    seen = context.job.data if context.job is not None else None
    failed_at = info.last_error_date
    if failed_at is not None and isinstance(seen, dict) and seen.get("last") != failed_at:
        seen["last"] = failed_at  # each failure said once
        log.warning(
            "Telegram could not deliver to the webhook at %s: %s (%d updates waiting)",
            failed_at.isoformat(),
            info.last_error_message,
            info.pending_update_count,
        )


def webhook_receiver(
    config: Config,
    application: BriefApplication,
    gate: FloodGate,
    storage: Storage,
    metrics: Metrics,
) -> WebhookReceiver | None:
    """The receiver of Telegram's posts in webhook mode (WEBHOOK_URL); None when polling."""
    if config.webhook_url is None:
        return None
    path = urlsplit(config.webhook_url).path or "/"
    return WebhookReceiver(application.update_queue, application.bot, gate, storage, path, metrics)
