"""What only PostgreSQL does: migrations run by `briefbot migrate`, not by the bot,
copying an SQLite database into it, and serving several replicas at once."""

from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from brief.model import Problem
from storage import AudioJob, AudioPart, SchemaTooNewError, SchemaTooOldError, Storage, VoiceCopy
from storage.db import to_db
from storage.matrix import MATRIX_ID_BASE
from storage.opening import DatabaseLocation, migrate_database, open_storage
from storage.postgres import POSTGRES_LATEST_VERSION, PgStorage
from storage.postgres.copy import STREAM_BATCH, CopyError, copy_to_postgres
from storage.postgres.migrations import apply_postgres_migrations
from storage.postgres.schema import POSTGRES_MIGRATIONS
from tests.postgres import fresh_schema, needs_postgres
from tests.storage.conftest import at, make_brief

pytestmark = needs_postgres


async def test_migrations_go_up_one_by_one_from_empty_and_the_bot_waits_for_them() -> None:
    async with fresh_schema() as url:
        with pytest.raises(SchemaTooOldError, match="run `briefbot migrate`"):
            await PgStorage.connect(url)
        conn = await asyncpg.connect(url)
        try:
            for number in range(1, len(POSTGRES_MIGRATIONS) + 1):
                assert await apply_postgres_migrations(conn, target=number) == (number - 1, number)
        finally:
            await conn.close()
        assert await migrate_database(DatabaseLocation(url=url)) == (POSTGRES_LATEST_VERSION,) * 2
        async with await PgStorage.connect(url) as storage:
            assert storage.schema_version == POSTGRES_LATEST_VERSION


async def test_a_briefbot_database_later_in_the_search_path_is_not_taken_for_this_one() -> None:
    """`search_path=app,public` with a briefbot database already in `public`: `migrate`
    builds a new one in `app` rather than taking public's for it."""
    async with fresh_schema() as older, fresh_schema() as newer:
        await migrate_database(DatabaseLocation(url=older))
        async with await PgStorage.connect(older) as storage:
            await storage.briefs.publish(make_brief(), by=None, at=at(0))
        older_schema = older.rsplit("search_path=", 1)[1].split("%2C")[0]
        both = newer.replace("%2Cpublic", f"%2C{older_schema}%2Cpublic")
        assert await migrate_database(DatabaseLocation(url=both)) == (0, POSTGRES_LATEST_VERSION)
        async with await PgStorage.connect(both) as storage:
            assert await storage.briefs.count() == 0


async def test_a_schema_newer_than_this_briefbot_is_refused() -> None:
    async with fresh_schema() as url:
        await migrate_database(DatabaseLocation(url=url))
        conn = await asyncpg.connect(url)
        await conn.execute("UPDATE briefbot_schema SET version = version + 1")
        await conn.close()
        with pytest.raises(SchemaTooNewError, match="newer briefbot"):
            await PgStorage.connect(url)


