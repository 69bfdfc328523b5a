"""At start: may the bot post in each configured channel? Resolves @usernames to ids.

Telegram lets a bot post in a channel only as an administrator with the "Post messages"
right; getChat names the channel (and gives the numeric id the delivery record keys
posts by), getChatMember tells the bot's own standing there.
"""

from __future__ import annotations

from telegram import Bot, ChatMemberAdministrator, ChatMemberOwner
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.config import ChannelRef
from bot.core.channels.checks import ChannelCheck, ChannelProblem


async def check_channel(bot: Bot, ref: ChannelRef) -> ChannelCheck:
    """The poster's ChannelChecker (bot/core/channels/checks.py), given the bot. Never
    raises for what Telegram answers: every refusal becomes a ChannelProblem."""
    try:
        chat = await bot.get_chat(ref)
    except TelegramError as error:
        return ChannelCheck(ref, problem=ChannelProblem.UNREACHABLE, detail=error.message)
    found = ChannelCheck(ref, chat.id, chat.title)
    if chat.type != ChatType.CHANNEL:
        return ChannelCheck(ref, None, chat.title or chat.full_name, ChannelProblem.NOT_CHANNEL)
    try:
        member = await bot.get_chat_member(chat.id, bot.id)
    except TelegramError as error:
        return _with(found, ChannelProblem.RIGHTS_UNKNOWN, error.message)
    if isinstance(member, ChatMemberOwner):
        return found
    if not isinstance(member, ChatMemberAdministrator):
        return _with(found, ChannelProblem.NOT_ADMIN, member.status)
    if not member.can_post_messages:
        return _with(found, ChannelProblem.CANNOT_POST)
    return found


def _with(check: ChannelCheck, problem: ChannelProblem, detail: str = "") -> ChannelCheck:
    return ChannelCheck(check.ref, check.chat_id, check.title, problem, detail)
