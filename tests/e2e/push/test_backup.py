"""Backups of the running bot: taken in the middle of a push, restored, served again; and
the daily backup job with its rotation."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.backups import backup_name
from bot.telegram.context import BriefApplication
from storage import Storage
from tests.databases import dump
from tests.e2e.conftest import AppFactory, make_config, running, say
from tests.e2e.push.conftest import add_subscribers, publish
from tests.e2e.push.test_delivery import engine
from tests.fakebot import FakeBotApi
from tests.waiting import eventually_async

READERS = list(range(3000, 3040))
# Written once and never changed by a push: a restore must bring them back exactly.
UNCHANGING = ("briefs", "brief_versions", "sources", "facts", "fact_citations", "narratives")


async def sent_count(storage: Storage, brief_id: int) -> int:
    return len(await storage.deliveries.sent_copies(brief_id))


async def test_a_backup_taken_during_a_push_restores_to_a_bot_that_serves(
    server: FakeBotApi, db_path: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    for chat_id in READERS:
        server.user(chat_id)
    [brief] = await publish(db_path, "Bridge vote")
    await add_subscribers(db_path, READERS)
    copy = tmp_path / "backup.db"
    async with make_app(PUSH_RATE_LIMIT="20") as app:
        storage = app.bot_data.services.storage
        assert storage is not None
        push = asyncio.create_task(engine(app).deliver_due())
        await eventually_async(lambda: _at_least(storage, brief.id, 3), "the push under way")
        await storage.backup(copy)
        assert not push.done(), "the backup was taken while the push went on"
        await push
    source, backed_up = dump(db_path), dump(copy)
    for table in UNCHANGING:
        assert backed_up[table] == source[table], table
    # Deliveries as of one moment: each row in the copy is a row the push really wrote,
    # for a brief the copy has, and some came after the copy was taken.
    with contextlib.closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    keys = {row[:2] for row in source["deliveries"]}
    assert {row[:2] for row in backed_up["deliveries"]} <= keys
    # A copy recorded as sent never changes after: the backup's sent rows are the source's.
    sent = [row for row in backed_up["deliveries"] if row[2] == "sent"]
    assert set(sent) <= set(source["deliveries"])
    assert 3 <= len(sent) < len(READERS) == len(source["deliveries"])
    # Restored as docs/operators/backups.md says (the file copied over DATABASE_PATH), a bot
    # serves from it.
    restored = tmp_path / "restored" / "briefbot.db"
    restored.parent.mkdir()
    shutil.copyfile(copy, restored)
    async with running(make_config(server, restored)):
        [answer] = await say(server, server.user(3000), "/brief")
        assert answer.text.splitlines()[0] == "Bridge vote"


async def _at_least(storage: Storage, brief_id: int, count: int) -> bool:
    return await sent_count(storage, brief_id) >= count


async def test_the_daily_backup_keeps_the_newest_and_never_deletes_what_it_did_not_name(
    db_path: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """The job as the bot runs it; when a backup is due and which go, whatever the clocks
    said when they were named and written, in process: tests/unit/test_backup_times.py."""
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [backup_file(folder, datetime(2024, 1, day, tzinfo=UTC)) for day in (1, 2, 3)]
    # Not ours, though some look it: a day that does not exist, digits that are not ASCII.
    foreign = [
        "briefbot-notes.db",
        "mine.db",
        "briefbot-20240101.db",
        "briefbot-20240231-000000.db",
        "briefbot-٢٠٢٤٠١٠١-000000.db",
    ]
    for name in foreign:
        (folder / name).write_text("not ours to judge")
    [brief] = await publish(db_path, "Bridge vote")
    async with make_app(BACKUP_DIR=str(folder), BACKUP_KEEP="2") as app:
        await run_job(app)
        after_first = sorted(p.name for p in folder.iterdir())
        await run_job(app)  # an hour later, say: the last backup is recent, nothing to do
        assert sorted(p.name for p in folder.iterdir()) == after_first
    [new] = [name for name in after_first if name not in [*old, *foreign]]
    assert after_first == sorted([old[2], new, *foreign])
    taken = datetime.strptime(new, "briefbot-%Y%m%d-%H%M%S.db").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - taken) < timedelta(hours=1)
    async with await Storage.open(folder / new) as restored:
        latest = await restored.briefs.latest()
        assert latest is not None
        assert latest.id == brief.id


def backup_file(folder: Path, at: datetime) -> str:
    """A backup as the job names it for `at`, its file written then."""
    name = backup_name(at)
    (folder / name).write_text("a backup")
    os.utime(folder / name, (at.timestamp(), at.timestamp()))
    return name


async def run_job(app: BriefApplication) -> None:
    """The job's next run, now (its first is a minute after the start)."""
    assert app.job_queue is not None
    [job] = app.job_queue.get_jobs_by_name("daily-backup")
    await job.run(app)
