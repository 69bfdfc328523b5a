"""The fake's inline mode answers and refuses as Telegram does."""

from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
)
from telegram.error import BadRequest

from tests.fakebot import FakeBotApi, FakeUser

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])


def article(result_id: str = "1", text: str = "<b>Hello</b> world", **extra: Any) -> Any:
    return InlineQueryResultArticle(
        result_id,
        "Hello",
        InputTextMessageContent(text, parse_mode="HTML"),
        description="A greeting",
        **extra,
    )


@pytest.fixture
def reader(server: FakeBotApi) -> FakeUser:
    server.inline.turn_on()
    return server.user(42, "Ada")


async def test_inline_mode_is_a_botfather_setting(server: FakeBotApi, bot: Bot) -> None:
    reader = server.user(42)
    assert (await bot.get_me()).supports_inline_queries is False
    with pytest.raises(AssertionError, match="inline mode is off"):
        server.inline.send_query(reader, "x")
    server.inline.turn_on()
    bot._bot_user = None  # PTB keeps getMe's answer; ask again
    assert (await bot.get_me()).supports_inline_queries is True


async def test_a_query_is_delivered_and_answered_once(
    server: FakeBotApi, bot: Bot, reader: FakeUser
) -> None:
    query_id = server.inline.send_query(reader, "hel", offset="20", chat_type="group")
    [update] = await bot.get_updates()
    query = update.inline_query
    assert query is not None
    assert (query.id, query.query, query.offset, query.chat_type) == (
        query_id,
        "hel",
        "20",
        "group",
    )
    assert query.from_user.id == reader.id
    assert await bot.answer_inline_query(
        query_id, [article()], cache_time=5, is_personal=True, next_offset="40"
    )
    answer = server.inline.answer(query_id)
    assert answer is not None
    assert answer["next_offset"] == "40"
    assert answer["results"][0]["title"] == "Hello"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(query_id, [article()])
    with pytest.raises(BadRequest, match="Query_id_invalid"):
        await bot.answer_inline_query("12345", [article()])


async def test_an_expired_query_is_refused(server: FakeBotApi, bot: Bot, reader: FakeUser) -> None:
    server.inline.lifetime = 0.0
    query_id = server.inline.send_query(reader, "late")
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(query_id, [])


@pytest.mark.parametrize(
    ("results", "extra", "reason"),
    [
        ([article(str(n)) for n in range(51)], {}, "RESULTS_TOO_MUCH"),
        ([article("1"), article("1")], {}, "RESULT_ID_DUPLICATE"),
        ([article("x" * 65)], {}, "RESULT_ID_INVALID"),
        ([article("1", text="<b>open")], {}, "can't parse entities"),
        ([article("1", text="<b> </b>")], {}, "message text is empty"),
        ([article("1", text="a" * 4097)], {}, "message is too long"),
        ([article("1")], {"next_offset": "9" * 65}, "NEXT_OFFSET_INVALID"),
        (
            [article("1")],
            {"button": InlineQueryResultsButton("Open", start_parameter="no spaces")},
            "START_PARAM_INVALID",
        ),
        (
            [article("1", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x")]]))],
            {},
            "Text buttons are unallowed",
        ),
    ],
)
async def test_a_bad_answer_is_refused(
    server: FakeBotApi,
    bot: Bot,
    reader: FakeUser,
    results: list[Any],
    extra: dict[str, Any],
    reason: str,
) -> None:
    query_id = server.inline.send_query(reader, "q")
    with pytest.raises(BadRequest):
        await bot.answer_inline_query(query_id, results, **extra)
    assert reason in (server.errors()[-1].description or "")
    assert server.inline.answer(query_id) is None
    assert await bot.answer_inline_query(query_id, [article()])  # a refusal answers nothing


async def test_a_result_without_a_title_is_refused(server: FakeBotApi, reader: FakeUser) -> None:
    query_id = server.inline.send_query(reader, "q")
    result = {"type": "article", "id": "1", "input_message_content": {"message_text": "x"}}
    body = {"inline_query_id": query_id, "results": [result]}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.url}/bot{server.token}/answerInlineQuery", json=body) as answer,
    ):
        refusal = await answer.json()
    assert answer.status == 400
    assert refusal["description"].endswith('Can\'t find field "title"')


