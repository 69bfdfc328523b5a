"""What the Bot API's refusals mean, read in one place."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable
from datetime import timedelta
from typing import TypeVar

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# Telegram's refusals that say the bot may not write in the chat at all, until someone
# changes its standing there (a 403 Forbidden says so whatever its words).
_STANDING_REFUSALS = (
    "not enough rights",
    "have no rights to send",
    "chat_write_forbidden",
    "need administrator rights",
)
# Telegram's refusals that say something about the chat or the moment, not about the bot:
# a reader who blocked it or deleted their account (403 Forbidden), a group that removed
# it or does not let it write, a press answered too late (query_expired), an edit that
# changes nothing (not_modified), a message deleted meanwhile. Any chat can cause them at
# will, so they are part of serving a chat, never a fault to report (words as Telegram
# gives them, compared in lower case).
_EXPECTED_BAD_REQUESTS = (
    *_STANDING_REFUSALS,
    "chat not found",
    "topic_closed",
    "message to edit not found",
    "message to be replied not found",
    "message can't be edited",
)


def not_modified(error: BadRequest) -> bool:
    """An edit that would change nothing ("Bad Request: message is not modified: ...").

    Telegram refuses it rather than doing nothing; for the bot it means the message
    already shows what it should (a double tap, two reports with the same figures).
    """
    return "message is not modified" in error.message.lower()


def query_expired(error: BadRequest) -> bool:
    """A button press or inline query answered too late, or twice ("Bad Request: query is
    too old and response timeout expired or query ID is invalid").

    Telegram waits about 10 seconds for an answer; after a restart or a stall the user has
    moved on, and there is nothing left to answer.
    """
    message = error.message.lower()
    return "query is too old" in message or "query_id_invalid" in message


def expected_refusal(error: BaseException) -> bool:
    """One of Telegram's refusals that any chat can bring about (see _EXPECTED_BAD_REQUESTS)."""
    if isinstance(error, Forbidden):
        return True
    if not isinstance(error, BadRequest):
        return False
    if query_expired(error) or not_modified(error):
        return True
    message = error.message.lower()
    return any(words in message for words in _EXPECTED_BAD_REQUESTS)


def standing_refused(error: BaseException) -> bool:
    """The chat refused the bot itself (blocked, removed, may not write), not one message."""
    if isinstance(error, Forbidden):
        return True
    message = error.message.lower() if isinstance(error, BadRequest) else ""
    return any(words in message for words in _STANDING_REFUSALS)


class StillForbidden(Forbidden):
    """A 403 a group gave a moment ago, given again without asking
    (bot/telegram/limits/refusals.py)."""


class StillBadRequest(BadRequest):
    """A "not enough rights" a group gave a moment ago, given again without asking."""


def remembered(error: BaseException) -> bool:
    """A refusal the bot already logged when Telegram gave it: worth a debug line at most."""
    return isinstance(error, StillForbidden | StillBadRequest)


async def delivered(
    send: Awaitable[_T], what: str, chat_id: int | str | None, *, level: int = logging.INFO
) -> _T | None:
    """What `send` returns, or None when Telegram refused it as it may (expected_refusal):
    logged at `level`, info unless someone must act (an admin who blocked the bot)."""
    try:
        return await send
    except TelegramError as error:
        if not expected_refusal(error):
            raise
        level = logging.DEBUG if remembered(error) else level
        log.log(level, "%s to chat %s refused: %s", what, chat_id, error.message)
        return None


# PTB 22 warns, on every 429 it turns into a RetryAfter, that its next major version will
# give `retry_after` as a timedelta (unless the process sets PTB_TIMEDELTA). The bot reads
# both forms (retry_after_seconds), so the notice says nothing to an operator.
RETRY_AFTER_NOTICE = r".*attribute `retry_after` will be of type `datetime.timedelta`"


def ignore_retry_after_notice() -> None:
    """Silence PTB's notice about its future `retry_after`; the process's entry points call it."""
    warnings.filterwarnings("ignore", message=RETRY_AFTER_NOTICE, category=PTBDeprecationWarning)


def retry_after_seconds(error: RetryAfter) -> float:
    """How long Telegram asks the bot to wait before sending again, in either of PTB's forms."""
    after = error.retry_after
    return after.total_seconds() if isinstance(after, timedelta) else float(after)
