"""Reading an admin's upload: links, forwards, documents."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram import (
    Chat,
    Message,
    MessageEntity,
    MessageOrigin,
    MessageOriginChannel,
    MessageOriginHiddenUser,
    MessageOriginUser,
    User,
)

from bot.core.publishing.uploads import (
    FileProblem,
    FileRefused,
    check_document,
    document_upload,
)
from bot.telegram.admin.messages import is_own_message, message_links
from brief import MAX_BRIEF_BYTES, BriefError, ParseResult, parse_text
from brief.isolated import parse_upload
from brief.printer import to_json


def parse_document(file_name: str, content: bytes) -> ParseResult:
    return parse_upload(document_upload(file_name, content))


ADMIN = User(1000, "Editor", is_bot=False)
OTHER = User(42, "Ada", is_bot=False)
NOW = datetime(2026, 6, 18, 9, 0, tzinfo=UTC)


def message(
    text: str,
    entities: Sequence[MessageEntity] = (),
    *,
    forward_origin: MessageOrigin | None = None,
) -> Message:
    chat = Chat(ADMIN.id, Chat.PRIVATE)
    return Message(
        1,
        NOW,
        chat,
        from_user=ADMIN,
        text=text,
        entities=entities,
        forward_origin=forward_origin,
    )


def test_links_in_order_with_their_anchor_text() -> None:
    text = "Sources: 1Al Jazeera 🌍, 2POLITICO and https://tass.com."
    start = text.index("2POLITICO")
    # Offsets count UTF-16 units: the globe is two of them.
    entities = [
        MessageEntity(MessageEntity.URL, len("Sources: 1Al Jazeera 🌍, 2POLITICO and ") + 1, 16),
        MessageEntity(MessageEntity.TEXT_LINK, start + 1, 9, url="https://politico.eu"),
        MessageEntity(MessageEntity.BOLD, 0, 8),
    ]
    assert message_links(message(text, entities)) == (
        ("2POLITICO", "https://politico.eu"),
        ("https://tass.com", "https://tass.com"),
    )


def test_own_words_and_own_forwards_are_uploads_other_forwards_are_not() -> None:
    assert is_own_message(message("brief"))
    assert is_own_message(message("brief", forward_origin=MessageOriginUser(NOW, ADMIN)))
    assert not is_own_message(message("brief", forward_origin=MessageOriginUser(NOW, OTHER)))
    assert not is_own_message(
        message("brief", forward_origin=MessageOriginHiddenUser(NOW, "Editor"))
    )
    channel = Chat(-1001, Chat.CHANNEL, title="News")
    assert not is_own_message(
        message("brief", forward_origin=MessageOriginChannel(NOW, channel, 7))
    )


@pytest.mark.parametrize("name", ["brief.txt", "BRIEF.TXT", "notes.md", "brief.json"])
def test_accepted_file_names(name: str) -> None:
    check_document(name, MAX_BRIEF_BYTES)


@pytest.mark.parametrize("name", ["brief.pdf", "brief.docx", "brief", None, "brief.txt.exe"])
def test_other_file_types_are_refused(name: str | None) -> None:
    with pytest.raises(FileRefused) as refused:
        check_document(name, 10)
    assert refused.value.problem is FileProblem.WRONG_TYPE


def test_a_file_over_one_megabyte_is_refused() -> None:
    with pytest.raises(FileRefused) as refused:
        check_document("brief.txt", MAX_BRIEF_BYTES + 1)
    assert refused.value.problem is FileProblem.TOO_BIG
    with pytest.raises(FileRefused):  # a size the client did not declare is checked on download
        parse_document("brief.txt", b" " * (MAX_BRIEF_BYTES + 1))


def test_text_and_json_documents_parse_to_the_same_brief(briefs_dir: Path) -> None:
    content = (briefs_dir / "putin-north-korea.txt").read_bytes()
    expected = parse_text(content.decode("utf-8")).brief
    assert parse_document("putin.txt", b"\xef\xbb\xbf" + content).brief == expected  # BOM
    as_json = json.dumps(to_json(expected), ensure_ascii=False).encode()
    assert parse_document("putin.json", as_json).brief == expected


def test_a_file_that_is_not_utf8_names_the_line() -> None:
    with pytest.raises(BriefError) as error:
        parse_document("brief.txt", "Title\nSummary\nCafé".encode("latin-1"))
    [problem] = error.value.problems
    assert problem.line == 3
    assert "UTF-8" in problem.message
