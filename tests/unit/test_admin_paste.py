"""Joining the parts of a long paste."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.admin.paste import PasteBuffer
from bot.context import ChatData
from brief import MAX_BRIEF_BYTES, BriefError, parse_text
from brief.isolated import Upload, parse_upload


def test_parts_join_in_order_with_their_links() -> None:
    chat = ChatData(paste=PasteBuffer())
    assert chat.paste is not None
    chat.paste.add("Title\nSummary", (("Title", "https://a.example"),))
    chat.paste.add("Facts", ())
    chat.paste.add("- A fact.1", (("1", "https://b.example"),))
    joined = chat.take_paste()
    assert joined is not None
    assert joined.text == "Title\nSummary\nFacts\n- A fact.1"
    assert joined.links == (("Title", "https://a.example"), ("1", "https://b.example"))
    assert chat.take_paste() is None  # taken once


@pytest.mark.parametrize("marker", ["Sources:", "in exchange for", "Narratives", "- Pro-Russia"])
def test_a_paste_cut_anywhere_a_client_cuts_parses_as_the_whole(
    briefs_dir: Path, marker: str
) -> None:
    """Clients cut at a line break or a space and drop it; joining restores the brief."""
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    cut = text.index(marker)
    buffer = PasteBuffer()
    buffer.add(text[:cut].rstrip(" \n"), ())
    buffer.add(text[cut:], ())
    assert parse_text(buffer.joined().text).brief == parse_text(text).brief


def test_the_long_brief_cut_at_line_breaks_parses_as_the_whole(briefs_dir: Path) -> None:
    text = (briefs_dir / "northfield-budget-long.txt").read_text(encoding="utf-8")
    buffer = PasteBuffer()
    rest = text
    while len(rest) > 4096:
        cut = rest.rindex("\n", 0, 4096)
        buffer.add(rest[:cut], ())
        rest = rest[cut + 1 :]
    buffer.add(rest, ())
    assert len(buffer.parts) == 2
    assert parse_text(buffer.joined().text).brief == parse_text(text).brief


def test_a_paste_stops_growing_past_the_upload_limit_and_is_refused_whole() -> None:
    buffer = PasteBuffer()
    chat = ChatData(paste=buffer)
    part = "x" * 4096
    for _ in range(MAX_BRIEF_BYTES // 4096 + 50):
        buffer.add(part, ())
    joined = chat.take_paste()
    assert joined is not None
    assert MAX_BRIEF_BYTES < len(joined.text) <= MAX_BRIEF_BYTES + 2 * 4097
    with pytest.raises(BriefError, match="the paste is larger than 1 MB"):
        parse_upload(Upload(joined.text))