async def test_a_chosen_result_with_a_keyboard_is_named_to_the_bot(
    server: FakeBotApi, bot: Bot, reader: FakeUser
) -> None:
    query_id = server.inline.send_query(reader, "hel")
    await bot.answer_inline_query(query_id, [article("a", reply_markup=KEYBOARD), article("b")])
    group = server.group(-100, "Friends")
    message = server.inline.choose(reader, query_id, "a", chat=group)
    assert message.text == "Hello world"
    assert message.entities[0]["type"] == "bold"
    assert message.button("More")["callback_data"] == "more:1"
    server.inline.choose(reader, query_id, "b")
    updates = await bot.get_updates()
    chosen = [u.chosen_inline_result for u in updates if u.chosen_inline_result]
    assert [(c.result_id, c.query, c.from_user.id) for c in chosen] == [
        ("a", "hel", reader.id),
        ("b", "hel", reader.id),
    ]
    assert chosen[0].inline_message_id == message.inline_message_id
    assert chosen[1].inline_message_id is None  # no keyboard: Telegram does not name it


async def test_without_feedback_no_choice_is_reported(
    server: FakeBotApi, bot: Bot, reader: FakeUser
) -> None:
    server.inline.turn_on(feedback=False)
    query_id = server.inline.send_query(reader, "hel")
    await bot.answer_inline_query(query_id, [article("a", reply_markup=KEYBOARD)])
    server.inline.choose(reader, query_id, "a")
    updates = await bot.get_updates(offset=-1)
    assert [u.chosen_inline_result for u in updates] == [None]  # only the inline query


async def test_a_press_on_an_inline_message_names_it_and_no_message(
    server: FakeBotApi, bot: Bot, reader: FakeUser
) -> None:
    query_id = server.inline.send_query(reader, "hel")
    await bot.answer_inline_query(query_id, [article("a", reply_markup=KEYBOARD)])
    message = server.inline.choose(reader, query_id, "a")
    press_id = server.inline.press(reader, message, "more:1")
    updates = await bot.get_updates()
    [press] = [u.callback_query for u in updates if u.callback_query]
    assert press.id == press_id
    assert press.inline_message_id == message.inline_message_id
    assert press.message is None
    assert press.data == "more:1"
    assert await press.answer("ok")


async def test_an_inline_message_is_edited_by_its_id(
    server: FakeBotApi, bot: Bot, reader: FakeUser
) -> None:
    query_id = server.inline.send_query(reader, "hel")
    await bot.answer_inline_query(query_id, [article("a", reply_markup=KEYBOARD)])
    message = server.inline.choose(reader, query_id, "a")
    inline_id = message.inline_message_id
    edited = await bot.edit_message_text(
        "<i>Corrected</i>", inline_message_id=inline_id, parse_mode="HTML", reply_markup=KEYBOARD
    )
    assert edited is True
    assert (message.text, message.entities[0]["type"], message.edits) == ("Corrected", "italic", 1)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<i>Corrected</i>",
            inline_message_id=inline_id,
            parse_mode="HTML",
            reply_markup=KEYBOARD,
        )
    assert await bot.edit_message_reply_markup(inline_message_id=inline_id) is True
    assert message.buttons == []
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(inline_message_id=inline_id)
    with pytest.raises(BadRequest, match="Message_id_invalid"):
        await bot.edit_message_text("x", inline_message_id="AQAAAB9999999999")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.edit_message_text("<b>x", inline_message_id=inline_id, parse_mode="HTML")


async def test_a_link_to_the_bot_gives_its_start_parameter(server: FakeBotApi) -> None:
    assert server.inline.start_parameter("https://t.me/briefbot_test_bot?start=b12-facts") == (
        "b12-facts"
    )
    with pytest.raises(AssertionError, match="not a link"):
        server.inline.start_parameter("https://t.me/other_bot?start=b12")
