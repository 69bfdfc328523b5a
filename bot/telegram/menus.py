"""The command menus, one per language the bot speaks, set at start.

Telegram shows a user the menu set for their own language (the `language_code` of their
app) and, when there is none, the menu set without one. So the bot's default language
(BOT_LANGUAGE) is set without a code, for everyone whose language the bot does not speak,
and every other language it speaks under its own code. A Spanish reader sees the Spanish
menu before they ever write to the bot.

Telegram takes only two lower-case letters as a code: a catalogue an operator named
otherwise (`pt_BR`, `fil`) has no menu of its own, and its readers see the default one
(resolve_language would never pick it from their language_code either, only /language).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScope

from bot.core.languages import speaking
from bot.core.rendering import Renderer
from bot.telegram.handlers.registration import command_menu

# What Telegram accepts as a language_code for a bot's menus and descriptions.
TELEGRAM_LANGUAGE_CODE = re.compile(r"[a-z]{2}")


@dataclass(frozen=True, slots=True)
class Spoken:
    """A language the bot speaks, and the code Telegram keeps its texts under: None for the
    default language, whose texts are for every user without texts of their own."""

    language: str
    code: str | None


def spoken(renderer: Renderer) -> Iterator[Spoken]:
    """The default language first, then each other language Telegram can key texts by."""
    default = renderer.default.language
    yield Spoken(default, None)
    for language in renderer.catalogues.languages:
        if language != default and TELEGRAM_LANGUAGE_CODE.fullmatch(language):
            yield Spoken(language, language)


def menus(renderer: Renderer, *templates: str) -> list[tuple[Spoken, list[BotCommand]]]:
    """The menu made of these templates' `name - description` lines, in each language."""
    found = []
    for language in spoken(renderer):
        with speaking(language.language):
            lines = [line for name in templates for line in renderer.lines(name)]
        found.append((language, command_menu(lines)))
    return found


async def set_menus(
    bot: Bot, found: list[tuple[Spoken, list[BotCommand]]], scope: BotCommandScope | None = None
) -> None:
    """One setMyCommands per language. Not read back first: a read costs as much as the
    write it would save, and writing also replaces a menu an earlier run left."""
    for language, commands in found:
        await bot.set_my_commands(commands, scope=scope, language_code=language.code)


async def set_reader_menus(bot: Bot, renderer: Renderer) -> None:
    await set_menus(bot, menus(renderer, "commands.txt"))
