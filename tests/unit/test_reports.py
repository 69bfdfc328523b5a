"""The Reporter: one report per cause per window with the count folded in, one apology per
chat, a bounded queue; nothing a failing update awaits."""

from __future__ import annotations

import asyncio
import logging
from typing import cast

import pytest

from bot.core.chat import Messenger
from bot.core.rendering import Renderer
from bot.core.reports import REPORT_WINDOW, Cause, Reporter, cause_of
from tests.waiting import eventually

ADMINS = (1, 2)
A = Cause("builtins.RuntimeError", "storage.py:10")
B = Cause("builtins.KeyError", "reading.py:20")


class StubMessenger:
    """Takes every notice; while `open` is cleared, holds each until it is set."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []
        self.open = asyncio.Event()
        self.open.set()

    async def notify(self, chat_id: int, text: str) -> None:
        await self.open.wait()
        self.sent.append((chat_id, text))


def reporter(bot: StubMessenger, *, window: float = REPORT_WINDOW, capacity: int = 10) -> Reporter:
    return Reporter(cast("Messenger", bot), Renderer(), ADMINS, window=window, capacity=capacity)


async def test_a_cause_is_reported_at_once_then_its_repeats_in_one_message() -> None:
    bot = StubMessenger()
    reports = reporter(bot, window=0.2)
    for _ in range(5):
        reports.failed(A, "RuntimeError: disk on fire")
        reports.failed(B, "KeyError: 'x'")
    await eventually(lambda: len(bot.sent) >= 4, "the first reports")
    first = bot.sent[:4]
    assert sorted(chat for chat, _ in first) == [1, 1, 2, 2]
    assert not any("more time" in text for _, text in first)
    await eventually(lambda: len(bot.sent) == 8, "the counts at the window's end")
    counts = bot.sent[4:]
    assert {chat for chat, _ in counts} == set(ADMINS)
    assert all("4 more times" in text for _, text in counts)
    assert sum("disk on fire" in text for _, text in counts) == 2
    await reports.close()


async def test_a_chat_gets_one_apology_however_many_of_its_updates_fail() -> None:
    bot = StubMessenger()
    reports = reporter(bot)
    for _ in range(3):
        reports.apologise(42)
    await eventually(lambda: bot.sent, "the apology")
    for _ in range(10):
        await asyncio.sleep(0)  # anything else queued would be sent by now
    assert [chat for chat, _ in bot.sent] == [42]
    assert "something went wrong" in bot.sent[0][1]
    await reports.close()


async def test_the_queue_is_bounded_and_what_does_not_fit_is_dropped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = StubMessenger()
    bot.open.clear()
    reports = reporter(bot, capacity=2)
    with caplog.at_level(logging.WARNING):
        for chat_id in range(100, 110):
            reports.apologise(chat_id)
    assert [r.getMessage() for r in caplog.records] == [
        "the report queue is full (2): notices are dropped"
    ]
    bot.open.set()
    await eventually(lambda: len(bot.sent) == 2, "what fitted")
    for _ in range(10):
        await asyncio.sleep(0)
    assert [chat for chat, _ in bot.sent] == [100, 101]
    await reports.close()


def test_a_cause_is_the_error_s_type_and_the_line_that_raised_it() -> None:
    empty: dict[str, int] = {}

    def fail(key: str) -> BaseException:
        try:
            empty[key]
        except KeyError as error:
            return error
        raise AssertionError("unreachable")

    def fail_elsewhere() -> BaseException:
        try:
            empty["x"]
        except KeyError as error:
            return error
        raise AssertionError("unreachable")

    assert cause_of(fail("a")) == cause_of(fail("b"))
    assert cause_of(fail("a")) != cause_of(fail_elsewhere())
    assert cause_of(fail("a")).kind == "builtins.KeyError"
