"""Messages written on behalf of a chat: an anonymous admin writes as the supergroup, a
member as their channel; Telegram names a stand-in account as the sender."""

import pytest
from telegram import Bot

from tests.fakebot import FakeBotApi

GROUP = -1001234


async def test_an_anonymous_admin_writes_as_the_group(server: FakeBotApi, bot: Bot) -> None:
    group = server.group(GROUP, "Newsroom", kind="supergroup")
    await server.send_on_behalf(group, "/id")
    [update] = await bot.get_updates()
    message = update.message
    assert message is not None
    assert message.sender_chat is not None
    assert message.sender_chat.id == GROUP
    assert message.from_user is not None
    assert message.from_user.username == "GroupAnonymousBot"
    assert message.text == "/id"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bot_command", 0, 3)]


async def test_a_member_writes_as_a_channel(server: FakeBotApi, bot: Bot) -> None:
    group = server.group(GROUP, "Newsroom", kind="supergroup")
    channel = server.channel(-1005678, "Newsroom channel")
    await server.send_on_behalf(group, "hello", as_chat=channel)
    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.sender_chat is not None
    assert update.message.sender_chat.id == channel.id
    assert update.message.chat.id == GROUP
    assert update.message.from_user is not None
    assert update.message.from_user.username == "Channel_Bot"


async def test_only_a_supergroup_has_messages_on_behalf_of_a_chat(server: FakeBotApi) -> None:
    group = server.group(-4001, "Small group")
    with pytest.raises(AssertionError, match="supergroups only"):
        await server.send_on_behalf(group, "/id")
    supergroup = server.group(GROUP, kind="supergroup")
    with pytest.raises(AssertionError, match="as a channel only"):
        await server.send_on_behalf(supergroup, "/id", as_chat=group)
