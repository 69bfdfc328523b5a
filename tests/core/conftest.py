"""The core tested in process: the functions a chat app's handlers call, on a real SQLite
file in a temporary directory, their replies read as texts and the core's buttons. No Bot
API, no Application: what the core decides, it decides here."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.chat import Keyboard, Reply
from bot.core.rendering import Renderer
from brief import parse_text
from storage import Storage, StoredBrief
from storage.opening import DatabaseLocation, open_storage

NOW = datetime(2026, 6, 18, 9, 30, tzinfo=UTC)
READER = 4242

Publish = Callable[[str], Awaitable[StoredBrief]]


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    """An empty database, migrated as the bot opens it."""
    opened = await open_storage(DatabaseLocation(path=tmp_path / "briefbot.db"))
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def renderer() -> Renderer:
    return Renderer()


@pytest.fixture
def publish(storage: Storage, briefs_dir: Path) -> Publish:
    """Publishes an example brief (`putin-north-korea.txt`, ...), each after the last."""

    async def published(name: str) -> StoredBrief:
        brief = parse_text((briefs_dir / name).read_text(encoding="utf-8")).brief
        return await storage.briefs.publish(brief, by=None, at=NOW)

    return published


def plain(text: str) -> str:
    """A message as a reader reads it: the markup gone, its entities read."""
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def text_of(reply: Reply) -> str:
    """Every message of the reply as a reader reads it (see plain), one after the other."""
    return "\n".join(plain(text) for text in reply.texts)


def actions(keyboard: Keyboard | None) -> list[object]:
    """What each button does, row after row."""
    return [button.action for row in keyboard or () for button in row]


def labels(keyboard: Keyboard | None) -> list[str]:
    return [button.label for row in keyboard or () for button in row]
