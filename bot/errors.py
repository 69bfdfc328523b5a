"""The one error handler: log with the traceback, apologise to the reader, tell admins briefly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.context import BotContext
from bot.logs import redact
from bot.scope import Outcome, mark

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    mark(Outcome.FAILED)  # the update's, when the error came from handling one
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        await _tell(context, update.effective_chat.id, context.renderer.render("error.html"))
    # An error's text may quote a Bot API URL, and so the token: never into a chat.
    summary = redact(f"{type(context.error).__name__}: {context.error}", context.config.token)[:300]
    for admin_id in sorted(context.config.admin_ids):
        await _tell(context, admin_id, context.renderer.render("admin_error.html", error=summary))


async def _tell(context: BotContext, chat_id: int, text: str) -> None:
    try:
        await context.bot.send_message(chat_id, text)
    except Forbidden:
        log.warning("chat %s has blocked the bot; error notice not delivered", chat_id)
    except TelegramError:
        log.exception("could not deliver an error notice to chat %s", chat_id)
