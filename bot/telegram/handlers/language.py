"""The language each update is answered in, and `/language` with its buttons.

The locale handler runs for every update that passed the flood gate, before any handler
that answers: it reads the chat's stored choice and subscription zone (one query, by
primary key) and sets them for the rest of the update (bot/core/languages.py). A chat's
choice is in the database, so every replica and the bot after a restart answer alike.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, TypeHandler

from bot.core.languages import ReaderLocale, resolve_language, use_locale
from bot.core.subscriptions.commands import press_refused
from bot.core.subscriptions.language_choice import choose_language, language_reply
from bot.telegram.bot_api import delivered
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import ButtonHandler, command
from bot.telegram.handlers.subscription import (
    answer_in_chat,
    app_language,
    managed_chat,
    may_manage,
    shows,
)
from bot.telegram.keyboards import parse_language_data
from bot.telegram.replies import answer_press


async def set_locale(update: Update, context: BotContext) -> None:
    """Everything rendered for this update speaks the chat's language, in its zone."""
    use_locale(await update_locale(update, context))


async def update_locale(update: Update, context: BotContext) -> ReaderLocale:
    """The chat's choice, else its sender's app language, else BOT_LANGUAGE; an inline
    query, which has no chat, is the sender's private chat."""
    renderer = context.renderer
    chat, user = update.effective_chat, update.effective_user
    chat_id = chat.id if chat is not None else user.id if user is not None else None
    code = user.language_code if user is not None else None
    if chat_id is None:
        return renderer.default
    stored = await context.storage.languages.get(chat_id)
    language = resolve_language(
        stored.chosen, code or stored.seen, renderer.catalogues.languages, renderer.default.language
    )
    return ReaderLocale(language, stored.zone or "UTC")


async def language_command(update: Update, context: BotContext) -> None:
    message = await managed_chat(update, context)
    if message is None:
        return
    reply = await language_reply(
        context.storage,
        context.renderer,
        message.chat_id,
        context.args or [],
        telegram_code=app_language(update),
        now=datetime.now(UTC),
    )
    await answer_in_chat(context, message, reply)


async def language_button(update: Update, context: BotContext) -> None:
    """A press under /language: choose, then redraw the menu in the language chosen."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    choice = parse_language_data(query.data)
    if choice is None or chat is None:
        await answer_press(query, context.renderer.render("stale_button.txt"))
        return
    if not await may_manage(update, context):
        refused = press_refused(context.renderer, private_chat=chat.type == ChatType.PRIVATE)
        await answer_press(query, refused)
        return
    pressed = await choose_language(
        context.storage,
        context.renderer,
        chat.id,
        choice,
        telegram_code=app_language(update),
        now=datetime.now(UTC),
    )
    await answer_press(query, pressed.notice)
    text, keyboard = pressed.view.texts[0], context.keyboards.markup(pressed.view.keyboard)
    if shows(query.message, text, keyboard):
        return
    await delivered(query.edit_message_text(text, reply_markup=keyboard), "language", chat.id)


def locale_handler() -> TypeHandler[Update, BotContext, None]:
    return TypeHandler(Update, set_locale)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        command("language", language_command),
        ButtonHandler(language_button, r"^lang:"),
    ]
