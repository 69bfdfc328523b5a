"""What an admin's file must be before it is read: its type and size, then its bytes as an
upload to parse. (What a Telegram message carries is read by bot/telegram/admin/messages.py.)"""

from __future__ import annotations

from enum import Enum
from pathlib import PurePath
from typing import Any

from brief import MAX_BRIEF_BYTES
from brief.isolated import Upload

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
