"""/push [id]: an admin sends a brief now to every subscriber who has not received it."""

from __future__ import annotations

from collections.abc import Collection

from telegram import Update
from telegram.ext import BaseHandler, filters

from bot.core.push.progress import ProgressMessage
from bot.core.reading import Reason, Refusal, find_brief, parse_brief_id
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import command
from storage import StoredBrief


async def push(update: Update, context: BotContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert user is not None
    engine = context.services.push
    found = await _brief(context, user.id, context.args or [])
    if not isinstance(found, StoredBrief):
        await message.reply_text(context.renderer.render("push_refused.html", **found))
        return
    status = await message.reply_text(context.renderer.render("push_started.html", stored=found))
    # The push runs in the background: this handler returns, and shutting down stops it.
    where = (status.chat_id, status.message_id)
    report = ProgressMessage(context.services.messenger, context.renderer, where, found)
    engine.start_push(found, by=user.id, on_progress=report, reports_to=where)


async def _brief(
    context: BotContext, user_id: int, args: list[str]
) -> StoredBrief | dict[str, object]:
    """The brief to push, by the readers' rules (no number: the latest), or why not."""
    brief_id = parse_brief_id("push", args)
    if isinstance(brief_id, Refusal):
        return {"reason": Reason.BAD_ARGUMENT.value, "argument": " ".join(args)[:64]}
    found = await find_brief(context.storage, user_id, brief_id, latest_first=True)
    if isinstance(found, Refusal):
        return {"reason": found.reason.value, **found.context}
    return found


def handlers(admin_ids: Collection[int]) -> list[BaseHandler[Update, BotContext, None]]:
    # In the admin's private chat only, like every admin command: in a group the progress
    # and the subscriber totals would be shown to all its members.
    admin = filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE
    return [command("push", push, admin)]
