"""`/search words`: the best-matching published briefs, each with a button to open it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.core.finding import search_results
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import command
from bot.telegram.replies import send_reply


async def search_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    words = " ".join(context.args or [])
    await send_reply(
        context, chat.id, await search_results(context.storage, context.renderer, words)
    )


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [command("search", search_command)]
