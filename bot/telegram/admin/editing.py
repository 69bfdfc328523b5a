"""The admins' commands about published briefs: /correct, /cancel, /retract, /history, /stats."""

from __future__ import annotations

from collections.abc import Collection

from telegram import Update
from telegram.ext import BaseHandler, filters

from bot.core.chat import Reply
from bot.core.publishing import drafts
from bot.telegram.admin.copies import start_replacing
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import command
from bot.telegram.replies import (
    brief_argument,
    chat_of,
    live_brief,
    now,
    send_reply,
    text_reply,
    usage,
    user_of,
)
from storage import StoredBrief


async def _live_brief(update: Update, context: BotContext, command: str) -> StoredBrief | None:
    """The published, not withdrawn, brief the command names; else the admin is told why."""
    chat_id = chat_of(update)
    brief_id = brief_argument(context)
    if brief_id is None:
        await usage(context, chat_id, command)
        return None
    found = await live_brief(context, brief_id)
    if isinstance(found, Reply):
        await send_reply(context, chat_id, found)
        return None
    return found


async def correct(update: Update, context: BotContext) -> None:
    stored = await _live_brief(update, context, "correct")
    if stored is None:
        return
    await context.storage.corrections.set(chat_of(update), stored.id, at=now())
    await send_reply(
        context,
        chat_of(update),
        text_reply(context, "admin_correct_prompt.html", stored=stored),
    )


async def cancel(update: Update, context: BotContext) -> None:
    brief_id = await drafts.take_correction(context.storage, chat_of(update), now())
    await send_reply(
        context, chat_of(update), text_reply(context, "admin_cancelled.html", brief_id=brief_id)
    )


async def retract(update: Update, context: BotContext) -> None:
    current = await _live_brief(update, context, "retract")
    if current is None:
        return
    stored = await context.storage.briefs.retract(current.id, by=user_of(update), at=now())
    await send_reply(
        context,
        chat_of(update),
        text_reply(context, "admin_retracted.html", brief_id=current.id, stored=stored),
    )
    if stored is not None:
        start_replacing(context, update, chat_of(update), stored, withdrawn=True)


async def history(update: Update, context: BotContext) -> None:
    chat_id = chat_of(update)
    brief_id = brief_argument(context)
    if brief_id is None:
        await usage(context, chat_id, "history")
        return
    stored = await context.storage.briefs.get(brief_id)
    if stored is None:
        await send_reply(
            context,
            chat_id,
            text_reply(context, "admin_no_brief.html", brief_id=brief_id, stored=None),
        )
        return
    entries = await context.storage.briefs.history(brief_id)
    texts = context.renderer.messages("admin_history.html", stored=stored, entries=entries)
    await send_reply(context, chat_id, Reply(texts))


async def stats(update: Update, context: BotContext) -> None:
    storage = context.storage
    text = context.renderer.render(
        "admin_stats.html",
        briefs=await storage.briefs.count(),
        subscribers=await storage.subscribers.counts(),
        push=await storage.pushes.last(),
    )
    await send_reply(context, chat_of(update), Reply([text]))


def handlers(admin_ids: Collection[int]) -> list[BaseHandler[Update, BotContext, None]]:
    admin = filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE
    return [
        command("correct", correct, admin),
        command("cancel", cancel, admin),
        command("retract", retract, admin),
        command("history", history, admin),
        command("stats", stats, admin),
    ]
