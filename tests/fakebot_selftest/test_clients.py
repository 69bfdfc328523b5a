"""A user editing a message they sent, and a modified client pressing with data of its own."""

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message

from tests.fakebot import FakeBotApi

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])


async def test_an_edit_arrives_as_the_same_message_with_new_text(
    server: FakeBotApi, bot: Bot
) -> None:
    reader = server.user(42)
    sent = await server.send_text(reader, "/history 1")
    await server.edit_text(reader, sent, "/retract 1")
    first, second = await bot.get_updates()
    assert first.message is not None
    assert first.message.text == "/history 1"
    edited = second.edited_message
    assert second.message is None
    assert edited is not None
    assert (edited.message_id, edited.chat.id) == (first.message.message_id, 42)
    assert edited.text == "/retract 1"
    assert [(e.type, e.offset, e.length) for e in edited.entities] == [("bot_command", 0, 8)]
    assert edited.edit_date is not None
    assert edited.date == first.message.date  # an edit keeps when it was first sent


async def test_only_ones_own_text_message_can_be_edited_and_only_to_new_text(
    server: FakeBotApi,
) -> None:
    reader, other = server.user(42), server.user(43)
    group = server.group(-100, admins=[reader.id])
    sent = await server.send_text(reader, "hello", chat=group)
    with pytest.raises(AssertionError, match="not theirs"):
        await server.edit_text(other, sent, "mine now")
    with pytest.raises(AssertionError, match="MESSAGE_NOT_MODIFIED"):
        await server.edit_text(reader, sent, "hello")
    document = await server.send_document(reader, "a.txt", b"text")
    with pytest.raises(AssertionError, match="no text"):
        await server.edit_text(reader, document, "caption")
    edited = await server.edit_text(reader, sent, "hello again")
    # Edited again from the edit: it is the same message.
    again = await server.edit_text(reader, edited, "hello, third time")
    assert again["edited_message"]["message_id"] == sent["message"]["message_id"]


async def test_a_forged_press_carries_any_data_with_the_real_message(
    server: FakeBotApi, bot: Bot
) -> None:
    reader = server.user(42)
    await bot.send_message(42, "brief", reply_markup=KEYBOARD)
    await bot.send_message(42, "no buttons")
    with_buttons, plain = server.sent(42)
    with pytest.raises(AssertionError):  # an honest client presses only what is there
        await server.press_button(reader, with_buttons, "draft:1:publish")
    for message in (with_buttons, plain):
        query_id = await server.forge_press(reader, message, "draft:1:publish")
        [update] = await bot.get_updates(offset=-1)
        press = update.callback_query
        assert press is not None
        assert (press.id, press.data) == (query_id, "draft:1:publish")
        # The message is the one pressed, as it is: its real buttons, or none.
        assert isinstance(press.message, Message)
        assert press.message.message_id == message.message_id
        assert press.message.reply_markup == (KEYBOARD if message is with_buttons else None)
        assert await bot.answer_callback_query(query_id, text="No")


async def test_a_forged_press_needs_a_message_the_user_sees_and_short_data(
    server: FakeBotApi, bot: Bot
) -> None:
    reader, stranger = server.user(42), server.user(43)
    group = server.group(-100, admins=[reader.id])
    await bot.send_message(group.id, "in the group", reply_markup=KEYBOARD)
    [message] = server.sent(group.id)
    with pytest.raises(AssertionError, match="PEER_ID_INVALID"):
        await server.forge_press(stranger, message, "more:2")
    with pytest.raises(AssertionError, match="DATA_INVALID"):
        await server.forge_press(reader, message, "x" * 65)
    await bot.delete_message(group.id, message.message_id)
    with pytest.raises(AssertionError, match="MESSAGE_ID_INVALID"):
        await server.forge_press(reader, message, "more:2")
