"""Fixtures and helpers for the admin's side, end to end: uploads, presses, the database."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.core.publishing import paste
from bot.telegram.context import BriefApplication
from storage import StoredBrief
from tests.e2e.conftest import ADMIN_ID, publish_file
from tests.fakebot import FakeBotApi, FakeUser, SentMessage

READER_ID = 42
# Short, so each pasted upload does not wait the full production window; the split
# paste test restores the real one.
TEST_PASTE_WINDOW = 0.3


@pytest.fixture
async def published(db_path: Path, briefs_dir: Path) -> StoredBrief:
    """The example brief, published from the command line before the bot starts."""
    return await publish_file(db_path, briefs_dir / "harbor-bridge-vote.txt")


@pytest.fixture(autouse=True)
def quick_paste(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paste, "PASTE_WINDOW_SECONDS", TEST_PASTE_WINDOW)


@pytest.fixture
def admin(server: FakeBotApi) -> FakeUser:
    return server.user(ADMIN_ID, "Editor")


@pytest.fixture
def reader(server: FakeBotApi) -> FakeUser:
    return server.user(READER_ID, "Ada")


async def send_file(
    server: FakeBotApi, user: FakeUser, name: str, content: bytes, expect: int = 1
) -> list[SentMessage]:
    before = len(server.sent(user.id))
    await server.send_document(user, name, content)
    sent = await server.wait_sent(user.id, before + expect)
    return sent[before:]


def paste_timers(application: BriefApplication) -> list[str]:
    """The paste timers waiting to join an upload: each would end in a preview or refusal."""
    assert application.job_queue is not None
    names = (job.name or "" for job in application.job_queue.jobs())
    return [name for name in names if name.startswith("admin-paste")]


def snapshot(db_path: Path, *, counters: bool = True) -> list[str]:
    """Every row of every table, to show an action changed nothing.

    `counters=False` leaves out SQLite's AUTOINCREMENT counters, which a draft that was
    opened and then discarded moves on. The heartbeat the bot writes on a timer for
    `briefbot health` (bot/web/health.py) is always left out.
    """
    with closing(sqlite3.connect(db_path)) as connection:
        dump = [line for line in connection.iterdump() if "'heartbeat'" not in line]
    return dump if counters else [line for line in dump if "sqlite_sequence" not in line]
