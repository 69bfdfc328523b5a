"""The bot's standing in a group, as Telegram keeps it, and how a send there is refused.

A bot added to a group is a member and may write unless the group's admins restricted it
(or took "send messages" from every member). Telegram's words for each refusal: a member
that may not write gets "Bad Request: not enough rights to send text messages to the chat"
(documents: "... to send documents ...", voice notes: "... to send voice notes ..."); a bot
removed from the group gets "Forbidden: bot was kicked from the group chat", one that left
"Forbidden: bot is not a member of the group chat" ("supergroup chat" in a supergroup).
Commands keep arriving from a group whose members may write while the bot may not: that is
how one account makes a bot fail there.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

from tests.fakebot.errors import bad_request, forbidden

GroupBotStatus: TypeAlias = Literal["member", "restricted", "left", "kicked"]

# What a restricted member may not do, as ChatMemberRestricted lists it (Bot API 9.x).
_RESTRICTED_RIGHTS = (
    "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
    "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
    "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
    "can_invite_users", "can_pin_messages", "can_manage_topics", "can_edit_tag",
    "can_react_to_messages",
)  # fmt: skip
_WHAT = {
    "sendMessage": "text messages",
    "sendDocument": "documents",
    "sendVoice": "voice notes",
}


def check_send(status: GroupBotStatus, kind: str, method: str) -> None:
    """sendMessage, sendDocument, sendVoice and sendChatAction in a group or supergroup (`kind`)."""
    if status == "kicked":
        raise forbidden(f"bot was kicked from the {kind} chat")
    if status == "left":
        raise forbidden(f"bot is not a member of the {kind} chat")
    if status == "restricted":
        what = _WHAT.get(method, "messages")
        raise bad_request(f"not enough rights to send {what} to the chat")


def bot_member(status: GroupBotStatus, bot: dict[str, Any]) -> dict[str, Any]:
    """The bot's ChatMember in a group it is not an administrator of."""
    if status == "restricted":
        rights = dict.fromkeys(_RESTRICTED_RIGHTS, False)
        return {"status": "restricted", "user": bot, "is_member": True, "until_date": 0, **rights}
    if status == "kicked":
        return {"status": "kicked", "user": bot, "until_date": 0}
    return {"status": status, "user": bot}
