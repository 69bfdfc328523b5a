"""`/archive`: the published briefs, newest first, a page at a time."""

from __future__ import annotations

import math

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler

from bot.core.reading import Reply, send_reply
from bot.telegram.bot_api import delivered
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import ButtonHandler, command
from bot.telegram.keyboards import archive_data, digest_keyboard, parse_archive_data
from bot.telegram.replies import answer_press
from storage import Storage

ARCHIVE_PAGE = 10


async def archive_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    await send_reply(context.bot, chat.id, await _archive_page(context, 0))


async def archive_button(update: Update, context: BotContext) -> None:
    """Previous or Next: the archive message shows that page instead."""
    query = update.callback_query
    assert query is not None
    page = parse_archive_data(query.data)
    if page is None or query.message is None:
        await answer_press(query, context.renderer.render("stale_button.txt"))
        return
    await answer_press(query)
    reply = await _archive_page(context, page)
    # Pressed twice, the message already shows that page: Telegram refuses the same edit.
    edit = query.edit_message_text(reply.texts[0], reply_markup=reply.keyboard)
    await delivered(edit, "archive page", query.message.chat.id)


async def _archive_page(context: BotContext, page: int) -> Reply:
    """The page asked for; past the end (briefs withdrawn since), the last one."""
    storage: Storage = context.storage
    pages = max(1, math.ceil(await storage.briefs.count() / ARCHIVE_PAGE))
    page = min(page, pages - 1)
    headers = await storage.briefs.newest(limit=ARCHIVE_PAGE, offset=page * ARCHIVE_PAGE)
    renderer = context.renderer
    text = renderer.render("archive.html", headers=headers, page=page, pages=pages)
    navigation = [
        InlineKeyboardButton(
            renderer.render("archive_button.txt", direction=direction),
            callback_data=archive_data(target),
        )
        for direction, target in (("newer", page - 1), ("older", page + 1))
        if 0 <= target < pages
    ]
    return Reply([text], digest_keyboard(headers, navigation) if headers else None)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        command("archive", archive_command),
        ButtonHandler(archive_button, r"^archive:"),
    ]
