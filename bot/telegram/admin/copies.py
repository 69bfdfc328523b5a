"""The copies already out after a correction or a withdrawal, and the admin's report on them."""

from __future__ import annotations

from telegram import Update

from bot.core.publishing import corrections
from bot.telegram.context import BotContext
from bot.telegram.replies import send_reply
from storage import StoredBrief


async def _replace_and_report(
    context: BotContext, chat_id: int, stored: StoredBrief, *, withdrawn: bool
) -> None:
    """Replace every copy as the core does (bot/core/publishing/corrections.py), then send
    its report to the admin in `chat_id`, if any copy was out."""
    services = context.services
    report = await corrections.replace_copies(
        services.messenger, services.storage, services.renderer, stored, withdrawn=withdrawn
    )
    if report is not None:
        await send_reply(context, chat_id, report)


def start_replacing(
    context: BotContext, update: Update, chat_id: int, stored: StoredBrief, *, withdrawn: bool
) -> None:
    """In the background: thousands of edits are paced, and the admin's command is answered."""
    action = "withdraw" if withdrawn else "edit"
    context.application.create_task(
        _replace_and_report(context, chat_id, stored, withdrawn=withdrawn),
        update=update,
        name=f"admin-{action}-copies:{stored.id}",
    )
