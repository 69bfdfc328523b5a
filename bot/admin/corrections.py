"""After a correction: edit the copies of the brief that readers already hold."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from bot.bot_api import not_modified
from bot.reading import render_part
from bot.rendering import Renderer
from storage import Delivery, Storage, StoredBrief

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EditReport:
    edited: int = 0
    unchanged: int = 0  # Telegram already shows this text, e.g. a second edit after a retry
    unreachable: int = 0  # the reader blocked the bot or deleted the message


async def edit_sent_copies(
    bot: Bot, storage: Storage, renderer: Renderer, stored: StoredBrief
) -> EditReport:
    """Replace every pushed summary of the brief with its current version.

    The push records the summary's message first; it is edited with the re-rendered
    summary and its buttons, so the copy reads exactly like a fresh `/brief`. The
    rate limiter paces the edits with everything else the bot sends.
    """
    reply = render_part(renderer, stored, "summary")
    counts = {"edited": 0, "unchanged": 0, "unreachable": 0}
    for delivery in await storage.deliveries.sent_copies(stored.id):
        # A digest is recorded without message ids: its buttons open the current version.
        if delivery.message_ids:
            counts[await _edit_one(bot, delivery, reply.texts[0], reply.keyboard)] += 1
    return EditReport(**counts)


async def _edit_one(
    bot: Bot, delivery: Delivery, text: str, keyboard: InlineKeyboardMarkup | None
) -> str:
    try:
        await bot.edit_message_text(
            text,
            chat_id=delivery.chat_id,
            message_id=delivery.message_ids[0],
            reply_markup=keyboard,
        )
    except BadRequest as error:
        if not_modified(error):
            return "unchanged"
        # Deleted by the reader, or too old to edit: their copy stays as it was.
        log.info(
            "copy of brief %s in chat %s not edited: %s",
            delivery.brief_id,
            delivery.chat_id,
            error.message,
        )
        return "unreachable"
    except Forbidden:
        return "unreachable"
    return "edited"
