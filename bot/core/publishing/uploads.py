"""An admin's upload, from what the chat app read of it to the preview or the refusal: what
a file must be before it is read (its type and size), a paste joined, the parse, the
correction it may be, the draft. (What a Telegram message carries is read by
bot/telegram/admin/messages.py.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from pathlib import PurePath
from typing import Any, TypeAlias

from bot.core.chat import Reply
from bot.core.publishing import drafts, paste, template
from bot.core.rendering import Renderer
from brief import MAX_BRIEF_BYTES, BriefError, ParseResult
from brief.isolated import Upload
from storage import Storage

# How an upload is parsed: brief.isolated.UploadParser.parse, in a child process.
Parse: TypeAlias = Callable[[Upload], Awaitable[ParseResult]]

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


def not_own(renderer: Renderer) -> Reply:
    """The answer to a forward of someone else's message: never taken as an upload, for a
    brief the author matters. (Whose words they are is the chat app's to read.)"""
    return Reply([renderer.render("admin_forward.html")])


def file_refusal(renderer: Renderer, refused: FileRefused) -> Reply:
    return Reply([renderer.render(refused.problem.value, **refused.context)])


def document_refusal(renderer: Renderer, file_name: str | None, size: int | None) -> Reply | None:
    """The answer to a document turned away by its name and declared size, before it is
    downloaded; None for a document to download."""
    try:
        check_document(file_name, size)
    except FileRefused as refused:
        return file_refusal(renderer, refused)
    return None


async def receive_document(
    storage: Storage,
    renderer: Renderer,
    parse: Parse,
    *,
    chat_id: int,
    admin_id: int,
    file_name: str | None,
    content: bytes,
    clock: Callable[[], datetime],
) -> Reply:
    """A downloaded document: refused by its type or actual size, or received."""
    try:
        upload = document_upload(file_name, content)
    except FileRefused as refused:
        return file_refusal(renderer, refused)
    return await receive_upload(
        storage, renderer, parse, chat_id=chat_id, admin_id=admin_id, upload=upload, clock=clock
    )


async def receive_paste(
    storage: Storage,
    renderer: Renderer,
    parse: Parse,
    *,
    chat_id: int,
    admin_id: int,
    last: int,
    clock: Callable[[], datetime],
) -> Reply | None:
    """A paste's timer ran out: if the part numbered `last` is still the newest (in any
    process), the parts joined and received; None when a newer part's timer will do it."""
    joined = await paste.take(storage, chat_id, last)
    if joined is None:
        return None
    upload = Upload(joined.text, links=joined.links)
    return await receive_upload(
        storage, renderer, parse, chat_id=chat_id, admin_id=admin_id, upload=upload, clock=clock
    )


async def receive_upload(
    storage: Storage,
    renderer: Renderer,
    parse: Parse,
    *,
    chat_id: int,
    admin_id: int,
    upload: Upload,
    clock: Callable[[], datetime],
) -> Reply:
    """Parse an upload; store a draft and answer with its preview, or list every problem.

    A refused upload leaves a pending /correct for the next one. `clock` is read once
    the parse is done, which may take seconds. A blank brief (/template) sent back with
    placeholders still in it is refused before it is parsed, naming what to fill in."""
    left = template.unfilled(renderer, upload)
    if left:
        return drafts.refusal(renderer, left)
    try:
        result = await parse(upload)
    except BriefError as error:
        return drafts.refusal(renderer, error.problems)
    now = clock()
    correcting = await drafts.correction_target(storage, renderer, chat_id, now)
    if isinstance(correcting, Reply):
        return correcting
    return await drafts.open_draft(
        storage,
        renderer,
        admin_id=admin_id,
        chat_id=chat_id,
        result=result,
        correcting=correcting,
        now=now,
    )
