"""The admins' command menu: the readers' commands plus theirs, in each admin's own chat."""

from __future__ import annotations

import logging
from collections.abc import Collection

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.core.rendering import Renderer
from bot.telegram.context import BotContext
from bot.telegram.menus import Spoken, menus, set_menus
from bot.telegram.replies import chat_data_of, chat_of

log = logging.getLogger(__name__)


async def set_admin_menus(bot: Bot, renderer: Renderer, admin_ids: Collection[int]) -> None:
    """Readers' commands plus the admin commands, in each admin's own chat only, in every
    language the readers' menu is in (an admin's app language picks one, as a reader's)."""
    commands = _admin_commands(renderer)
    for admin_id in sorted(admin_ids):
        await _set_command_menu(bot, admin_id, commands)


async def admin_menu_on_first_message(update: Update, context: BotContext) -> None:
    """An admin who first opened the bot after it started gets the menu now, once."""
    chat = chat_data_of(context)
    if chat.admin_menu_set:
        return
    chat.admin_menu_set = True  # before the first await: concurrent updates set it once
    await _set_command_menu(context.bot, chat_of(update), _admin_commands(context.renderer))


def _admin_commands(renderer: Renderer) -> list[tuple[Spoken, list[BotCommand]]]:
    # Rendered here rather than read back from Telegram (getMyCommands): one request less
    # per admin, and the same words as the readers' menu in each language.
    return menus(renderer, "commands.txt", "admin_commands.txt")


async def _set_command_menu(
    bot: Bot, admin_id: int, commands: list[tuple[Spoken, list[BotCommand]]]
) -> None:
    try:
        await set_menus(bot, commands, BotCommandScopeChat(admin_id))
    except (BadRequest, Forbidden) as error:
        # An admin who has not opened the bot yet has no chat to scope a menu to.
        log.warning("no admin menu for %s until they write to the bot: %s", admin_id, error)


def handler(admin_ids: Collection[int]) -> BaseHandler[Update, BotContext, None]:
    """Runs beside the other handlers (its own group), never instead of them."""
    return MessageHandler(
        filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE,
        admin_menu_on_first_message,
        block=False,
    )
