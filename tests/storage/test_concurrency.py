"""One Storage shared by many coroutines, and another process writing the same file."""

import asyncio
import sqlite3
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from storage import Storage, StoredBrief
from tests.storage.conftest import at, make_brief

ROOT = Path(__file__).resolve().parents[2]


def assert_whole(stored: StoredBrief) -> None:
    """Every part of a brief made by make_brief carries the tag of its title."""
    tag = stored.brief.title.removesuffix(" title")
    b = stored.brief
    assert b.summary.startswith(f"{tag} summary")
    assert all(f.text.startswith(f"{tag} fact ") for f in b.facts)
    assert all(s.name.startswith(f"{tag} ") for s in b.sources)
    assert all(n.text.startswith(f"{tag} n") for n in b.narratives)
    assert [f.text for f in b.facts] == [f"{tag} fact {i}" for i in range(len(b.facts))]


@pytest.mark.sqlite_only
async def test_settings_wal_foreign_keys_synchronous_busy_timeout(storage: Storage) -> None:
    for conn in await storage.settings():
        assert conn.journal_mode == "wal"
        assert conn.foreign_keys is True
        assert conn.synchronous == 1
        assert conn.busy_timeout_ms >= 5000


async def test_reads_during_concurrent_corrections_see_whole_versions(storage: Storage) -> None:
    first = await storage.briefs.publish(make_brief("w0-0", facts=4), by=None, at=at(0))
    stop = asyncio.Event()
    seen_versions: list[int] = []

    async def writer(w: int) -> None:
        for i in range(10):
            # Different fact counts, so a mix of two versions would show.
            brief = make_brief(f"w{w}-{i}", facts=1 + (w + i) % 6)
            await storage.briefs.correct(first.id, brief, by=w, at=at(i))

    async def reader() -> None:
        while not stop.is_set():
            got = await storage.briefs.get(first.id)
            assert got is not None
            assert_whole(got)
            exact = await storage.briefs.version(first.id, got.version)
            assert exact is not None
            assert_whole(exact)
            seen_versions.append(got.version)

    readers = [asyncio.create_task(reader()) for _ in range(20)]
    await asyncio.gather(*(writer(w) for w in range(8)))
    stop.set()
    await asyncio.gather(*readers)

    final = await storage.briefs.get(first.id)
    assert final is not None
    assert final.version == 1 + 8 * 10
    assert len(await storage.briefs.history(first.id)) == 1 + 8 * 10
    assert len(set(seen_versions)) > 1
    for v in range(1, final.version + 1):
        old = await storage.briefs.version(first.id, v)
        assert old is not None
        assert_whole(old)


async def test_concurrent_publish_and_read(storage: Storage) -> None:
    published: list[int] = []
    done = asyncio.Event()

    async def publisher(p: int) -> None:
        for i in range(15):
            stored = await storage.briefs.publish(make_brief(f"p{p}-{i}"), by=p, at=at(i))
            # Published means readable, at once, by anyone.
            assert await storage.briefs.get(stored.id) == stored
            published.append(stored.id)

    async def reader() -> None:
        last_count = 0
        while not done.is_set():
            latest = await storage.briefs.latest()
            if latest is not None:
                assert_whole(latest)
            count = await storage.briefs.count()
            assert count >= last_count
            last_count = count
            await asyncio.sleep(0)

    readers = [asyncio.create_task(reader()) for _ in range(10)]
    await asyncio.gather(*(publisher(p) for p in range(10)))
    done.set()
    await asyncio.gather(*readers)

    assert await storage.briefs.count() == 150
    assert len(set(published)) == 150


async def test_mixed_writes_from_many_coroutines(storage: Storage) -> None:
    brief = await storage.briefs.publish(make_brief(), by=None, at=at(0))

    async def chat(chat_id: int) -> None:
        await storage.subscribers.subscribe(
            chat_id, delivery_time=at(0).time(), timezone="UTC", next_due_at=at(1), at=at(0)
        )
        assert await storage.deliveries.claim(brief.id, chat_id, at=at(1))
        await storage.readers.set_last_opened(chat_id, brief.id, at=at(1))
        await storage.deliveries.mark_sent(brief.id, chat_id, [chat_id], at=at(2))
        await storage.subscribers.reschedule(chat_id, next_due_at=at(100), delivered_at=at(2))

    await asyncio.gather(*(chat(c) for c in range(1, 101)))

    assert len(await storage.deliveries.sent_copies(brief.id)) == 100
    assert (await storage.subscribers.counts()).active == 100
    assert await storage.subscribers.due(at(50), limit=1000) == []


async def test_a_second_storage_on_the_same_file_is_seen_at_once(db_path: Path) -> None:
    bot = await Storage.open(db_path)
    cli = await Storage.open(db_path)
    try:
        assert await bot.briefs.latest() is None
        imported = await cli.briefs.publish(make_brief("cli"), by=None, at=at(0))
        assert await bot.briefs.latest() == imported
        corrected = await cli.briefs.correct(imported.id, make_brief("fix"), by=None, at=at(1))
        assert await bot.briefs.get(imported.id) == corrected

        async def publish_many(s: Storage, tag: str) -> None:
            for i in range(30):
                await s.briefs.publish(make_brief(f"{tag}{i}"), by=None, at=at(i))

        async def read_many(s: Storage) -> None:
            for _ in range(200):
                latest = await s.briefs.latest()
                assert latest is not None
                assert_whole(latest)
                await asyncio.sleep(0)

        await asyncio.gather(
            publish_many(bot, "bot"), publish_many(cli, "cli"), read_many(bot), read_many(cli)
        )
        assert await bot.briefs.count() == await cli.briefs.count() == 61
    finally:
        await cli.close()
        await bot.close()


_IMPORTER = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import UTC, datetime
    from storage import Storage
    from tests.storage.conftest import make_brief

    async def main() -> None:
        s = await Storage.open(sys.argv[1])
        try:
            for i in range(40):
                await s.briefs.publish(make_brief(f"proc{i}"), by=None, at=datetime.now(UTC))
        finally:
            await s.close()

    asyncio.run(main())
    """
)


async def test_another_process_writing_while_the_bot_writes_and_reads(
    storage: Storage, db_path: Path
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _IMPORTER,
        str(db_path),
        cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
    )

    async def bot_side() -> None:
        for i in range(40):
            await storage.briefs.publish(make_brief(f"bot{i}"), by=None, at=at(i))
            latest = await storage.briefs.latest()
            assert latest is not None
            assert_whole(latest)

    await bot_side()
    _, stderr = await proc.communicate()
    assert proc.returncode == 0, stderr.decode()
    assert await storage.briefs.count() == 80
    titles = {h.title for h in await storage.briefs.published_since(at(-(10**6)), limit=100)}
    assert {f"proc{i} title" for i in range(40)} <= titles


async def test_a_write_waits_for_another_connection_holding_the_lock(
    storage: Storage, db_path: Path
) -> None:
    locked = threading.Event()

    def hold_write_lock() -> None:
        conn = sqlite3.connect(db_path, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO push_runs (started_at, total) VALUES (0, 0)")
            locked.set()
            threading.Event().wait(0.5)
            conn.execute("COMMIT")
        finally:
            conn.close()

    holder = asyncio.create_task(asyncio.to_thread(hold_write_lock))
    await asyncio.to_thread(locked.wait)

    stored = await storage.briefs.publish(make_brief(), by=None, at=at(0))
    await holder

    assert await storage.briefs.get(stored.id) == stored
    last = await storage.pushes.last()
    assert last is not None
