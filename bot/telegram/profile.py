"""What Telegram shows of the bot before anyone writes to it, set at start: the
description (in an empty chat with the bot) and the short description (on its profile,
and beside a shared link to it), worded by the core (bot/core/guide.py).

Telegram allows these to be set only a few times in a while, so each is set only when it
differs from what Telegram has: a restart with nothing changed costs two reads. A refusal
(a wait Telegram asks for, say) is one warning line; the bot starts all the same, and the
next start tries again.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.config import Config
from bot.core.guide import descriptions
from bot.core.rendering import Renderer

log = logging.getLogger(__name__)


async def set_descriptions(bot: Bot, renderer: Renderer, config: Config) -> None:
    wanted = descriptions(renderer, config.bot_description, config.bot_short_description)
    try:
        if (await bot.get_my_description()).description != wanted.description:
            await bot.set_my_description(wanted.description)
    except TelegramError as error:
        _not_set("description", error)
    try:
        if (await bot.get_my_short_description()).short_description != wanted.short:
            await bot.set_my_short_description(wanted.short)
    except TelegramError as error:
        _not_set("short description", error)


def _not_set(which: str, error: TelegramError) -> None:
    log.warning("the bot's %s was not set (%s); the next start tries again", which, error)
