"""/push [id]: an admin sends a brief now to every subscriber who has not received it."""

from __future__ import annotations

from collections.abc import Collection

from telegram import Update
from telegram.ext import BaseHandler, filters

from bot.core.push.broadcast import push_command
from bot.core.push.progress import ProgressMessage
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import command


async def push(update: Update, context: BotContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert user is not None
    answer = await push_command(
        context.storage, context.renderer, admin_id=user.id, args=context.args or []
    )
    sent = [await message.reply_text(text) for text in answer.reply.texts]
    if answer.stored is None:
        return
    # The push runs in the background: this handler returns, and shutting down stops it.
    # Its progress is shown by editing the status message, the answer's last.
    where = (sent[-1].chat_id, sent[-1].message_id)
    report = ProgressMessage(context.services.messenger, context.renderer, where, answer.stored)
    context.services.push.start_push(
        answer.stored, by=user.id, on_progress=report, reports_to=where
    )


def handlers(admin_ids: Collection[int]) -> list[BaseHandler[Update, BotContext, None]]:
    # In the admin's private chat only, like every admin command: in a group the progress
    # and the subscriber totals would be shown to all its members.
    admin = filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE
    return [command("push", push, admin)]
