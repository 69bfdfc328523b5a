"""Channels as Telegram keeps them for a bot: who the bot is there, and what it may do.

A bot only posts in a channel as an administrator with `can_post_messages`, and edits
its own posts with `can_post_messages` or `can_edit_messages`. The refusals are
Telegram's own words: an unknown chat (or a private channel the bot is not in) is
"chat not found", a channel the bot is not in "bot is not a member of the channel chat",
a member without the right "need administrator rights in the channel chat".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from tests.fakebot.errors import ApiError, bad_request, forbidden

BotStatus: TypeAlias = Literal["administrator", "member", "left", "kicked"]

# A ChatMemberAdministrator's rights in a channel (Bot API 9.x), all but the posting ones.
_BASE_RIGHTS: dict[str, bool] = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": False,
    "can_manage_video_chats": False,
    "can_restrict_members": False,
    "can_promote_members": False,
    "can_change_info": False,
    "can_invite_users": False,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
}


@dataclass
class ChannelState:
    """The bot's standing in one channel; tests change it between calls."""

    status: BotStatus = "administrator"
    can_post_messages: bool = True
    can_edit_messages: bool = True

    @property
    def is_member(self) -> bool:
        return self.status in ("administrator", "member")


def not_member(state: ChannelState) -> ApiError:
    if state.status == "kicked":
        return forbidden("bot was kicked from the channel chat")
    return forbidden("bot is not a member of the channel chat")


def check_post(state: ChannelState) -> None:
    """sendMessage and the like to a channel."""
    if not state.is_member:
        raise not_member(state)
    if state.status != "administrator" or not state.can_post_messages:
        raise bad_request("need administrator rights in the channel chat")


def check_edit(state: ChannelState) -> None:
    """editMessageText and editMessageReplyMarkup of the bot's own post in a channel."""
    if not state.is_member:
        raise not_member(state)
    allowed = state.can_post_messages or state.can_edit_messages
    if state.status != "administrator" or not allowed:
        raise bad_request("need administrator rights in the channel chat")


def check_visible(state: ChannelState, public: bool) -> None:
    """getChat and getChatMember: a private channel the bot is not in does not exist for it."""
    if not public and not state.is_member:
        raise bad_request("chat not found")


def bot_member(state: ChannelState, bot: dict[str, Any]) -> dict[str, Any]:
    """The bot's ChatMember in the channel."""
    if state.status == "administrator":
        return {
            "status": "administrator",
            "user": bot,
            **_BASE_RIGHTS,
            "can_post_messages": state.can_post_messages,
            "can_edit_messages": state.can_edit_messages,
        }
    if state.status == "kicked":
        return {"status": "kicked", "user": bot, "until_date": 0}
    return {"status": state.status, "user": bot}
