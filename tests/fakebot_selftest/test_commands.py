"""Command menus, kept per scope and language code as Telegram keeps them.

The Bot API's documentation: getMyCommands returns the commands "for the given scope and
user language", and "if commands aren't set, an empty list is returned"; language_code is
"a two-letter ISO 639-1 language code or an empty string". So a language without a menu of
its own reads back [], even when the menu for every language is set: Telegram falls back
to it for a user, not for the bot asking. The checks and their order are TDLib's
(td/telegram/BotCommand.cpp set_commands, misc.cpp validate_bot_language_code).
"""

import pytest
from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import BadRequest

from tests.fakebot import FakeBotApi


async def test_a_language_without_its_own_menu_reads_back_empty(
    server: FakeBotApi, bot: Bot
) -> None:
    await bot.set_my_commands([("brief", "The latest brief")])
    await bot.set_my_commands([("brief", "El último resumen")], language_code="es")
    assert [c.description for c in await bot.get_my_commands()] == ["The latest brief"]
    assert [c.description for c in await bot.get_my_commands(language_code="es")] == [
        "El último resumen"
    ]
    assert await bot.get_my_commands(language_code="pt") == ()
    assert server.commands(language_code="pt") == []


async def test_each_chat_scope_keeps_its_own_languages(server: FakeBotApi, bot: Bot) -> None:
    server.user(42)
    scope = BotCommandScopeChat(42)
    await bot.set_my_commands([("stats", "Figures")], scope=scope, language_code="uk")
    assert await bot.get_my_commands(scope=scope) == ()
    assert [c.command for c in await bot.get_my_commands(scope=scope, language_code="uk")] == [
        "stats"
    ]
    assert await bot.get_my_commands(language_code="uk") == ()


async def test_an_empty_list_or_a_delete_removes_that_languages_menu(
    server: FakeBotApi, bot: Bot
) -> None:
    await bot.set_my_commands([("brief", "The latest brief")])
    await bot.set_my_commands([("brief", "Останнє")], language_code="uk")
    await bot.set_my_commands([], language_code="uk")
    assert await bot.get_my_commands(language_code="uk") == ()
    await bot.set_my_commands([("brief", "Останнє")], language_code="uk")
    await bot.delete_my_commands(language_code="uk")
    assert server.commands(language_code="uk") == []
    assert len(server.commands()) == 1  # the menu for every language is untouched


async def test_commands_are_kept_trimmed_as_tdlib_trims_them(server: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(" /brief ", "  The latest brief\n")])
    [kept] = await bot.get_my_commands()
    assert (kept.command, kept.description) == ("brief", "The latest brief")


@pytest.mark.parametrize(
    ("command", "description", "refusal"),
    [
        ("x" * 33, "Words", "Command length must not exceed 32"),
        ("brief", "é" * 257, "Command description length must not exceed 256"),
        ("brief", "   ", "Command description must be non-empty"),
        ("/", "Words", "Command must be non-empty"),
        ("Brief", "Words", "Bot_command_invalid"),
    ],
)
async def test_a_command_telegram_would_refuse_is_refused(
    server: FakeBotApi, bot: Bot, command: str, description: str, refusal: str
) -> None:
    with pytest.raises(BadRequest, match=refusal):
        await bot.set_my_commands([BotCommand(command, description)], language_code="es")
    assert server.commands(language_code="es") == []


async def test_a_description_of_256_characters_is_kept(server: FakeBotApi, bot: Bot) -> None:
    assert await bot.set_my_commands([BotCommand("brief", "é" * 256)])


@pytest.mark.parametrize("language", ["EN", "pt-BR", "por", "e1"])
async def test_a_menus_language_code_is_two_lowercase_letters(
    server: FakeBotApi, bot: Bot, language: str
) -> None:
    with pytest.raises(BadRequest, match="Invalid language code specified"):
        await bot.set_my_commands([("brief", "Words")], language_code=language)
    with pytest.raises(BadRequest, match="Invalid language code specified"):
        await bot.get_my_commands(language_code=language)
    assert server.world.commands == {}
