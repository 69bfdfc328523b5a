"""`/archive`: the published briefs, newest first, a page at a time."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.core.finding import archive_page
from bot.telegram.bot_api import delivered
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import ButtonHandler, command
from bot.telegram.keyboards import parse_archive_data
from bot.telegram.replies import answer_press, send_reply


async def archive_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    await send_reply(context, chat.id, await archive_page(context.storage, context.renderer, 0))


async def archive_button(update: Update, context: BotContext) -> None:
    """Previous or Next: the archive message shows that page instead."""
    query = update.callback_query
    assert query is not None
    page = parse_archive_data(query.data)
    if page is None or query.message is None:
        await answer_press(query, context.renderer.render("stale_button.txt"))
        return
    await answer_press(query)
    reply = await archive_page(context.storage, context.renderer, page)
    # Pressed twice, the message already shows that page: Telegram refuses the same edit.
    markup = context.keyboards.markup(reply.keyboard)
    edit = query.edit_message_text(reply.texts[0], reply_markup=markup)
    await delivered(edit, "archive page", query.message.chat.id)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        command("archive", archive_command),
        ButtonHandler(archive_button, r"^archive:"),
    ]