async def test_copy_db_copies_every_row_and_continues_the_ids(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    async with await Storage.open(path) as sqlite:
        first = await sqlite.briefs.publish(make_brief("Kyïv"), by=1, at=at(0))
        await sqlite.briefs.correct(first.id, make_brief("fix"), by=1, at=at(1))
        await sqlite.subscribers.subscribe(
            -100, delivery_time=first.published_at.time(), timezone="UTC",
            next_due_at=at(5), at=at(0),
        )  # fmt: skip
        await sqlite.deliveries.mark_sent(first.id, -100, [7, 8], at=at(2))
        draft = await sqlite.drafts.create(
            admin_id=1, chat_id=1, brief=make_brief("d"), warnings=(Problem("w"),), correcting=None,
            at=at(0), expires_at=at(60),
        )  # fmt: skip
        await sqlite.drafts.discard(draft.id)
        await sqlite.state.put("secret", "s", at=at(0))
        expected = await sqlite.briefs.get(first.id)
    async with fresh_schema() as url:
        copied = await copy_to_postgres(path, url)
        assert (copied["briefs"], copied["brief_versions"], copied["drafts"]) == (1, 2, 0)
        async with await open_storage(DatabaseLocation(url=url)) as pg:
            assert await pg.briefs.get(first.id) == expected
            assert (await pg.search.search("fix fac"))[0].id == first.id
            sent = await pg.deliveries.get(first.id, -100)
            assert sent is not None
            assert sent.message_ids == (7, 8)
            assert await pg.state.get("secret") == ("s", at(0))
            later = await pg.briefs.publish(make_brief("new"), by=1, at=at(3))
            assert later.id == first.id + 1
            new_draft = await pg.drafts.create(
                admin_id=1, chat_id=1, brief=make_brief("e"), warnings=(), correcting=None,
                at=at(0), expires_at=at(60),
            )  # fmt: skip
            assert new_draft.id > draft.id  # the discarded draft's id is never reused
        with pytest.raises(CopyError, match="not empty"):
            await copy_to_postgres(path, url)


async def test_copy_db_copies_the_voice_notes_their_jobs_and_copies(tmp_path: Path) -> None:
    """More parts than are read at a time (the audio is streamed, not held whole)."""
    path = tmp_path / "b.db"
    parts = [AudioPart(bytes([n]) * 50_000 + b"\x00end", n + 0.1) for n in range(STREAM_BATCH + 5)]
    async with await Storage.open(path) as sqlite:
        made = await sqlite.briefs.publish(make_brief("a"), by=1, at=at(0))
        waiting = await sqlite.briefs.publish(make_brief("b"), by=1, at=at(1))
        await sqlite.audio.want(made.id, 1, at=at(1))
        await sqlite.audio.want(waiting.id, 1, at=at(1))
        await sqlite.audio.finish(made.id, 1, parts, engine="piper", at=at(2))
        await sqlite.audio.remember_file_id(made.id, 1, "generated", 3, "AwAC3")
        await sqlite.audio.store_recording(
            waiting.id, 1, AudioPart(b"OggS rec", 4.0), by=7, by_name="Ana", file_id=None, at=at(3)
        )
        await sqlite.audio.record_copy(made.id, -100, 11, version=1, at=at(4))
        expected = await sqlite.audio.current(made.id, 1)
        recorded = await sqlite.audio.current(waiting.id, 1)
    async with fresh_schema() as url:
        copied = await copy_to_postgres(path, url)
        assert (copied["brief_audio"], copied["audio_jobs"], copied["voice_copies"]) == (
            len(parts) + 1, 2, 1,
        )  # fmt: skip
        async with await open_storage(DatabaseLocation(url=url)) as pg:
            assert await pg.audio.current(made.id, 1) == expected
            assert await pg.audio.current(waiting.id, 1) == recorded
            assert await pg.audio.copies(made.id) == [VoiceCopy(-100, 11, 1)]
            assert await pg.audio.claim_next("r", at=at(5), hold=timedelta(1)) == AudioJob(
                waiting.id, 1, 1
            )


async def test_copy_db_copies_the_matrix_adapters_tables_and_continues_its_ids(
    tmp_path: Path,
) -> None:
    path = tmp_path / "b.db"
    async with await Storage.open(path) as sqlite:
        room = await sqlite.matrix.id_of("!room:example.org")
        alice = await sqlite.matrix.id_of("@alice:example.org")
        message = await sqlite.matrix.remember_event(room, "$sent")
        assert await sqlite.matrix.take_event("$seen", at(1))
        assert await sqlite.matrix.take_sync_lease("sqlite", 60)
        assert await sqlite.matrix.save_sync_token("s42", "sqlite")
        await sqlite.matrix.release_sync_lease("sqlite")
        assert await sqlite.matrix.mark_told(room, "encrypted", at(1))
    async with fresh_schema() as url:
        copied = await copy_to_postgres(path, url)
        assert [copied[f"matrix_{t}"] for t in ("names", "events", "taken_events")] == [2, 1, 1]
        assert (copied["matrix_sync"], copied["matrix_told"]) == (1, 1)
        async with await open_storage(DatabaseLocation(url=url)) as pg:
            assert await pg.matrix.id_of("@alice:example.org") == alice
            assert await pg.matrix.name_of(room) == "!room:example.org"
            assert await pg.matrix.event_of(room, message) == "$sent"
            assert not await pg.matrix.take_event("$seen", at(2))
            assert not await pg.matrix.mark_told(room, "encrypted", at(2))
            assert await pg.matrix.sync_token() == "s42"
            assert await pg.matrix.take_sync_lease("pg", 60)
            # New ids go on after the copied ones.
            assert await pg.matrix.id_of("@bob:example.org") == alice + 1
            assert await pg.matrix.remember_event(room, "$next") == message + 1


async def test_copy_db_with_no_matrix_names_still_gives_matrix_ids(tmp_path: Path) -> None:
    """The identity is moved past SQLite's counter, which starts below MATRIX_ID_BASE, not
    back to 1 for an empty table."""
    path = tmp_path / "b.db"
    async with await Storage.open(path):
        pass
    async with fresh_schema() as url:
        await copy_to_postgres(path, url)
        async with await open_storage(DatabaseLocation(url=url)) as pg:
            assert await pg.matrix.id_of("!room:example.org") == MATRIX_ID_BASE


async def test_a_replica_reads_the_brief_a_reader_opened_on_another() -> None:
    """Two replicas: a reader's presses reach either, and each answers about the brief the
    reader opened last, wherever they opened it."""
    async with fresh_schema() as url:
        await migrate_database(DatabaseLocation(url=url))
        async with await PgStorage.connect(url) as one, await PgStorage.connect(url) as two:
            a = await one.briefs.publish(make_brief("a"), by=1, at=at(0))
            b = await one.briefs.publish(make_brief("b"), by=1, at=at(0))
            await one.readers.set_last_opened(10, a.id, at=at(1))
            assert await two.readers.last_opened(10) == a.id
            await two.readers.set_last_opened(10, b.id, at=at(2))
            assert await one.readers.last_opened(10) == b.id
            await one.readers.set_last_opened(10, a.id, at=at(3))
            assert await two.readers.last_opened(10) == a.id
            await two.readers.set_last_opened(10, a.id, at=at(4))  # the same brief again
            conn = await asyncpg.connect(url)
            try:
                moved_at = await conn.fetchval("SELECT updated_at FROM readers WHERE user_id = 10")
            finally:
                await conn.close()
            assert moved_at == to_db(at(3))  # when the reader moved to it, not the second open
