"""The language each update is answered in, and `/language` with its buttons.

The locale handler runs for every update that passed the flood gate, before any handler
that answers: it reads the chat's stored choice and subscription zone (one query, by
primary key) and sets them for the rest of the update (bot/core/languages.py). A chat's
choice is in the database, so every replica and the bot after a restart answer alike.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update
from telegram.ext import BaseHandler, TypeHandler

from bot.core.languages import ReaderLocale, use_locale
from bot.core.subscriptions.language_choice import choose_language, language_reply
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import ButtonHandler, command
from bot.telegram.handlers.subscription import (
    answer_in_chat,
    app_language,
    managed_chat,
    pressed_chat,
    redraw,
)
from bot.telegram.keyboards import parse_language_data


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
    return renderer.locale_for(stored.chosen, code or stored.seen, stored.zone)


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
    choice = parse_language_data(update.callback_query.data if update.callback_query else None)
    chat = await pressed_chat(update, context, known=choice is not None)
    if chat is None or choice is None:
        return
    pressed = await choose_language(
        context.storage,
        context.renderer,
        chat.id,
        choice,
        telegram_code=app_language(update),
        now=datetime.now(UTC),
    )
    await redraw(update, context, pressed.notice, pressed.view, "language")


def locale_handler() -> TypeHandler[Update, BotContext, None]:
    return TypeHandler(Update, set_locale)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        command("language", language_command),
        ButtonHandler(language_button, r"^lang:"),
    ]
