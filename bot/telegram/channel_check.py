"""At start: may the bot post in each configured channel? Resolves @usernames to ids.

Telegram lets a bot post in a channel only as an administrator with the "Post messages"
right; getChat names the channel (and gives the numeric id the delivery record keys
posts by), getChatMember tells the bot's own standing there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from telegram import Bot, ChatMemberAdministrator, ChatMemberOwner
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.config import ChannelRef


class ChannelProblem(Enum):
    """Why the bot cannot post in a channel; templates/admin_channel_problems.html words each."""

    UNREACHABLE = "unreachable"  # getChat refused: no such chat, or a private one not joined
    NOT_CHANNEL = "not_channel"  # a group or a user, not a channel
    RIGHTS_UNKNOWN = "rights_unknown"  # getChatMember refused
    NOT_ADMIN = "not_admin"
    CANNOT_POST = "cannot_post"  # an administrator without "Post messages"


@dataclass(frozen=True, slots=True)
class ChannelCheck:
    ref: ChannelRef  # as CHANNEL_IDS names it
    chat_id: int | None = None  # the numeric id, once getChat answered
    title: str | None = None
    problem: ChannelProblem | None = None  # None: the bot may post there
    detail: str = ""  # Telegram's own words for a refusal


async def check_channel(bot: Bot, ref: ChannelRef) -> ChannelCheck:
    """Never raises for what Telegram answers: every refusal becomes a ChannelProblem."""
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
