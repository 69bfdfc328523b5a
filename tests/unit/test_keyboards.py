import pytest
from telegram import InlineKeyboardMarkup

from bot.core.buttons import brief_keyboard, channel_keyboard, shared_keyboard
from bot.core.chat import PARTS, Keyboard, ShowPart, brief_number
from bot.core.reading import Refusal, parse_brief_id, render_refusal
from bot.core.rendering import Renderer
from bot.telegram.keyboards import Keyboards, parse_part_data, part_data


def telegram(keyboard: Keyboard) -> InlineKeyboardMarkup:
    """The keyboard as Telegram gets it, from the bot @briefbot."""
    markup = Keyboards(lambda: "briefbot").markup(keyboard)
    assert markup is not None
    return markup


def test_callback_data_round_trips_and_fits() -> None:
    for part in PARTS:
        data = part_data(2**62, part)
        assert len(data.encode()) <= 64
        assert parse_part_data(data) == ShowPart(2**62, part)


@pytest.mark.parametrize("data", [None, "", "brief:x:facts", "brief:1:poems", "draft:1:publish"])
def test_foreign_or_stale_data_is_not_a_part(data: str | None) -> None:
    assert parse_part_data(data) is None


def test_summary_offers_the_three_other_parts_listen_and_share() -> None:
    row, [listen, share] = telegram(brief_keyboard(Renderer(), 7, shown="summary")).inline_keyboard
    assert [b.text for b in row] == ["Facts", "Sources", "Narratives"]
    assert [b.callback_data for b in row] == [
        "brief:7:facts",
        "brief:7:sources",
        "brief:7:narratives",
    ]
    # Sends the voice note in this chat.
    assert (listen.text, listen.callback_data) == ("Listen", "listen:7")
    # Sends the voice note in this chat.
    assert (listen.text, listen.callback_data) == ("Listen", "listen:7")
    # Opens the chat picker with `@bot #7` typed: inline mode answers with brief 7 alone.
    assert (share.text, share.switch_inline_query) == ("Share", "#7")


def test_a_shared_copy_links_each_part_privately_and_can_be_shared_on() -> None:
    links, [share] = telegram(shared_keyboard(Renderer(), 7)).inline_keyboard
    assert [(b.text, b.url) for b in links] == [
        ("Facts", "https://t.me/briefbot?start=b7-facts"),
        ("Sources", "https://t.me/briefbot?start=b7-sources"),
        ("Narratives", "https://t.me/briefbot?start=b7-narratives"),
    ]
    assert all(b.callback_data is None for b in links)  # no callback: nothing edited in place
    assert share.switch_inline_query == "#7"


def test_a_part_offers_the_others_listen_and_share() -> None:
    row, [listen, share] = telegram(brief_keyboard(Renderer(), 7, shown="facts")).inline_keyboard
    assert [b.text for b in row] == ["Summary", "Sources", "Narratives"]
    assert (listen.text, share.text) == ("Listen", "Share")


@pytest.mark.parametrize(("args", "expected"), [([], None), (["12"], 12), (["#12"], 12)])
def test_brief_ids(args: list[str], expected: int | None) -> None:
    assert parse_brief_id("facts", args) == expected


@pytest.mark.parametrize("args", [["abc"], ["1", "2"], ["-3"], ["0"], ["١٢"], ["9" * 30]])
def test_malformed_ids_are_refused_kindly(args: list[str]) -> None:
    refusal = parse_brief_id("facts", args)
    assert isinstance(refusal, Refusal)
    [text] = render_refusal(Renderer(), refusal).texts
    assert "is not a brief number" in text
    assert "/facts 3" in text


def test_memo_keeps_recent_renderings_and_forgets_the_oldest() -> None:
    from functools import partial

    from bot.core.rendering import MEMO_SIZE

    renderer = Renderer()
    calls: list[int] = []

    def render(n: int) -> str:
        calls.append(n)
        return f"text {n}"

    assert renderer.memo(("k", 0), lambda: render(0)) == "text 0"
    assert renderer.memo(("k", 0), lambda: render(99)) == "text 0"
    assert calls == [0]
    for n in range(1, MEMO_SIZE + 1):
        renderer.memo(("k", n), partial(render, n))
    renderer.memo(("k", 0), lambda: render(0))
    assert calls.count(0) == 2  # evicted, so rendered again


def test_a_kept_keyboard_is_sent_exactly_as_ptb_would_send_it() -> None:
    keyboard = telegram(brief_keyboard(Renderer(), 7, shown="facts"))
    plain = InlineKeyboardMarkup(keyboard.inline_keyboard)
    assert keyboard == plain
    assert keyboard.to_dict() == plain.to_dict()
    assert keyboard.to_json() == plain.to_json()
    # Each caller gets a dict of its own.
    keyboard.to_dict()["inline_keyboard"].clear()
    assert keyboard.to_dict() == plain.to_dict()


@pytest.mark.parametrize("text", ["0", "9223372036854775808", "9" * 5000, "#" + "1" * 5000, "١٢"])
def test_a_number_no_brief_can_have_is_none_and_never_an_error(text: str) -> None:
    assert brief_number(text) is None


def test_the_largest_brief_number_is_read() -> None:
    assert brief_number("#9223372036854775807") == 2**63 - 1


def test_a_channel_post_links_each_part_and_shares_through_telegrams_share_page() -> None:
    keyboard = channel_keyboard(Renderer(), 7, "Floods & fires")
    links, [listen, share] = telegram(keyboard).inline_keyboard
    assert [b.url for b in links] == [
        "https://t.me/briefbot?start=b7-facts",
        "https://t.me/briefbot?start=b7-sources",
        "https://t.me/briefbot?start=b7-narratives",
    ]
    # A press in a channel cannot be answered with a message to the reader: a private chat.
    assert (listen.text, listen.url) == ("Listen", "https://t.me/briefbot?start=b7-listen")
    assert share.url == (
        "https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fbriefbot%3Fstart%3Db7"
        "&text=Floods+%26+fires"
    )


def test_the_same_keyboard_is_converted_once() -> None:
    keyboards = Keyboards(lambda: "briefbot")
    keyboard = brief_keyboard(Renderer(), 7, shown="facts")
    assert keyboards.markup(keyboard) is keyboards.markup(keyboard)
    assert keyboards.markup(None) is None
