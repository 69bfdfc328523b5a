"""Anyone who is not an admin and sends text, a file or an admin command: the reader help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.core.reading import help_reply
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import WRITTEN, command
from bot.telegram.replies import chat_of, send_reply

# Every admin-only command, so a non-admin who tries one gets the reader help.
ADMIN_COMMANDS = ("correct", "cancel", "retract", "history", "stats", "push", "template")


async def reader_help(update: Update, context: BotContext) -> None:
    """Text, a file or an admin command from someone who is not an admin: the reader help,
    and nothing stored."""
    await send_reply(context, chat_of(update), help_reply(context.renderer))


def fallbacks() -> list[BaseHandler[Update, BotContext, None]]:
    """Private text, files and admin commands that no handler before took."""
    private = filters.ChatType.PRIVATE & WRITTEN
    return [
        command(ADMIN_COMMANDS, reader_help, filters.ChatType.PRIVATE),
        MessageHandler(
            private & ((filters.TEXT & ~filters.COMMAND) | filters.Document.ALL), reader_help
        ),
    ]
