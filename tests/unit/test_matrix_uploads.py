"""What the Matrix adapter reads of an editor's message (bot/matrix/uploads.py): a paste's
text and links, a file's name and declared size."""

from __future__ import annotations

from typing import Any

import pytest

from bot.matrix.uploads import declared_size, file_name, pasted


def test_a_paste_is_its_body_with_markdown_links_as_anchor_and_address() -> None:
    body = "Sources: 1[Harbor Times](https://harbor.example/vote) and 2City Desk."
    text, links = pasted({"msgtype": "m.text", "body": body})
    assert text == "Sources: 1Harbor Times and 2City Desk."
    assert links == (("Harbor Times", "https://harbor.example/vote"),)


def test_a_paste_keeps_brackets_that_are_no_link() -> None:
    body = "A fact [1] and [a note](not a link)."
    assert pasted({"body": body}) == (body, ())


def test_a_reply_leaves_out_the_quote_of_what_it_answers() -> None:
    content = {
        "body": "> <@bot:test.local> Send the corrected brief #1\n> second line\n\nTitle\nText",
        "m.relates_to": {"m.in_reply_to": {"event_id": "$prompt"}},
    }
    assert pasted(content)[0] == "Title\nText"


def test_quoted_lines_of_a_message_that_is_no_reply_are_kept() -> None:
    assert pasted({"body": "> a quote\n\nTitle"})[0] == "> a quote\n\nTitle"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        ({"body": "vote.md", "filename": "vote.md"}, "vote.md"),
        ({"body": "the caption", "filename": "vote.json"}, "vote.json"),
        ({"body": "vote.txt"}, "vote.txt"),
        ({"body": "  "}, None),
        ({}, None),
    ],
)
def test_a_files_name(content: dict[str, Any], name: str | None) -> None:
    assert file_name(content) == name


@pytest.mark.parametrize(
    ("info", "size"),
    [({"size": 120}, 120), ({"size": -1}, None), ({"size": True}, None), ({}, None), (None, None)],
)
def test_a_files_declared_size(info: object, size: int | None) -> None:
    assert declared_size({"info": info}) == size
