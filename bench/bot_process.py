"""The bot under measurement, as a process of its own.

`facts`: the bot exactly as `briefbot run` builds it. `echo`: the same Application, rate
limiter, server and transport, with one bare handler that echoes the text back.
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.app import build_application
from bot.config import load_config
from bot.context import BotContext
from bot.logs import setup_logging


async def echo(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await context.bot.send_message(message.chat_id, message.text)


def main() -> None:
    mode = sys.argv[1]
    config = load_config()
    setup_logging("WARNING", config.token)
    application = build_application(config)
    if mode == "echo":
        application.handlers.clear()
        application.add_handler(MessageHandler(filters.ALL, echo))
    application.run_polling()


if __name__ == "__main__":
    main()
