"""The admins' own /help (every admin command with an example, the brief format) and
/template (a blank brief to fill in), in their private chat; anyone else's /help is the
readers' (bot/telegram/handlers/reader.py). Decided by the core (bot/core/guide.py,
bot/core/publishing/template.py)."""

from __future__ import annotations

from collections.abc import Collection

from telegram import Update
from telegram.ext import BaseHandler, filters

from bot.core.guide import admin_help_reply
from bot.core.publishing.template import template_reply
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import command
from bot.telegram.replies import chat_of, send_reply


async def admin_help(update: Update, context: BotContext) -> None:
    reply = admin_help_reply(context.renderer, context.args or [])
    await send_reply(context, chat_of(update), reply)


async def template_command(update: Update, context: BotContext) -> None:
    await send_reply(context, chat_of(update), template_reply(context.renderer))


def handlers(admin_ids: Collection[int]) -> list[BaseHandler[Update, BotContext, None]]:
    """Before the readers' /help, which answers everyone else."""
    admin = filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE
    return [command("help", admin_help, admin), command("template", template_command, admin)]
