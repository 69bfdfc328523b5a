"""What a user's client may do besides writing and pressing: edit a message it sent, and
(a modified client) press with callback data of its own making. Each refuses, with an
AssertionError naming the test's mistake, what Telegram's servers would not let through.
"""

from __future__ import annotations

from typing import Any

from tests.fakebot.model import FakeChat, FakeUser, SentMessage
from tests.fakebot.text import auto_entities
from tests.fakebot.world import World, utc_now

# Telegram's limit on a button's data, which is also all a press can carry.
MAX_CALLBACK_DATA = 64


def edited_message(world: World, user: FakeUser, sent: dict[str, Any], text: str) -> dict[str, Any]:
    """The user's message `sent` (as the update that carried it, or its message) edited
    to `text`: the same message, its new text and entities, and an edit_date."""
    message = sent.get("message") or sent.get("edited_message") or sent
    key = (message["chat"]["id"], message["message_id"])
    current = world.user_messages.get(key)
    if current is None:
        raise AssertionError(f"message {key} was never sent or was deleted: nothing to edit")
    if current["from"]["id"] != user.id:
        raise AssertionError(f"user {user.id} cannot edit message {key}: it is not theirs")
    if "text" not in current:
        raise AssertionError(f"message {key} has no text to edit")
    if current["text"] == text:
        raise AssertionError(f"message {key} already reads {text!r} (MESSAGE_NOT_MODIFIED)")
    edited = {k: v for k, v in current.items() if k != "entities"}
    edited.update(text=text, edit_date=max(utc_now(), current["date"]))
    entities = auto_entities(text, [])
    if entities:
        edited["entities"] = entities
    world.user_messages[key] = edited
    return edited


def forged_query(
    world: World, user: FakeUser, message: SentMessage, data: str, query_id: str
) -> dict[str, Any]:
    """A press on `message` with `data`, on a button or not: what a modified client sends.

    Telegram still checks the rest: the message must be the bot's, not deleted, in a chat
    the user is in, and the data at most 64 bytes.
    """
    current = world.messages.get((message.chat_id, message.message_id))
    if current is None or current.deleted:
        raise AssertionError(
            f"message {message.message_id} is not there to press (MESSAGE_ID_INVALID)"
        )
    chat = world.chats[current.chat_id]
    member = chat.id == user.id or user.id in chat.members or user.id in chat.admins
    if chat.type != "channel" and not member:
        raise AssertionError(f"user {user.id} cannot see chat {chat.id} (PEER_ID_INVALID)")
    if not 0 < len(data.encode()) <= MAX_CALLBACK_DATA:
        raise AssertionError(f"callback data must be 1-{MAX_CALLBACK_DATA} bytes (DATA_INVALID)")
    return {
        "id": query_id,
        "from": user.to_api(),
        "message": world.message_json(current),
        "chat_instance": str(-abs(hash((user.id, current.chat_id)))),
        "data": data,
    }


# The stand-in accounts Telegram names as the sender of a message written on behalf of a
# chat: an anonymous admin's (as the group), and a member's writing as their channel.
GROUP_ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}


def on_behalf_message(world: World, chat: FakeChat, as_chat: FakeChat, text: str) -> dict[str, Any]:
    """A message in the supergroup `chat` written on behalf of `as_chat`: the group itself
    (an anonymous admin) or a channel (a member writing as it). Telegram names a stand-in
    account as its sender, and the chat in sender_chat."""
    if chat.type != "supergroup":
        raise AssertionError("messages on behalf of a chat are written in supergroups only")
    if as_chat is not chat and as_chat.type != "channel":
        raise AssertionError("a member may write as the group itself or as a channel only")
    message: dict[str, Any] = {
        "message_id": chat.new_message_id(),
        "from": GROUP_ANONYMOUS_BOT if as_chat is chat else CHANNEL_BOT,
        "sender_chat": as_chat.to_api(),
        "chat": chat.to_api(),
        "date": utc_now(),
        "text": text,
    }
    entities = auto_entities(text, [])
    if entities:
        message["entities"] = entities
    world.user_messages[(chat.id, message["message_id"])] = message
    return message
