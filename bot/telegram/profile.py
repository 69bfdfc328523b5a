"""What Telegram shows of the bot before anyone writes to it, set at start: the
description (in an empty chat with the bot) and the short description (on its profile,
and beside a shared link to it), worded by the core (bot/core/guide.py), in each language
the bot speaks.

As the command menus (bot/telegram/menus.py), the default language's texts are kept
without a language code, for every user whose language has no texts of its own, and each
other language's under its code; a language whose text is the default's word for word
keeps none of its own.

Telegram allows these to be set only a few times in a while, so each is set only when it
differs from what Telegram has: a restart with nothing changed costs two reads per
language. A refusal is one warning line; the bot starts all the same, and the next start
tries again. A wait Telegram asks for ends the setting of that text in the other languages
too: each would be refused the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.error import RetryAfter, TelegramError

from bot.config import Config
from bot.core.guide import descriptions
from bot.core.languages import speaking
from bot.core.rendering import Renderer
from bot.telegram.menus import spoken

log = logging.getLogger(__name__)
# A language's text: its code (None: the default, for every user) and the text ("" none).
Texts = list[tuple[str | None, str]]


async def set_descriptions(bot: Bot, renderer: Renderer, config: Config) -> None:
    # A text is removed by leaving it out (None), which the Bot API reads as the empty
    # string its documentation names: PTB's ExtBot, given Defaults, takes "" for an empty
    # sequence of poll options and sends [], which the Bot API refuses.
    rendered = []
    for language in spoken(renderer):
        with speaking(language.language):
            rendered.append((language.code, descriptions(renderer, None, None)))
    longs = [(code, texts.description) for code, texts in rendered]
    shorts = [(code, texts.short) for code, texts in rendered]
    await _set_each(
        "description",
        per_language(longs, config.bot_description),
        read=lambda code: _long(bot, code),
        write=lambda text, code: bot.set_my_description(text or None, language_code=code),
    )
    await _set_each(
        "short description",
        per_language(shorts, config.bot_short_description),
        read=lambda code: _short(bot, code),
        write=lambda text, code: bot.set_my_short_description(text or None, language_code=code),
    )


def per_language(rendered: Texts, operators: str | None = None) -> Texts:
    """What each language keeps: the default's text for everyone, and another language's
    only where it differs from the default's.

    The operator's own words (BOT_DESCRIPTION, BOT_SHORT_DESCRIPTION) are the default's
    text, and every other language's text is removed: those words are the newsroom's, in
    the language it chose, and a reader whose app is in Spanish must see them too, not the
    bot's shipped Spanish wording that they were set to replace.
    """
    (default_code, default), *others = rendered
    if operators:
        return [(default_code, operators), *((code, "") for code, _ in others)]
    return [
        (default_code, default),
        *((code, "" if text == default else text) for code, text in others),
    ]


async def _set_each(
    which: str,
    texts: Texts,
    *,
    read: Callable[[str | None], Awaitable[str]],
    write: Callable[[str, str | None], Awaitable[bool]],
) -> None:
    for code, text in texts:
        try:
            if await read(code) != text:
                await write(text, code)
        except RetryAfter as error:
            _not_set(which, code, error)
            return
        except TelegramError as error:
            _not_set(which, code, error)


async def _long(bot: Bot, code: str | None) -> str:
    return (await bot.get_my_description(language_code=code)).description


async def _short(bot: Bot, code: str | None) -> str:
    return (await bot.get_my_short_description(language_code=code)).short_description


def _not_set(which: str, code: str | None, error: TelegramError) -> None:
    language = f" in {code}" if code else ""
    log.warning(
        "the bot's %s%s was not set (%s); the next start tries again", which, language, error
    )
