"""The one error handler: log with the traceback, apologise to the reader, tell admins briefly;
and the notices to admins other parts of the bot send the same way."""

from __future__ import annotations

import logging
from collections.abc import Collection

from telegram import Bot, Update
from telegram.error import Forbidden, TelegramError

from bot.context import BotContext
from bot.logs import redact
from bot.scope import Outcome, mark

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    mark(Outcome.FAILED)  # the update's, when the error came from handling one
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        await tell(context.bot, update.effective_chat.id, context.renderer.render("error.html"))
    # An error's text may quote a Bot API URL, and so the token: never into a chat.
    summary = redact(f"{type(context.error).__name__}: {context.error}", context.config.token)[:300]
    text = context.renderer.render("admin_error.html", error=summary)
    await tell_admins(context.bot, context.config.admin_ids, text)


async def tell_admins(bot: Bot, admin_ids: Collection[int], text: str) -> None:
    """A notice to every admin; one who cannot be reached does not stop the others."""
    for admin_id in sorted(admin_ids):
        await tell(bot, admin_id, text)


async def tell(bot: Bot, chat_id: int, text: str) -> None:
    """A notice that must not fail what sent it: a chat that cannot get it is logged."""
    try:
        await bot.send_message(chat_id, text)
    except Forbidden:
        log.warning("chat %s has blocked the bot; notice not delivered", chat_id)
    except TelegramError:
        log.exception("could not deliver a notice to chat %s", chat_id)
