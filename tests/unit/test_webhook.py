import logging
import sys

from bot.core.redaction import redact_also
from bot.logs import RedactingFormatter
from bot.telegram.webhook.receiver import RecentUpdates


def test_the_window_of_recent_updates_is_bounded_and_forgets_the_oldest() -> None:
    recent = RecentUpdates(size=3)
    for update_id in (1, 2, 3, 2, 4):
        recent.add(update_id)
    assert [i in recent for i in (1, 2, 3, 4)] == [False, True, True, True]


def test_the_webhook_secret_never_reaches_a_log_line() -> None:
    redact_also("s3cret-token", "<webhook secret>")
    formatter = RedactingFormatter("123:abc", "%(message)s")
    record = logging.LogRecord(
        "telegram.Bot",
        logging.DEBUG,
        __file__,
        1,
        "calling setWebhook with %s",
        ("s3cret-token",),
        None,
    )
    assert formatter.format(record) == "calling setWebhook with <webhook secret>"
    # A traceback quoting it is hidden too.
    try:
        raise ValueError("refused s3cret-token")
    except ValueError:
        record.exc_info = sys.exc_info()
    assert "s3cret-token" not in formatter.format(record)
