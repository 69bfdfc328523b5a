"""The typing indicator (bot/telegram/admin/typing.py): sent before the reading begins,
again every few seconds while it lasts, never after; a refusal stops it and nothing else."""

from __future__ import annotations

from typing import cast

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.telegram.admin.typing import TYPING_EVERY, typing
from tests.waiting import eventually

CHAT = 1000


class ActionsBot:
    """Just what the indicator asks of a Bot: the chat actions sent, or refused."""

    def __init__(self, refusal: TelegramError | None = None) -> None:
        self.actions: list[tuple[int, str]] = []
        self.refusal = refusal

    async def send_chat_action(self, chat_id: int, action: str) -> bool:
        self.actions.append((chat_id, action))
        if self.refusal is not None:
            raise self.refusal
        return True


def test_typing_is_sent_again_before_telegrams_five_seconds_fade() -> None:
    assert TYPING_EVERY < 5


async def test_typing_is_shown_first_then_repeated_while_reading_and_never_after() -> None:
    bot = ActionsBot()
    async with typing(cast(Bot, bot), CHAT, every=0.01):
        assert bot.actions == [(CHAT, "typing")]  # before the block's first step
        await eventually(lambda: len(bot.actions) >= 3, "typing sent again")
    shown = len(bot.actions)
    # Leaving the block awaited the repeating task's end: nothing can follow.
    assert bot.actions == [(CHAT, "typing")] * shown


@pytest.mark.parametrize(
    "refusal", [Forbidden("Forbidden: bot was blocked by the user"), BadRequest("Chat not found")]
)
async def test_a_refusal_is_not_repeated_and_the_block_runs_on(refusal: TelegramError) -> None:
    bot = ActionsBot(refusal)
    ran = False
    async with typing(cast(Bot, bot), CHAT, every=0.01):
        ran = True
    assert ran
    assert bot.actions == [(CHAT, "typing")]


async def test_a_refusal_while_repeating_stops_the_repeats_only() -> None:
    bot = ActionsBot()
    async with typing(cast(Bot, bot), CHAT, every=0.01):
        bot.refusal = BadRequest("Chat not found")
        await eventually(lambda: len(bot.actions) == 2, "a second, refused, typing")
    assert len(bot.actions) == 2


async def test_an_error_in_the_block_is_the_blocks() -> None:
    bot = ActionsBot()
    with pytest.raises(ValueError, match="the parse failed"):
        async with typing(cast(Bot, bot), CHAT, every=0.01):
            raise ValueError("the parse failed")
    assert bot.actions == [(CHAT, "typing")]
