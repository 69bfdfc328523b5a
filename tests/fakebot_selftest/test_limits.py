"""The fake counts what Telegram's global limit counts: sends in any one second."""

import asyncio

from telegram import Bot

from tests.fakebot import FakeBotApi
from tests.fakebot.limits import busiest_window


def test_busiest_window_counts_the_most_stamps_within_any_second() -> None:
    assert busiest_window([]) == 0
    assert busiest_window([5.0, 0.0, 0.5, 0.99]) == 3
    # A window is open at its end: stamps a whole second apart fall in different ones.
    assert busiest_window([0.0, 1.0, 2.0, 3.0]) == 1
    assert busiest_window([0.0, 0.1, 1.05, 1.06, 1.07]) == 4  # from 0.1 to 1.1


async def test_sends_are_counted_with_their_arrival_and_other_calls_are_not(
    server: FakeBotApi, bot: Bot
) -> None:
    server.user(42)
    server.user(43)
    await asyncio.gather(*(bot.send_message(42 + n % 2, f"{n}") for n in range(6)))
    message = await bot.send_message(42, "to edit")
    await bot.edit_message_text("edited", chat_id=42, message_id=message.message_id)
    await bot.get_me()
    await bot.send_chat_action(42, "typing")
    assert len(server.send_times()) == 8
    assert server.busiest_second() == 8
