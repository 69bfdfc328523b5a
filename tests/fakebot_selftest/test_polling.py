import asyncio

import pytest
from telegram import Bot, Update
from telegram.error import Forbidden, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.fakebot import FakeBotApi, RateLimits
from tests.waiting import eventually


async def test_long_poll_wakes_when_an_update_is_pushed(server: FakeBotApi, bot: Bot) -> None:
    reader = server.user(42)
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await eventually(lambda: server.polls_waiting == 1, "the poll to be held")
    assert not poll.done()
    await server.send_text(reader, "/start")
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0].message is not None
    assert updates[0].message.text == "/start"
    assert updates[0].message.entities[0].type == "bot_command"
    assert await bot.get_updates(offset=updates[0].update_id + 1) == ()


async def test_injected_failures_map_to_ptb_errors(server: FakeBotApi, bot: Bot) -> None:
    reader = server.user(42)
    server.fail("sendMessage", error_code=500, description="Internal Server Error")
    with pytest.raises(NetworkError):
        await bot.send_message(42, "x")
    server.block(reader)
    with pytest.raises(Forbidden, match=r"blocked by the user"):
        await bot.send_message(42, "x")
    updates = await bot.get_updates()
    assert updates[0].my_chat_member is not None
    assert updates[0].my_chat_member.new_chat_member.status == "kicked"


async def test_rate_limit_gives_retry_after() -> None:
    async with FakeBotApi(limits=RateLimits(enabled=True, private_burst=2)) as server:
        server.user(42)
        async with Bot(server.token, base_url=f"{server.url}/bot") as bot:
            await bot.send_message(42, "1")
            await bot.send_message(42, "2")
            with pytest.raises(RetryAfter):
                await bot.send_message(42, "3")
        assert server.errors()[-1].description == "Too Many Requests: retry after 1"
        assert server.too_many_requests == 1


async def test_file_download_round_trip(server: FakeBotApi, bot: Bot) -> None:
    reader = server.user(42)
    update = await server.send_document(reader, "brief.txt", b"hello brief", mime_type="text/plain")
    file_id = update["message"]["document"]["file_id"]
    file = await bot.get_file(file_id)
    assert bytes(await file.download_as_bytearray()) == b"hello brief"
    assert server.downloads == ["documents/file_1.txt"]
    big = server.add_file(b"x" * (20 * 1024 * 1024 + 1), file_name="big.bin")
    with pytest.raises(Exception, match=r"(?i)file is too big"):
        await bot.get_file(big.file_id)


async def test_set_my_commands_validated_and_stored(server: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([("today", "Today's brief")], language_code="en")
    assert server.commands(language_code="en") == [
        {"command": "today", "description": "Today's brief"}
    ]
    assert server.commands() == []
    with pytest.raises(Exception, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Today", "bad name")])


async def test_application_polls_echoes_and_stops_cleanly(server: FakeBotApi) -> None:
    reader = server.user(42)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        assert update.effective_message.text
        await update.effective_message.reply_text(update.effective_message.text)

    app = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(f"{server.url}/bot")
        .base_file_url(f"{server.url}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=5)
    await server.send_text(reader, "hello")
    sent = await server.wait_sent(42, 1)
    assert sent[0].text == "hello"
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    assert server.errors() == []
    methods = [call.method for call in server.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
