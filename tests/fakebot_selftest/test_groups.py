"""Groups: the bot writes where it may and is refused, in Telegram's words, where it may not."""

import pytest
from telegram import Bot, ChatMemberMember, ChatMemberRestricted
from telegram.error import BadRequest, Forbidden

from tests.fakebot import FakeBotApi

GROUP = -4001


async def test_a_member_bot_writes_in_the_group(server: FakeBotApi, bot: Bot) -> None:
    server.group(GROUP, "Readers")
    await bot.send_message(GROUP, "hello")
    await bot.send_chat_action(GROUP, "typing")
    assert [m.text for m in server.sent(GROUP)] == ["hello"]
    assert isinstance(await bot.get_chat_member(GROUP, bot.id), ChatMemberMember)


@pytest.mark.parametrize(
    ("kind", "status", "error", "description"),
    [
        (
            "group",
            "restricted",
            BadRequest,
            "Bad Request: not enough rights to send text messages to the chat",
        ),
        (
            "supergroup",
            "restricted",
            BadRequest,
            "Bad Request: not enough rights to send text messages to the chat",
        ),
        ("group", "kicked", Forbidden, "Forbidden: bot was kicked from the group chat"),
        ("supergroup", "kicked", Forbidden, "Forbidden: bot was kicked from the supergroup chat"),
        ("group", "left", Forbidden, "Forbidden: bot is not a member of the group chat"),
    ],
)
async def test_a_bot_that_may_not_write_is_refused(
    server: FakeBotApi,
    bot: Bot,
    kind: str,
    status: str,
    error: type[Exception],
    description: str,
) -> None:
    server.group(GROUP, "Readers", kind=kind, bot_status=status)  # type: ignore[arg-type]
    with pytest.raises(error):
        await bot.send_message(GROUP, "x")
    assert server.errors()[-1].description == description
    assert server.sent(GROUP) == []


async def test_documents_and_actions_are_refused_too_and_rights_can_come_back(
    server: FakeBotApi, bot: Bot
) -> None:
    chat = server.group(GROUP, "Readers", bot_status="restricted")
    with pytest.raises(BadRequest, match="Not enough rights to send documents"):
        await bot.send_document(GROUP, b"x", filename="x.txt")
    with pytest.raises(BadRequest, match="Not enough rights"):
        await bot.send_chat_action(GROUP, "typing")
    member = await bot.get_chat_member(GROUP, bot.id)
    assert isinstance(member, ChatMemberRestricted)
    assert member.can_send_messages is False
    chat.bot_status = "member"
    await bot.send_message(GROUP, "back")
    assert [m.text for m in server.sent(GROUP)] == ["back"]


async def test_a_bot_made_administrator_writes_whatever_the_members_may(
    server: FakeBotApi, bot: Bot
) -> None:
    server.group(GROUP, "Readers", admins=[42, bot.id], bot_status="restricted")
    await bot.send_message(GROUP, "as admin")
    assert [m.text for m in server.sent(GROUP)] == ["as admin"]


@pytest.mark.parametrize("status", ["member", "administrator"])
async def test_a_group_that_lets_the_bot_write_again_tells_it_with_my_chat_member(
    server: FakeBotApi, bot: Bot, status: str
) -> None:
    chat = server.group(GROUP, "Readers", bot_status="restricted")
    admin = server.user(42, "Admin")
    server.set_bot_status(chat, status, by=admin)  # type: ignore[arg-type]
    [update] = await bot.get_updates()
    change = update.my_chat_member
    assert change is not None
    assert (change.chat.id, change.from_user.id) == (GROUP, admin.id)
    assert isinstance(change.old_chat_member, ChatMemberRestricted)
    assert change.new_chat_member.status == status
    assert change.new_chat_member == await bot.get_chat_member(GROUP, bot.id)
    await bot.send_message(GROUP, "back")
    assert [m.text for m in server.sent(GROUP)] == ["back"]


async def test_a_group_that_restricts_the_bot_tells_it_too(server: FakeBotApi, bot: Bot) -> None:
    chat = server.group(GROUP, "Readers")
    server.set_bot_status(chat, "restricted", by=server.user(42, "Admin"))
    [update] = await bot.get_updates()
    assert update.my_chat_member is not None
    assert isinstance(update.my_chat_member.new_chat_member, ChatMemberRestricted)
    with pytest.raises(BadRequest, match="Not enough rights"):
        await bot.send_message(GROUP, "x")
