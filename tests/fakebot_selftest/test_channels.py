"""Channels: posting and editing as an administrator, refused like Telegram otherwise."""

import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberLeft,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.error import BadRequest, Forbidden

from tests.fakebot import FakeBotApi

CHANNEL = -1001234567890


async def test_an_admin_posts_by_id_or_username_as_the_channel(
    server: FakeBotApi, bot: Bot
) -> None:
    server.channel(CHANNEL, "Briefs", username="BriefsDaily")
    first = await bot.send_message(CHANNEL, "<b>one</b>", parse_mode="HTML")
    second = await bot.send_message("@briefsdaily", "two")
    for message in (first, second):
        assert message.chat.type == "channel"
        assert message.chat.id == CHANNEL
        assert message.sender_chat is not None
        assert message.sender_chat.id == CHANNEL
        assert message.from_user is None
    assert [m.text for m in server.sent(CHANNEL)] == ["one", "two"]
    edited = await bot.edit_message_text("one, corrected", chat_id=CHANNEL, message_id=1)
    assert isinstance(edited, type(first))
    assert edited.text == "one, corrected"
    assert server.sent(CHANNEL)[0].edits == 1


@pytest.mark.parametrize(
    ("status", "can_post", "error", "description"),
    [
        ("left", True, Forbidden, "Forbidden: bot is not a member of the channel chat"),
        ("kicked", True, Forbidden, "Forbidden: bot was kicked from the channel chat"),
        ("member", True, BadRequest, "Bad Request: need administrator rights in the channel chat"),
        (
            "administrator",
            False,
            BadRequest,
            "Bad Request: need administrator rights in the channel chat",
        ),
    ],
)
async def test_posting_without_the_right_is_refused(
    server: FakeBotApi,
    bot: Bot,
    status: str,
    can_post: bool,
    error: type[Exception],
    description: str,
) -> None:
    server.channel(CHANNEL, username="briefs", status=status, can_post_messages=can_post)  # type: ignore[arg-type]
    with pytest.raises(error):
        await bot.send_message(CHANNEL, "x")
    assert server.errors()[-1].description == description
    assert server.sent(CHANNEL) == []


async def test_unknown_and_private_channels_are_not_found(server: FakeBotApi, bot: Bot) -> None:
    server.channel(CHANNEL, "Private", status="left")  # no username: a private channel
    for chat_id in (CHANNEL, -1009999999999, "@nobody_here"):
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(chat_id, "x")
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.get_chat(chat_id)
    assert {c.description for c in server.errors()} == {"Bad Request: chat not found"}


async def test_edits_need_the_right_taken_away_later(server: FakeBotApi, bot: Bot) -> None:
    chat = server.channel(CHANNEL, username="briefs")
    await bot.send_message(CHANNEL, "post")
    assert chat.channel is not None
    chat.channel.can_post_messages = chat.channel.can_edit_messages = False
    with pytest.raises(BadRequest, match="Need administrator rights in the channel chat"):
        await bot.edit_message_text("new", chat_id=CHANNEL, message_id=1)
    chat.channel.status = "left"
    with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
        await bot.edit_message_text("new", chat_id="@briefs", message_id=1)
    assert server.sent(CHANNEL)[0].text == "post"


async def test_get_chat_member_tells_the_bots_rights(server: FakeBotApi, bot: Bot) -> None:
    server.channel(CHANNEL, "Briefs", username="briefs", can_post_messages=False)
    server.channel(-1002, "Gone", username="gone", status="left")
    me = await bot.get_me()
    member = await bot.get_chat_member("@briefs", me.id)
    assert isinstance(member, ChatMemberAdministrator)
    assert (member.can_post_messages, member.can_edit_messages) == (False, True)
    left = await bot.get_chat_member(-1002, me.id)
    assert isinstance(left, ChatMemberLeft)
    chat = await bot.get_chat("@briefs")
    assert (chat.id, chat.type, chat.title, chat.username) == (
        CHANNEL,
        "channel",
        "Briefs",
        "briefs",
    )


async def test_url_buttons_are_checked(server: FakeBotApi, bot: Bot) -> None:
    server.channel(CHANNEL, username="briefs")
    good = [
        "https://t.me/briefbot_test_bot?start=b12-facts",
        "https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fx",
        "tg://resolve?domain=briefs",
    ]
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(str(i), url=u)] for i, u in enumerate(good)]
    )
    await bot.send_message(CHANNEL, "ok", reply_markup=markup)
    assert [b["url"] for row in server.sent(CHANNEL)[0].buttons for b in row] == good
    for bad in ("ftp://example.com", "t.me/briefs", "https://", "https://a b.example"):
        with pytest.raises(BadRequest, match="Button_url_invalid"):
            await bot.send_message(
                CHANNEL,
                "x",
                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", url=bad)]]),
            )
    assert len(server.sent(CHANNEL)) == 1
