import logging

import pytest

from bot.web.webhook import RecentUpdates, hide_secret


def test_the_window_of_recent_updates_is_bounded_and_forgets_the_oldest() -> None:
    recent = RecentUpdates(size=3)
    for update_id in (1, 2, 3, 2, 4):
        recent.add(update_id)
    assert [i in recent for i in (1, 2, 3, 4)] == [False, True, True, True]


def test_the_webhook_secret_never_reaches_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    hide_secret("s3cret-token")
    logging.getLogger("telegram.Bot").warning("calling setWebhook with %s", "s3cret-token")
    assert caplog.messages[-1] == "calling setWebhook with <webhook secret>"
