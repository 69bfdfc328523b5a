"""Backups: a consistent, checked copy taken while a push writes, and the refusals."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Awaitable
from datetime import time, timedelta
from pathlib import Path

import pytest

from storage import BackupError, BackupTargetError, Storage
from storage.migrations import LATEST_VERSION
from tests.databases import Dump, dump, read_only
from tests.storage.conftest import at, make_brief
from tests.waiting import eventually

# SQLite's own backup: with PostgreSQL, pg_dump makes the copies.
pytestmark = pytest.mark.sqlite_only


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def push_like_writes(
    storage: Storage, path: Path, states: list[Dump], stop: asyncio.Event
) -> None:
    """What a push writes, one commit at a time, until `stop`; the state after each commit is
    recorded (this coroutine is the only writer, so these are all the states there were)."""
    brief = await storage.briefs.publish(make_brief("p"), by=None, at=at(0))
    run = await storage.pushes.begin(brief_id=brief.id, by=None, total=0, at=at(0))
    states.append(await asyncio.to_thread(dump, path))
    chat = 0
    while not stop.is_set() or chat < 3:
        chat += 1
        commits: list[Awaitable[object]] = [
            storage.subscribers.subscribe(
                chat, delivery_time=time(8), timezone="UTC", next_due_at=at(chat), at=at(0)
            ),
            storage.deliveries.claim_many(brief.id, [chat], at=at(chat)),
            storage.deliveries.mark_sent_many([(brief.id, chat, [chat * 10])], at=at(chat)),
            storage.subscribers.reschedule(
                chat, next_due_at=at(chat) + timedelta(days=1), delivered_at=at(chat)
            ),
            storage.pushes.finish(run.id, sent=chat, failed=0, skipped=0, at=at(chat)),
        ]
        for commit in commits:  # awaited one by one, in order: created here, run there
            await commit
            states.append(await asyncio.to_thread(dump, path))


async def test_a_backup_during_a_push_is_the_database_as_of_one_commit(
    storage: Storage, db_path: Path, tmp_path: Path
) -> None:
    states: list[Dump] = []
    stop = asyncio.Event()
    writer = asyncio.create_task(push_like_writes(storage, db_path, states, stop))
    await eventually(lambda: len(states) >= 3, "the push to be under way")
    begun = len(states) - 1
    target = tmp_path / "backups" / "copy.db"
    target.parent.mkdir()
    await storage.backup(target)
    ended = len(states)
    stop.set()
    await writer
    assert len(states) > ended, "the push went on writing after the backup"
    copy = dump(target)
    matches = [i for i, state in enumerate(states) if state == copy]
    assert matches, "the copy matches no committed state of the source"
    assert begun <= matches[0] <= ended
    with contextlib.closing(sqlite3.connect(target)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA user_version").fetchone() == (LATEST_VERSION,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert names(target.parent) == ["copy.db"]


async def test_a_restored_copy_opens_and_serves(storage: Storage, tmp_path: Path) -> None:
    published = await storage.briefs.publish(make_brief("r"), by=7, at=at(1))
    target = tmp_path / "copy.db"
    await storage.backup(target)
    async with await Storage.open(target) as restored:
        latest = await restored.briefs.latest()
        assert latest == published
        assert await restored.briefs.history(published.id) == await storage.briefs.history(
            published.id
        )


async def test_an_existing_file_is_kept_unless_overwrite(storage: Storage, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    target.write_text("keep me")
    with pytest.raises(BackupTargetError, match="already exists"):
        await storage.backup(target)
    assert target.read_text() == "keep me"
    await storage.briefs.publish(make_brief("o"), by=None, at=at(0))
    await storage.backup(target, overwrite=True)
    async with await Storage.open(target) as restored:
        assert await restored.briefs.count() == 1
    assert not [name for name in names(tmp_path) if name.startswith(".copy.db")]


async def test_a_missing_folder_is_named(storage: Storage, tmp_path: Path) -> None:
    with pytest.raises(BackupTargetError, match=f"the folder {tmp_path / 'none'} does not exist"):
        await storage.backup(tmp_path / "none" / "copy.db")


async def test_an_unwritable_folder_is_named(storage: Storage, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    with read_only(folder), pytest.raises(BackupTargetError, match="cannot be written"):
        await storage.backup(folder / "copy.db")
    assert names(folder) == []


async def test_a_copy_failing_its_check_never_takes_the_name(
    storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.backup as backup

    def damaged(source: Path, temporary: Path) -> None:
        temporary.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)

    monkeypatch.setattr(backup, "_copy", damaged)
    with pytest.raises(BackupError, match="copy"):
        await storage.backup(tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists()
    assert not [name for name in names(tmp_path) if name.endswith(".tmp")]


async def test_the_database_itself_is_never_the_target(storage: Storage, db_path: Path) -> None:
    await storage.briefs.publish(make_brief("s"), by=None, at=at(0))
    with pytest.raises(BackupTargetError, match="is the database itself"):
        await storage.backup(db_path, overwrite=True)
    assert await storage.briefs.count() == 1
