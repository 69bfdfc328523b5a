import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.splitting import entity_count, split_message, visible_length


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.ok = False


def balanced(piece: str) -> bool:
    parser = _Balance()
    parser.feed(piece)
    parser.close()
    return parser.ok and not parser.stack


def words(text: str) -> list[str]:
    return re.sub(r"<[^>]*>", " ", text).split()


def test_short_text_is_one_message() -> None:
    assert split_message("<b>Hi</b> there") == ["<b>Hi</b> there"]


def test_counts_what_telegram_counts() -> None:
    assert visible_length("<b>a&amp;b</b> <a href='http://x'>c</a>") == 5
    assert visible_length("😀") == 2  # one emoji is two UTF-16 code units
    assert entity_count("<b>a</b> <i>b</i> <a href='x'>c</a>") == 3


def test_splits_between_blocks_never_inside_a_link() -> None:
    block = "<b>{n}.</b> " + "word " * 150 + '<a href="https://example.org/{n}">[1]</a>'
    text = "\n\n".join(block.format(n=n) for n in range(1, 20))
    pieces = split_message(text)
    assert len(pieces) > 1
    for piece in pieces:
        assert visible_length(piece) <= 4096
        assert balanced(piece)
        assert piece.startswith("<b>")  # every piece starts at a block boundary
    assert words("\n\n".join(pieces)) == words(text)


def test_entity_limit_splits_too() -> None:
    text = "\n\n".join(f"<b>{n}</b>" for n in range(150))
    pieces = split_message(text)
    assert len(pieces) == 2
    assert all(entity_count(p) <= 100 for p in pieces)


def test_one_huge_block_is_cut_at_words() -> None:
    text = "<i>intro</i> " + "lengthy " * 1200
    pieces = split_message(text)
    assert len(pieces) == 3
    assert all(visible_length(p) <= 4096 for p in pieces)
    assert words(" ".join(pieces)) == words(text)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "b", "i", "a"]),
            st.text(alphabet="abcdé😀 <&", min_size=1, max_size=400),
        ),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(["\n\n", "\n", " "]),
)
def test_every_piece_fits_and_is_valid(blocks: list[tuple[str, str]], separator: str) -> None:
    def render(tag: str, raw: str) -> str:
        body = raw.replace("&", "&amp;").replace("<", "&lt;").strip() or "x"
        if tag == "a":
            return f'<a href="https://example.org">{body}</a>'
        return f"<{tag}>{body}</{tag}>" if tag else body

    text = separator.join(render(tag, raw) for tag, raw in blocks)
    pieces = split_message(text, limit=500, max_entities=10)
    for piece in pieces:
        assert 0 < visible_length(piece) <= 500
        assert entity_count(piece) <= 10
        assert balanced(piece)
    assert words(" ".join(pieces)) == words(text)


def test_a_word_longer_than_a_message_is_cut_inside() -> None:
    text = "<i>intro</i> " + "x" * 10_000
    pieces = split_message(text)
    assert [visible_length(p) for p in pieces] == [5, 4096, 4096, 1808]
    assert "".join(pieces[1:]) == "x" * 10_000


def test_a_tag_longer_than_a_message_is_closed_and_opened_again() -> None:
    text = '<a href="https://example.org">' + "y" * 5000 + "</a>"
    pieces = split_message(text)
    assert pieces == [
        '<a href="https://example.org">' + "y" * 4096 + "</a>",
        '<a href="https://example.org">' + "y" * 904 + "</a>",
    ]


def test_an_emoji_is_never_cut_in_half() -> None:
    pieces = split_message("😀" * 3000)
    assert [visible_length(p) for p in pieces] == [4096, 1904]
