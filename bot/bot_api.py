"""What the Bot API's refusals mean, read in one place."""

from __future__ import annotations

from telegram.error import BadRequest


def not_modified(error: BadRequest) -> bool:
    """An edit that would change nothing ("Bad Request: message is not modified: ...").

    Telegram refuses it rather than doing nothing; for the bot it means the message
    already shows what it should (a double tap, two reports with the same figures).
    """
    return "message is not modified" in error.message.lower()
