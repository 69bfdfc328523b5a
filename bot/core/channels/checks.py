"""May the bot post in a channel? What a check finds, in the core's words; the chat app's
adapter asks the app (Telegram's: bot/telegram/channel_check.py), and the composition root
hands the poster (bot/core/channels/poster.py) that check as a `ChannelChecker`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import TypeAlias

from bot.config import ChannelRef


class ChannelProblem(Enum):
    """Why the bot cannot post in a channel; templates/admin_channel_problems.html words each."""

    UNREACHABLE = "unreachable"  # no such chat, or a private one the bot has not joined
    NOT_CHANNEL = "not_channel"  # a group or a user, not a channel
    RIGHTS_UNKNOWN = "rights_unknown"  # the app would not say what the bot may do there
    NOT_ADMIN = "not_admin"
    CANNOT_POST = "cannot_post"  # an administrator without "Post messages"


@dataclass(frozen=True, slots=True)
class ChannelCheck:
    ref: ChannelRef  # as CHANNEL_IDS names it
    chat_id: int | None = None  # the numeric id, once the app found the chat
    title: str | None = None
    problem: ChannelProblem | None = None  # None: the bot may post there
    detail: str = ""  # the app's own words for a refusal
    # A room the bot is invited to, where a power level says who may send (its setting the
    # rooms' list), rather than a channel with administrators and their rights.
    room: bool = False


ChannelChecker: TypeAlias = Callable[[ChannelRef], Awaitable[ChannelCheck]]
"""Checks one channel; never raises for what the app answers: every refusal is a problem."""
