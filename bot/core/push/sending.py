"""What the push asks of a chat app to send one message, and the ways a send can fail.

The push sends thousands of messages through a lean client of its own (Telegram's:
bot/telegram/push_sender.py), not the Messenger replies go through: the delivery record
(bot/core/push/delivery.py) acts on each failure's kind, so the client says which it was.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.chat import Keyboard


class SendError(Exception):
    """Why the chat app did not take the message; the message text is safe to store."""


class Flood(SendError):
    """429: wait `retry_after` seconds, then send again."""

    def __init__(self, description: str, retry_after: float) -> None:
        super().__init__(description)
        self.retry_after = retry_after


class Migrated(SendError):
    """The group became a supergroup with a new id."""

    def __init__(self, description: str, new_chat_id: int) -> None:
        super().__init__(description)
        self.new_chat_id = new_chat_id


class Unreachable(SendError):
    """403, or the chat is gone: the bot was blocked or removed."""


class Refused(SendError):
    """400 for another reason: sending the same again would fail the same way."""


class Transient(SendError):
    """A timeout, a dropped connection or a 5xx answer: worth retrying."""


class PushSender(Protocol):
    async def send(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        """The new message's id, or a SendError."""

    async def close(self) -> None: ...
