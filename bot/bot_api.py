"""What the Bot API's refusals mean, read in one place."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram.error import BadRequest, RetryAfter
from telegram.warnings import PTBDeprecationWarning


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
