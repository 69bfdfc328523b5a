"""Groups that refused the bot: remembered for a while, never a private chat, never a
transient error; forgotten when the bot's standing changes."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, Forbidden, TelegramError, TimedOut

from bot.telegram.bot_api import remembered
from bot.telegram.limits import refusals
from bot.telegram.limits.refusals import REMEMBER, RefusedChats

GROUP = -1001
RIGHTS = "Not enough rights to send text messages to the chat"


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def test_a_group_that_refused_the_bot_gets_the_same_refusal_until_it_is_forgotten() -> None:
    clock = Clock()
    refused = RefusedChats(clock=clock)
    refused.remember(GROUP, "sendMessage", BadRequest(RIGHTS))
    refused.remember(GROUP - 1, "sendMessage", Forbidden("Forbidden: bot was kicked"))
    again = refused.refusal(GROUP)
    assert isinstance(again, BadRequest)
    assert again.message == RIGHTS
    assert remembered(again)  # logged at debug where caught: Telegram's own was at info
    assert isinstance(refused.refusal(GROUP - 1), Forbidden)
    refused.forget(GROUP)
    assert refused.refusal(GROUP) is None
    clock.now += REMEMBER
    assert refused.refusal(GROUP - 1) is None
    assert len(refused) == 0


@pytest.mark.parametrize(
    ("chat_id", "endpoint", "error"),
    [
        (42, "sendMessage", Forbidden("Forbidden: bot was blocked by the user")),
        (GROUP, "sendMessage", TimedOut()),
        (GROUP, "sendMessage", BadRequest("Can't parse entities: unsupported start tag")),
        (GROUP, "sendMessage", BadRequest("Chat not found")),
        (GROUP, "sendDocument", BadRequest("Not enough rights to send documents to the chat")),
        (None, "sendMessage", Forbidden("Forbidden: bot was kicked")),
    ],
    ids=["private", "timeout", "bad-html", "not-found", "documents-only", "no-chat"],
)
def test_private_chats_and_errors_that_say_nothing_of_the_bots_standing_are_not_kept(
    chat_id: int | None, endpoint: str, error: TelegramError
) -> None:
    refused = RefusedChats(clock=Clock())
    refused.remember(chat_id, endpoint, error)
    assert refused.refusal(chat_id) is None
    assert len(refused) == 0


def test_memory_is_bounded_expired_groups_go_first_then_the_oldest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(refusals, "MAX_CHATS", 10)
    clock = Clock()
    refused = RefusedChats(clock=clock)
    for n in range(5):
        refused.remember(-n - 1, "sendMessage", BadRequest(RIGHTS))
    clock.now += REMEMBER  # those five expire
    for n in range(5, 25):
        refused.remember(-n - 1, "sendMessage", BadRequest(RIGHTS))
    assert len(refused) <= 10
    assert refused.refusal(-25) is not None  # the newest stays
    assert refused.refusal(-6) is None  # the oldest of the living went
