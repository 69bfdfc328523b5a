"""Telegram's "typing…" in an admin's chat while an upload is read.

Sent once as the reading starts, then every TYPING_EVERY seconds while it lasts (Telegram
shows it for 5 seconds, or until the bot's next message), and no more once the reading is
done, before the answer is sent. It is a courtesy: a refusal (the admin blocked the bot,
say) or a failed request is logged and never fails the upload.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.core.publishing.uploads import Parse
from brief import ParseResult
from brief.isolated import Upload

log = logging.getLogger(__name__)

# Telegram shows a chat action for 5 s: sent again a little before it fades.
TYPING_EVERY = 4.0


@asynccontextmanager
async def typing(bot: Bot, chat_id: int, every: float = TYPING_EVERY) -> AsyncIterator[None]:
    """The chat shows "typing…" from now (sent before the block begins) until the block is
    left; not again after a refusal."""
    if not await _typed(bot, chat_id):
        yield
        return
    task = asyncio.create_task(_keep_typing(bot, chat_id, every))
    try:
        yield
    finally:
        task.cancel()
        await asyncio.wait([task])
        if not task.cancelled() and task.exception() is not None:
            log.error("the typing indicator failed", exc_info=task.exception())


def typing_while(bot: Bot, chat_id: int, parse: Parse) -> Parse:
    """`parse`, the chat showing "typing…" while it runs."""

    async def parse_typing(upload: Upload) -> ParseResult:
        async with typing(bot, chat_id):
            return await parse(upload)

    return parse_typing


async def _keep_typing(bot: Bot, chat_id: int, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        if not await _typed(bot, chat_id):
            return


async def _typed(bot: Bot, chat_id: int) -> bool:
    """Whether the chat shows "typing…" now; False when Telegram refused it."""
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as error:
        log.info("no typing indicator in chat %s: %s", chat_id, error)
        return False
    return True
