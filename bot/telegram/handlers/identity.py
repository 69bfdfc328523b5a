"""/id, for anyone, anywhere the bot reads commands: the sender's numeric user id (what
ADMIN_IDS takes), and in a group the group's id. Decided by the core (bot/core/guide.py)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler

from bot.core.guide import identity_reply
from bot.telegram.context import BotContext
from bot.telegram.handlers.registration import command
from bot.telegram.replies import send_reply


async def identity(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    # Sent on behalf of a chat (an anonymous admin as the group, a member as their
    # channel): the user Telegram names is a stand-in account, not the sender.
    on_behalf = message.sender_chat
    user = None if on_behalf is not None else message.from_user
    reply = identity_reply(
        context.renderer,
        chat_id=message.chat_id,
        private=message.chat.type == ChatType.PRIVATE,
        user_id=None if user is None else user.id,
        sender_chat_id=None if on_behalf is None else on_behalf.id,
    )
    await send_reply(context, message.chat_id, reply)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [command("id", identity)]
