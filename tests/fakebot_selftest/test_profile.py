"""The bot's descriptions and chat actions: kept, read back and refused as Telegram does."""

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden

from tests.fakebot import FakeBotApi
from tests.fakebot.profile import DESCRIPTION_MAX, SHORT_DESCRIPTION_MAX


async def test_descriptions_are_kept_and_read_back(server: FakeBotApi, bot: Bot) -> None:
    assert (await bot.get_my_description()).description == ""
    assert (await bot.get_my_short_description()).short_description == ""
    assert await bot.set_my_description("Long words.\nTwo lines.")
    assert await bot.set_my_short_description("Short words.")
    assert (await bot.get_my_description()).description == "Long words.\nTwo lines."
    assert (await bot.get_my_short_description()).short_description == "Short words."
    assert server.profile.description() == "Long words.\nTwo lines."
    assert server.profile.short_description() == "Short words."
    assert server.errors() == []


async def test_each_language_has_its_own_text_and_no_fallback(server: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_description("For everyone.")
    await bot.set_my_description("Für Deutschsprachige.", language_code="de")
    assert (await bot.get_my_description("de")).description == "Für Deutschsprachige."
    assert (await bot.get_my_description()).description == "For everyone."
    assert (await bot.get_my_description("fr")).description == ""
    assert server.profile.description("de") == "Für Deutschsprachige."


async def test_an_empty_or_missing_text_removes_it(server: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_description("Words.")
    await bot.set_my_short_description("Short.")
    await bot.set_my_description("")
    await bot.set_my_short_description()
    assert (await bot.get_my_description()).description == ""
    assert server.profile.short_description() == ""


@pytest.mark.parametrize(
    ("method", "limit"), [("long", DESCRIPTION_MAX), ("short", SHORT_DESCRIPTION_MAX)]
)
async def test_a_text_past_telegrams_limit_is_refused(
    server: FakeBotApi, bot: Bot, method: str, limit: int
) -> None:
    setter = bot.set_my_description if method == "long" else bot.set_my_short_description
    assert await setter("é" * limit)  # characters, not bytes
    with pytest.raises(BadRequest, match="too long"):
        await setter("x" * (limit + 1))
    kept = server.profile.description() if method == "long" else server.profile.short_description()
    assert kept == "é" * limit


@pytest.mark.parametrize("language", ["EN", "eng", "e1", "en-US"])
async def test_a_language_code_must_be_two_lowercase_letters(
    server: FakeBotApi, bot: Bot, language: str
) -> None:
    with pytest.raises(BadRequest, match="Invalid language code specified"):
        await bot.set_my_description("Words.", language_code=language)
    with pytest.raises(BadRequest, match="Invalid language code specified"):
        await bot.get_my_short_description(language_code=language)
    assert server.profile.descriptions == {}


async def test_unknown_parameters_are_refused(server: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Unknown parameter 'text'"):
        await bot.set_my_description("Words.", api_kwargs={"text": "Words."})
    assert server.profile.descriptions == {}


async def test_typing_is_shown_in_a_chat_that_exists(server: FakeBotApi, bot: Bot) -> None:
    server.user(42)
    assert await bot.send_chat_action(42, "typing")
    assert await bot.send_chat_action(42, "upload_document")
    [first, second] = [call.params for call in server.calls if call.method == "sendChatAction"]
    assert (first["chat_id"], first["action"]) == (42, "typing")
    assert second["action"] == "upload_document"


async def test_a_chat_action_is_refused_as_telegram_refuses_it(
    server: FakeBotApi, bot: Bot
) -> None:
    reader = server.user(42)
    with pytest.raises(BadRequest, match="Wrong parameter action in request"):
        await bot.send_chat_action(42, "dancing")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_chat_action(43, "typing")
    server.block(reader)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_chat_action(42, "typing")
