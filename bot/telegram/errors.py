"""The one error handler: log with the traceback, then hand the apology and the admins'
report to the Reporter (bot/core/reports.py), which sends them without holding up anyone."""

from __future__ import annotations

import logging

from telegram import Update

from bot.core.redaction import redact
from bot.core.reports import cause_of
from bot.core.scope import UpdateOutcome, mark, reachable
from bot.telegram.bot_api import expected_refusal, remembered
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Returns at once: nothing here waits for a chat's turn."""
    error = context.error
    assert error is not None, "PTB calls the error handler with the error"
    if expected_refusal(error):
        # A chat refused a send made outside the common reply path (bot/core/reading.py's
        # send_reply handles its own): the chat's doing, not a fault anyone must see.
        log.log(
            logging.DEBUG if remembered(error) else logging.INFO,
            "a chat refused the bot: %s",
            error,
        )
        return
    mark(UpdateOutcome.FAILED)  # the update's, when the error came from handling one
    log.error("error while handling an update", exc_info=error)
    chat = update.effective_chat if isinstance(update, Update) else None
    # No apology where sending is what failed: it would fail too, or say the wrong thing.
    if chat is not None and reachable(chat.id):
        user = update.effective_user if isinstance(update, Update) else None
        context.reporter.apologise(chat.id, None if user is None else user.id)
    # An error's text may quote a Bot API URL, and so the token: never into a chat.
    summary = redact(f"{type(error).__name__}: {error}", context.config.token)[:300]
    context.reporter.failed(cause_of(error), summary)
