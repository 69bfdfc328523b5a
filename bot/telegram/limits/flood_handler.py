"""The flood gate's handler: the earliest handler group lets an update through or stops
it, and tells a chat once a burst to slow down.

Apart from the gate (bot/core/limits/flood.py), which judges updates and needs none of the
application's context types: the webhook receiver and the transport drop a flood with the
gate alone. The gate reads an update as an Arrival, plain ids: `arrival` finds them in
Telegram's Update.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.core.languages import use_locale
from bot.core.limits.flood import Arrival, FloodGate, Verdict
from bot.core.scope import UpdateOutcome, mark
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)


def flood_handler(gate: FloodGate) -> TypeHandler[Update, BotContext, None]:
    """Registered in the earliest handler group: lets an update through or stops it."""

    async def control(update: Update, context: BotContext) -> None:
        verdict = gate.judge(arrival(update))
        if verdict is Verdict.PASS:
            return
        mark(UpdateOutcome.DROPPED)
        if verdict is Verdict.WARN:
            try:
                await _slow_down(update, context)
            except TelegramError as error:
                # A press too old to answer, a chat that blocked the bot: the update is
                # still dropped, which a raised error would not do (PTB goes on after it).
                log.info("could not ask chat to slow down: %s", error)
        raise ApplicationHandlerStop

    return TypeHandler(Update, control)


async def _slow_down(update: Update, context: BotContext) -> None:
    # In the sender's app language: the chat's stored choice would cost a read of the
    # database for every update of a flood.
    user = update.effective_user
    locale = context.renderer.locale_for(None, user.language_code if user else None)
    use_locale(locale)
    query = update.callback_query
    if query is not None:
        await query.answer(context.renderer.render("slow_down.txt"))
        return
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, context.renderer.render("slow_down.html"))


def arrival(update: Update) -> Arrival:
    """What the flood gate reads of an update: who sent it, where, and whether it may be a
    piece of an admin's paste."""
    if update.inline_query is not None:
        return Arrival(user=update.inline_query.from_user.id, inline=True)
    return Arrival(chat=_chat(update), user=_user(update), pasted_by=_paster(update))


def _chat(update: Update) -> int | None:
    """The chat whose allowance an update spends: messages and button presses only."""
    if update.message is None and update.edited_message is None and update.callback_query is None:
        return None
    chat = update.effective_chat
    if chat is not None:
        return chat.id
    user = update.effective_user  # a press on a message too old for Telegram to name its chat
    return None if user is None else user.id


def _user(update: Update) -> int | None:
    """Who an update counts against besides its chat: the chat a message was sent on behalf
    of, else the user; an anonymous admin's message names its own group (one bucket)."""
    message = update.message or update.edited_message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id
    user = update.effective_user
    return None if user is None else user.id


def _paster(update: Update) -> int | None:
    """Who sent plain text (not a command) or a file in a private chat: an upload, if an
    admin (the gate knows who is)."""
    message = update.message
    if message is None or message.chat.type != ChatType.PRIVATE or message.from_user is None:
        return None
    text = message.text
    pasted = message.document is not None or (text is not None and not text.startswith("/"))
    return message.from_user.id if pasted else None
