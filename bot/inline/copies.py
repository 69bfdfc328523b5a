"""The copies of a brief sent with inline mode, kept in step with the brief.

Telegram tells the bot which inline message each chosen result became only with inline
feedback on (BotFather: /setinlinefeedback) and only for results with a keyboard (every
one of ours has one). Those are recorded; after a correction each is edited to the new
summary, after a withdrawal each is replaced by a note. Copies sent while feedback was off
are unknown to the bot and stay as they were.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from bot.bot_api import not_modified
from bot.inline.sharing import shared_message
from bot.rendering import Renderer
from storage import InlineCopy, Storage, StoredBrief

log = logging.getLogger(__name__)


class InlineEdits(NamedTuple):
    """What became of a brief's recorded inline copies."""

    edited: int
    unchanged: int  # already showing this text, e.g. a second edit after a retry
    failed: int  # Telegram refused: the message was deleted, or is too old to edit


async def update_inline_copies(
    bot: Bot, storage: Storage, renderer: Renderer, stored: StoredBrief, *, withdrawn: bool
) -> InlineEdits:
    """Edit every recorded inline copy of the brief: its current summary and buttons, or
    (`withdrawn`) a note that it was withdrawn, without buttons.

    The rate limiter paces the edits with everything else the bot sends.
    """
    text, keyboard = _content(bot, renderer, stored, withdrawn=withdrawn)
    counts = {"edited": 0, "unchanged": 0, "failed": 0}
    for copy in await storage.inline_copies.of_brief(stored.id):
        counts[await _edit_one(bot, copy, text, keyboard)] += 1
    return InlineEdits(**counts)


async def bring_up_to_date(
    bot: Bot, renderer: Renderer, stored: StoredBrief, copy: InlineCopy
) -> None:
    """A copy just chosen from an answer older than the brief's current version (Telegram
    keeps answers for a while): edited as the correction or withdrawal edited the others."""
    text, keyboard = _content(bot, renderer, stored, withdrawn=stored.retracted_at is not None)
    await _edit_one(bot, copy, text, keyboard)


def _content(
    bot: Bot, renderer: Renderer, stored: StoredBrief, *, withdrawn: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    if withdrawn:
        return renderer.render("inline_withdrawn.html", brief_id=stored.id), None
    message = shared_message(renderer, bot.username, stored)
    return message.text, message.keyboard


async def _edit_one(
    bot: Bot, copy: InlineCopy, text: str, keyboard: InlineKeyboardMarkup | None
) -> str:
    try:
        await bot.edit_message_text(
            text, inline_message_id=copy.inline_message_id, reply_markup=keyboard
        )
    except BadRequest as error:
        if not_modified(error):
            return "unchanged"
        log.info(
            "inline copy %s of brief %s not edited: %s",
            copy.inline_message_id,
            copy.brief_id,
            error.message,
        )
        return "failed"
    except Forbidden as error:
        log.info("inline copy %s not edited: %s", copy.inline_message_id, error.message)
        return "failed"
    return "edited"
