"""The admins' commands about published briefs: /correct, /cancel, /retract, /history,
/stats, read from Telegram and answered as the core decides
(bot/core/publishing/admin_commands.py)."""

from __future__ import annotations

from collections.abc import Collection

from telegram import Update
from telegram.ext import BaseHandler, filters

from bot.core.publishing import admin_commands
from bot.telegram.admin.copies import start_replacing
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import command
from bot.telegram.replies import chat_of, now, send_reply, user_of


async def correct(update: Update, context: BotContext) -> None:
    chat_id = chat_of(update)
    reply = await admin_commands.start_correction(
        context.storage, context.renderer, chat_id=chat_id, args=context.args or [], now=now()
    )
    await send_reply(context, chat_id, reply)


async def cancel(update: Update, context: BotContext) -> None:
    chat_id = chat_of(update)
    reply = await admin_commands.cancel_correction(
        context.storage, context.renderer, chat_id=chat_id, now=now()
    )
    await send_reply(context, chat_id, reply)


async def retract(update: Update, context: BotContext) -> None:
    chat_id = chat_of(update)
    retraction = await admin_commands.retract_brief(
        context.storage,
        context.renderer,
        admin_id=user_of(update),
        args=context.args or [],
        now=now(),
    )
    await send_reply(context, chat_id, retraction.reply)
    if retraction.withdrawn is not None:
        start_replacing(context, update, chat_id, retraction.withdrawn, withdrawn=True)


async def history(update: Update, context: BotContext) -> None:
    reply = await admin_commands.brief_history(
        context.storage, context.renderer, context.args or []
    )
    await send_reply(context, chat_of(update), reply)


async def stats(update: Update, context: BotContext) -> None:
    reply = await admin_commands.statistics(context.storage, context.renderer)
    await send_reply(context, chat_of(update), reply)


def handlers(admin_ids: Collection[int]) -> list[BaseHandler[Update, BotContext, None]]:
    admin = filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE
    return [
        command("correct", correct, admin),
        command("cancel", cancel, admin),
        command("retract", retract, admin),
        command("history", history, admin),
        command("stats", stats, admin),
    ]
