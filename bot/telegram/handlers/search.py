"""`/search words`: the best-matching published briefs, each with a button to open it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.core.reading import Reply, send_reply
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import command
from bot.telegram.keyboards import digest_keyboard
from storage import BriefHeader

SEARCH_RESULTS = 5


async def search_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    words = " ".join(context.args or [])
    renderer = context.renderer
    if not words.strip():
        await send_reply(context.bot, chat.id, Reply([renderer.render("search_usage.html")]))
        return
    hits = await context.storage.search.search(words, limit=SEARCH_RESULTS)
    text = renderer.render("search.html", hits=hits, words=words[:64])
    headers = [BriefHeader(id=h.id, title=h.title, published_at=h.published_at) for h in hits]
    await send_reply(
        context.bot, chat.id, Reply([text], digest_keyboard(headers) if headers else None)
    )


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [command("search", search_command)]
