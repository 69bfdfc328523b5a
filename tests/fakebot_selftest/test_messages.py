import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, EndPointNotFound, InvalidToken

from tests.fakebot import FakeBotApi

HTML_REFUSALS = [
    ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("<blink>x</blink>", 'Unsupported start tag "blink" at byte offset 0'),
    ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ("fish & chips", 'unescaped "&" at byte offset 5'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
]


async def test_html_becomes_plain_text_and_utf16_entities(server: FakeBotApi, bot: Bot) -> None:
    reader = server.user(42)
    html = (
        '  😀 <b>Bold</b> &amp; <a href="https://example.com">link</a> '
        '<pre><code class="language-py">x=1</code></pre>  '
    )
    message = await bot.send_message(reader.id, html, parse_mode="HTML")
    assert message.text == "😀 Bold & link x=1"
    got = [(e.type, e.offset, e.length) for e in message.entities]
    assert got == [("bold", 3, 4), ("text_link", 10, 4), ("pre", 15, 3)]
    assert message.entities[1].url == "https://example.com/"
    assert message.entities[2].language == "py"
    assert server.sent(42)[0].html == html
    assert server.errors() == []


@pytest.mark.parametrize(("html", "reason"), HTML_REFUSALS)
async def test_bad_html_is_refused_like_telegram(
    server: FakeBotApi, bot: Bot, html: str, reason: str
) -> None:
    server.user(42)
    with pytest.raises(BadRequest, match=r"^Can't parse entities: "):
        await bot.send_message(42, html, parse_mode="HTML")
    description = server.errors()[-1].description or ""
    assert description.startswith("Bad Request: can't parse entities: ")
    assert reason in description
    assert server.sent(42) == []


async def test_length_counts_plain_text_in_utf16(server: FakeBotApi, bot: Bot) -> None:
    server.user(42)
    with pytest.raises(BadRequest, match=r"Message is too long"):
        await bot.send_message(42, "a" * 4097)
    with pytest.raises(BadRequest, match=r"Message is too long"):
        await bot.send_message(42, "😀" * 2049)
    sent = await bot.send_message(42, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    assert sent.text is not None
    assert len(sent.text) == 4096
    with pytest.raises(BadRequest, match=r"Message text is empty"):
        await bot.send_message(42, "<b> </b>", parse_mode="HTML")


async def test_more_than_100_entities_refused(server: FakeBotApi, bot: Bot) -> None:
    server.user(42)
    await bot.send_message(42, "<b>x</b> " * 100, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)^too many entities"):
        await bot.send_message(42, "<b>x</b> " * 101, parse_mode="HTML")


async def test_callback_data_over_64_bytes_refused(server: FakeBotApi, bot: Bot) -> None:
    server.user(42)
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="é" * 32)]])
    await bot.send_message(42, "fine", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await bot.send_message(42, "refused", reply_markup=too_long)


async def test_unknown_chat_method_token_and_parameter(server: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(7, "hello")
    server.user(7)
    with pytest.raises(BadRequest, match=r"^Unknown parameter 'foo'$"):
        await bot.send_message(7, "hello", api_kwargs={"foo": 1})
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 7})
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=f"{server.url}/bot"):
            pass
    assert [(c.method, c.error_code) for c in server.errors()] == [
        ("sendMessage", 400),
        ("sendMessage", 400),
    ]
    assert (
        server.calls[-1].description is None or "Unauthorized" not in server.calls[-1].description
    )


async def test_edit_and_not_modified(server: FakeBotApi, bot: Bot) -> None:
    server.user(42)
    message = await bot.send_message(42, "<b>v1</b>", parse_mode="HTML")
    await bot.edit_message_text("<b>v2</b>", 42, message.message_id, parse_mode="HTML")
    assert server.sent(42)[0].text == "v2"
    assert server.sent(42)[0].edits == 1
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_text("<b>v2</b>", 42, message.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", 42, 999)


async def test_callback_query_answered_once(server: FakeBotApi, bot: Bot) -> None:
    reader = server.user(42)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])
    await bot.send_message(42, "brief", reply_markup=markup)
    sent = server.sent(42)[0]
    assert sent.button("More")["callback_data"] == "more:1"
    with pytest.raises(AssertionError):
        await server.press_button(reader, sent, "other")
    query_id = await server.press_button(reader, sent, "more:1")
    await bot.answer_callback_query(query_id, text="Done")
    assert server.callback_answer(query_id) == {"callback_query_id": query_id, "text": "Done"}
    with pytest.raises(BadRequest, match=r"^Query is too old"):
        await bot.answer_callback_query(query_id)
