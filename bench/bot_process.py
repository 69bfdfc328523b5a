"""The bot under measurement, as a process of its own.

`facts`: the bot exactly as `briefbot run` builds it. `echo`: the same Application, rate
limiter, server and transport, with one bare handler that echoes the text back. `reply`:
the same again, answering every message with the reply /facts gives (the reference
brief's facts and their buttons, rendered once), without reading storage: what /facts
costs beyond it is the bot's own work, what it costs beyond `echo` is the size of the
answer.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from dataclasses import replace

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.app import compose
from bot.config import load_config
from bot.core.chat import Reply
from bot.core.languages import speaking
from bot.core.reading import render_part
from bot.logs import setup_logging
from bot.telegram.bot_api import ignore_retry_after_notice
from bot.telegram.context import BotContext
from bot.telegram.replies import send_reply
from brief import ParseResult
from brief.isolated import Upload, UploadParser, parse_upload


async def echo(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await context.bot.send_message(message.chat_id, message.text)


class FactsReply:
    """The /facts answer in the sender's app language, rendered on the first message in that
    language and sent as it is to every one."""

    def __init__(self) -> None:
        self._replies: dict[str, Reply] = {}

    async def __call__(self, update: Update, context: BotContext) -> None:
        user = update.effective_user
        locale = context.renderer.locale_for(None, user.language_code if user else None)
        if locale.language not in self._replies:
            stored = await context.storage.briefs.latest()
            assert stored is not None, "the benchmark publishes the reference brief first"
            with speaking(locale.language):
                self._replies[locale.language] = render_part(context.renderer, stored, "facts")
        assert update.effective_chat is not None
        await send_reply(context, update.effective_chat.id, self._replies[locale.language])


class InProcessParser(UploadParser):
    """Parses uploads on the event loop, as a bot without child processes would."""

    async def parse(self, upload: Upload) -> ParseResult:
        return parse_upload(upload)


async def serve(mode: str) -> None:
    """The bot as bot/app.py composes it, with `mode`'s changes, polling until SIGTERM."""
    config = load_config()
    setup_logging("WARNING", config.token)
    application = (await compose(config)).application
    if mode == "inprocess":
        services = application.bot_data.services
        application.bot_data.services = replace(services, upload_parser=InProcessParser())
    if mode in ("echo", "reply"):
        application.handlers.clear()
        handler = echo if mode == "echo" else FactsReply()
        application.add_handler(MessageHandler(filters.ALL, handler))
    stop = asyncio.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(number, stop.set)
    assert application.updater is not None
    assert application.post_init is not None
    await application.initialize()
    await application.post_init(application)
    await application.updater.start_polling()
    await application.start()
    await stop.wait()
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


def main() -> None:
    ignore_retry_after_notice()
    asyncio.run(serve(sys.argv[1]))


if __name__ == "__main__":
    main()
