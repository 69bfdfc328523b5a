"""Reading an admin's upload, a message's text or a document, into a parsed brief."""

from __future__ import annotations

from enum import Enum
from pathlib import PurePath
from typing import Any

from telegram import Message, MessageEntity, MessageOriginUser

from brief import MAX_BRIEF_BYTES
from brief.isolated import Link, Upload

JSON_EXTENSIONS = frozenset({".json"})
EXTENSIONS = (".txt", ".md", ".json")


class FileProblem(Enum):
    """Why a file is turned away before it is read; the value is the admin's template."""

    WRONG_TYPE = "admin_bad_file.html"
    TOO_BIG = "admin_file_too_big.html"


class FileRefused(Exception):
    """A file turned away before parsing: why, and what the admin's answer needs."""

    def __init__(self, problem: FileProblem, context: dict[str, Any]) -> None:
        super().__init__(problem.name)
        self.problem = problem
        self.context = context


def message_links(message: Message) -> tuple[Link, ...]:
    """(anchor text, url) for every link in the message, in order.

    A `text_link` carries its url; a bare `url` entity is its own anchor, so it only
    matches a source whose name is the address itself, and is otherwise left to the
    text, where the block source form has a place for it.
    """
    found = message.parse_entities([MessageEntity.TEXT_LINK, MessageEntity.URL])
    ordered = sorted(found.items(), key=lambda item: item[0].offset)
    return tuple(
        (text, entity.url if entity.type == MessageEntity.TEXT_LINK and entity.url else text)
        for entity, text in ordered
    )


def is_own_message(message: Message) -> bool:
    """Whether a message is the sender's own words: typed, or forwarded from themselves.

    A forward of someone else's message (a channel post, another user, a hidden sender)
    is never taken as an upload: the sender did not write it, and for a brief the
    author matters.
    """
    origin = message.forward_origin
    if origin is None:
        return True
    sender = message.from_user
    return (
        isinstance(origin, MessageOriginUser)
        and sender is not None
        and origin.sender_user.id == sender.id
    )


def check_document(file_name: str | None, size: int | None) -> None:
    """Refuse a document by its name and declared size, before downloading it."""
    extension = _extension(file_name)
    if extension not in EXTENSIONS:
        raise FileRefused(
            FileProblem.WRONG_TYPE,
            {"file_name": file_name or "the file", "extensions": EXTENSIONS},
        )
    if size is not None and size > MAX_BRIEF_BYTES:
        raise FileRefused(
            FileProblem.TOO_BIG,
            {"file_name": file_name, "size": size, "limit": MAX_BRIEF_BYTES},
        )


def document_upload(file_name: str | None, content: bytes) -> Upload:
    """A downloaded document, to be parsed by its extension; raises FileRefused."""
    check_document(file_name, len(content))
    return Upload(content, as_json=_extension(file_name) in JSON_EXTENSIONS)


def _extension(file_name: str | None) -> str:
    return PurePath(file_name or "").suffix.lower()
