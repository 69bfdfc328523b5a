"""What the Bot API's refusals mean to the bot."""

from __future__ import annotations

import warnings
from datetime import timedelta

import pytest
from telegram.error import BadRequest, RetryAfter
from telegram.warnings import PTBUserWarning

from bot.telegram.bot_api import (
    ignore_retry_after_notice,
    not_modified,
    query_expired,
    retry_after_seconds,
)


@pytest.mark.parametrize(
    ("message", "meant"),
    [
        (
            "Message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message",
            True,
        ),
        ("Message to edit not found", False),
        ("Message can't be edited", False),
    ],
)
def test_an_edit_that_changes_nothing_is_told_apart(message: str, meant: bool) -> None:
    assert not_modified(BadRequest(message)) is meant


@pytest.mark.parametrize(
    ("message", "meant"),
    [
        ("Query is too old and response timeout expired or query id is invalid", True),
        ("Query_id_invalid", True),
        ("Result_id_duplicate", False),
        ("Message is not modified", False),
    ],
)
def test_a_query_answered_too_late_is_told_apart(message: str, meant: bool) -> None:
    assert query_expired(BadRequest(message)) is meant


def test_the_wait_asked_for_is_read_without_a_warning_or_a_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PTBUserWarning)  # nothing else PTB warns of ...
        ignore_retry_after_notice()  # ... once this, as briefbot's entry point does
        # As PTB builds it from a 429 answer.
        assert retry_after_seconds(RetryAfter(timedelta(seconds=7))) == 7.0
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # the next major version's form
    assert retry_after_seconds(RetryAfter(timedelta(seconds=7))) == 7.0
