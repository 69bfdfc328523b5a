"""The flood gate's handler: the earliest handler group lets an update through or stops
it, and tells a chat once a burst to slow down.

Apart from the gate (bot/core/limits/flood.py), which judges updates and needs none of the
application's context types: the webhook receiver and the transport drop a flood with the
gate alone.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.core.limits.flood import FloodGate, Verdict
from bot.core.scope import UpdateOutcome, mark
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)


def flood_handler(gate: FloodGate) -> TypeHandler[Update, BotContext, None]:
    """Registered in the earliest handler group: lets an update through or stops it."""

    async def control(update: Update, context: BotContext) -> None:
        verdict = gate.judge(update)
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
    query = update.callback_query
    if query is not None:
        await query.answer(context.renderer.render("slow_down.txt"))
        return
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, context.renderer.render("slow_down.html"))
