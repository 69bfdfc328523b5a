"""Upgrading: from an empty file and from every earlier schema version, keeping data."""

import asyncio
import sqlite3
from datetime import time, timedelta
from pathlib import Path

import aiosqlite
import pytest

from brief.model import Brief, Fact, Narrative, Source
from storage import (
    AudioJob,
    AudioPart,
    ChatLanguage,
    PastePart,
    SchemaTooNewError,
    Storage,
    StoredBrief,
)
from storage.codec import brief_to_json
from storage.db import to_db
from storage.matrix import MATRIX_ID_BASE
from storage.migrations import (
    LATEST_VERSION,
    MIGRATIONS,
    apply_migrations,
    user_version,
)
from storage.search_index import INDEX_ROWS
from tests.storage.conftest import at

OLD_BRIEF = Brief(
    title="Old title",
    summary="Old summary",
    facts=(Fact(text="Old fact", sources=(2, 1)),),
    sources=(Source(number=2, name="Two", url="https://two.example"), Source(number=1, name="One")),
    narratives=(Narrative(label="L", outlet="O", text="N"),),
)


async def _write_v1_data(conn: aiosqlite.Connection) -> None:
    """What a briefbot at schema 1 wrote: one published brief, opened by reader 77."""
    statements: list[tuple[str, tuple[object, ...]]] = [
        (
            "INSERT INTO briefs (id, published_at, current_version) VALUES (1, ?, 1)",
            (to_db(at(0)),),
        ),
        (
            """INSERT INTO brief_versions (id, brief_id, number, title, summary, created_at,
                                           created_by)
               VALUES (1, 1, 1, 'Old title', 'Old summary', ?, 5)""",
            (to_db(at(0)),),
        ),
        ("INSERT INTO sources VALUES (1, 2, 0, 'Two', 'https://two.example')", ()),
        ("INSERT INTO sources VALUES (1, 1, 1, 'One', NULL)", ()),
        ("INSERT INTO facts VALUES (1, 0, 'Old fact')", ()),
        ("INSERT INTO fact_citations VALUES (1, 0, 0, 2)", ()),
        ("INSERT INTO fact_citations VALUES (1, 0, 1, 1)", ()),
        ("INSERT INTO narratives VALUES (1, 0, 'L', 'O', 'N')", ()),
        (
            """INSERT INTO audit (brief_id, action, actor, at, version)
               VALUES (1, 'publish', 5, ?, 1)""",
            (to_db(at(0)),),
        ),
        ("INSERT INTO readers VALUES (77, 1, ?)", (to_db(at(1)),)),
    ]
    await _run(conn, statements)


async def _write_v2_data(conn: aiosqlite.Connection) -> None:
    """What schema 2 added: a subscriber, its delivery of brief 1, a push run."""
    await _run(
        conn,
        [
            (
                """INSERT INTO subscribers VALUES
                   (-100, '09:30', 'Europe/Moscow', 1, 0, ?, ?, ?, ?)""",
                (to_db(at(0)), to_db(at(60)), to_db(at(2)), to_db(at(2))),
            ),
            (
                """INSERT INTO deliveries (brief_id, chat_id, status, attempts, message_ids,
                                           last_error, updated_at)
                   VALUES (1, -100, 'sent', 1, '[11, 12]', NULL, ?)""",
                (to_db(at(2)),),
            ),
            (
                """INSERT INTO push_runs (brief_id, started_by, started_at, finished_at, sent,
                                          failed, skipped, total)
                   VALUES (1, 5, ?, ?, 1, 0, 0, 1)""",
                (to_db(at(2)), to_db(at(3))),
            ),
        ],
    )


async def _run(
    conn: aiosqlite.Connection, statements: list[tuple[str, tuple[object, ...]]]
) -> None:
    await conn.execute("BEGIN")
    for sql, params in statements:
        await conn.execute(sql, params)
    await conn.execute("COMMIT")


async def _write_v3_data(conn: aiosqlite.Connection) -> None:
    await _run(
        conn,
        [
            (
                """INSERT INTO drafts (admin_id, chat_id, brief, warnings, correcting,
                                       created_at, expires_at)
                   VALUES (5, 5, ?, '[]', 1, ?, ?)""",
                (brief_to_json(OLD_BRIEF), to_db(at(4)), to_db(at(40))),
            ),
        ],
    )


async def _write_v4_data(conn: aiosqlite.Connection) -> None:
    await _run(conn, [("INSERT INTO bot_state VALUES ('heartbeat', 'old', ?)", (to_db(at(5)),))])


async def _write_v5_data(conn: aiosqlite.Connection) -> None:
    """A briefbot at schema 5 indexed each brief as it published it: brief 1's row."""
    await _run(conn, [("DELETE FROM brief_search", ()), (INDEX_ROWS, ())])


async def _write_v6_data(conn: aiosqlite.Connection) -> None:
    """A copy of brief 1 sent with inline mode by reader 77 (read back once a later
    migration makes 6 an earlier version)."""
    await _run(
        conn,
        [("INSERT INTO inline_copies VALUES ('AQAAAB0000000001', 1, 77, ?)", (to_db(at(6)),))],
    )


async def _write_v7_data(conn: aiosqlite.Connection) -> None:
    """A pending /correct of brief 1 in chat 5, a part of a paste, an update taken (read
    back once a later migration makes 7 an earlier version)."""
    await _run(
        conn,
        [
            ("INSERT INTO pending_corrections VALUES (5, 1, ?)", (to_db(at(7)),)),
            (
                "INSERT INTO paste_parts (chat_id, message_id, text, links, size, received_at)"
                " VALUES (5, 70, 'Old part', '[]', 9, ?)",
                (to_db(at(7)),),
            ),
            ("INSERT INTO handled_updates VALUES (700, ?)", (to_db(at(7)),)),
        ],
    )


async def _write_v8_data(conn: aiosqlite.Connection) -> None:
    """A replica of that briefbot, seen at at(8), holding the send of brief 1 to chat 5 (read
    back once a later migration makes 8 an earlier version)."""
    await _run(
        conn,
        [
            ("INSERT INTO replicas VALUES ('old', ?, ?)", (to_db(at(8)), to_db(at(8)))),
            (
                """INSERT INTO deliveries VALUES (1, 5, 'sending', 1, '[]', NULL, ?, 'old')""",
                (to_db(at(8)),),
            ),
        ],
    )


async def _write_v9_data(conn: aiosqlite.Connection) -> None:
    """An update handled at 9 (schema 9's own column, drafts.based_on, and how drafts made
    before it are filled, are checked in test_stale_corrections.py)."""
    await _run(conn, [("INSERT INTO handled_updates VALUES (900, ?)", (to_db(at(9)),))])


async def _write_v10_data(conn: aiosqlite.Connection) -> None:
    """An update handled at 10."""
    await _run(conn, [("INSERT INTO handled_updates VALUES (1000, ?)", (to_db(at(10)),))])


async def _write_v11_data(conn: aiosqlite.Connection) -> None:
    """An update handled at 11 (schema 12 rebuilds the search index, which the brief of
    version 1 is searched in below)."""
    await _run(conn, [("INSERT INTO handled_updates VALUES (1100, ?)", (to_db(at(11)),))])


async def _write_v12_data(conn: aiosqlite.Connection) -> None:
    """An update handled at 12 (13 changes PostgreSQL's search index only)."""
    await _run(conn, [("INSERT INTO handled_updates VALUES (1200, ?)", (to_db(at(12)),))])


async def _write_v13_data(conn: aiosqlite.Connection) -> None:
    """An update handled at 13 (14 gives brief 1's version its language, 'en', checked
    below, and adds chats' languages)."""
    await _run(conn, [("INSERT INTO handled_updates VALUES (1300, ?)", (to_db(at(13)),))])


async def _write_v14_data(conn: aiosqlite.Connection) -> None:
    """Reader 77's chat chose Ukrainian (15 adds voice notes, tried below on brief 1)."""
    await _run(conn, [("INSERT INTO chat_languages VALUES (77, 'uk', NULL, ?)", (to_db(at(14)),))])


async def _write_v15_data(conn: aiosqlite.Connection) -> None:
    """An update handled at 15 (16 adds the Matrix adapter's tables, tried below)."""
    await _run(conn, [("INSERT INTO handled_updates VALUES (1500, ?)", (to_db(at(15)),))])


async def _write_v16_data(conn: aiosqlite.Connection) -> None:
    """An update handled at 16 (17 lets a draft keep a recording: tried below, on the draft
    written at 3 too)."""
    await _run(conn, [("INSERT INTO handled_updates VALUES (1600, ?)", (to_db(at(16)),))])


WRITERS = {
    1: _write_v1_data,
    2: _write_v2_data,
    3: _write_v3_data,
    4: _write_v4_data,
    5: _write_v5_data,
    6: _write_v6_data,
    7: _write_v7_data,
    8: _write_v8_data,
    9: _write_v9_data,
    10: _write_v10_data,
    11: _write_v11_data,
    12: _write_v12_data,
    13: _write_v13_data,
    14: _write_v14_data,
    15: _write_v15_data,
    16: _write_v16_data,
}


async def _database_at(path: Path, version: int) -> None:
    """A file as an older briefbot left it: migrated to `version`, with that version's data."""
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await conn.execute("PRAGMA foreign_keys = ON")
        # Each version's data written at that version, as its briefbot wrote it: a later
        # migration may add columns its statements do not name.
        for v in range(1, version + 1):
            assert await apply_migrations(conn, target=v) == v
            await WRITERS[v](conn)


def _schema(path: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
    conn.close()
    return {(name, sql) for name, sql in rows}


async def test_there_are_several_steps_to_upgrade_through() -> None:
    assert LATEST_VERSION == len(MIGRATIONS) >= 3


async def test_open_creates_and_migrates_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    async with await Storage.open(path) as s:
        assert s.schema_version == LATEST_VERSION
        assert await s.briefs.count() == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    conn.close()


@pytest.mark.parametrize("start", range(LATEST_VERSION))
async def test_upgrade_from_every_earlier_version_keeps_data(tmp_path: Path, start: int) -> None:
    fresh = tmp_path / "fresh.db"
    async with await Storage.open(fresh):
        pass
    path = tmp_path / "old.db"
    await _database_at(path, start)

    async with await Storage.open(path) as s:
        assert s.schema_version == LATEST_VERSION
        if start >= 1:
            stored = await s.briefs.get(1)
            assert stored is not None
            assert stored.brief == OLD_BRIEF
            assert stored.published_at == at(0)
            assert await s.readers.last_opened(77) == 1
            assert [e.action for e in await s.briefs.history(1)] == ["publish"]
        if start >= 2:
            sub = await s.subscribers.get(-100)
            assert sub is not None
            assert (sub.delivery_time, sub.next_due_at) == (time(9, 30), at(60))
            delivery = await s.deliveries.get(1, -100)
            assert delivery is not None
            assert delivery.message_ids == (11, 12)
            last = await s.pushes.last()
            assert last is not None
            assert last.sent == 1
        if start >= 3:
            kept = await s.drafts.get(1)
            assert kept is not None
            assert (kept.brief, kept.correcting) == (OLD_BRIEF, 1)
        if start >= 4:
            assert await s.state.get("heartbeat") == ("old", at(5))
        if start >= 6:
            [copy] = await s.inline_copies.of_brief(1)
            assert (copy.inline_message_id, copy.user_id, copy.chosen_at) == (
                "AQAAAB0000000001",
                77,
                at(6),
            )
        if start >= 7:
            assert await s.corrections.take(5, since=at(0)) == 1
            assert not await s.updates.first_time(700, at=at(8))
        if start >= 8:
            # A replica from before leases has none: taken for dead, its send released.
            assert await s.replicas.take_for_dead(grace=timedelta(hours=1)) == ["old"]
            assert await s.deliveries.release_in_flight() == 1
        if start >= 9:
            assert not await s.updates.first_time(900, at=at(11))
        if start >= 10:
            assert not await s.updates.first_time(1000, at=at(11))
        if start >= 11:
            assert not await s.updates.first_time(1100, at=at(11))
        if start >= 12:
            assert not await s.updates.first_time(1200, at=at(12))
        if start >= 13:
            assert not await s.updates.first_time(1300, at=at(13))
        if start >= 14:
            assert (await s.languages.get(77)).chosen == "uk"
        if start >= 15:
            assert not await s.updates.first_time(1500, at=at(15))
        if start >= 16:
            assert not await s.updates.first_time(1600, at=at(16))
        if start >= 3:
            # A draft from before recordings (17) has none, and takes one.
            assert (await s.drafts.get(1)).recorded_by_name is None  # type: ignore[union-attr]
            voice = AudioPart(b"OggS old draft", 3.0)
            assert await s.drafts.keep_recording(
                1, voice, by=5, by_name="Ana", file_id=None, at=at(20)
            )
        if start >= 1:
            # Briefs stored before search existed are found by it.
            [hit] = await s.search.search(OLD_BRIEF.facts[0].text.split()[-1])
            assert hit.id == 1
        # Every table the new version adds works on the upgraded file.
        new = await s.briefs.publish(OLD_BRIEF, by=None, at=at(10))
        await s.subscribers.subscribe(
            1, delivery_time=time(8, 0), timezone="UTC", next_due_at=at(20), at=at(10)
        )
        assert await s.deliveries.claim(new.id, 1, at=at(11))
        draft = await s.drafts.create(
            admin_id=1,
            chat_id=1,
            brief=OLD_BRIEF,
            warnings=(),
            correcting=new.id,
            at=at(11),
            expires_at=at(30),
            based_on=new.version,
        )
        assert await s.drafts.get(draft.id) == draft
        await s.state.put("heartbeat", "alive", at=at(12))
        assert await s.state.get("heartbeat") == ("alive", at(12))
        assert await s.inline_copies.record("AQAAAB0000000002", new.id, 5, at=at(13))
        assert [c.user_id for c in await s.inline_copies.of_brief(new.id)] == [5]
        await s.corrections.set(6, new.id, at=at(14))
        assert await s.corrections.take(6, since=at(0)) == new.id
        arrival = await s.pastes.add(
            6, PastePart(80, "New part", ()), at=at(14), forget_before=at(0), keep_up_to=100
        )
        assert arrival is not None
        assert await s.pastes.take(6, last=arrival) == [PastePart(80, "New part", ())]
        assert await s.updates.first_time(800, at=at(14))
        await s.replicas.join("new", lease=timedelta(minutes=5))
        assert await s.deliveries.claim(new.id, 2, at=at(15), owner="new")
        assert await s.deliveries.still_held("new", [(new.id, 2)]) == [(new.id, 2)]
        await s.languages.choose(1, "uk", at=at(16))
        await s.languages.seen(1, "ru", at=at(16))
        assert await s.languages.get(1) == ChatLanguage(chosen="uk", seen="ru", zone="UTC")
        await _voice_notes_work(s, new.id, old_brief=start >= 1)
        await _matrix_works(s)
        await _draft_recordings_work(s)

    assert _schema(path) == _schema(fresh)


async def _voice_notes_work(s: Storage, new: int, *, old_brief: bool) -> None:
    """Briefs stored before audio existed (15) are owed theirs, and get it."""
    assert await s.audio.missing(10) == ([(new, 1), (1, 1)] if old_brief else [(new, 1)])
    assert await s.audio.want(new, 1, at=at(17))
    job = await s.audio.claim_next("new", at=at(17), hold=timedelta(minutes=5))
    assert job == AudioJob(new, 1, 1)
    assert await s.audio.finish(new, 1, [AudioPart(b"OggS", 2.5)], engine="piper", at=at(18))
    heard = await s.audio.current(new, 1)
    assert heard is not None
    assert [(p.data, p.duration) for p in heard.parts] == [(b"OggS", 2.5)]
    await s.audio.record_copy(new, 1, 100, version=1, at=at(18))
    assert [c.message_id for c in await s.audio.copies(new)] == [100]


async def _matrix_works(s: Storage) -> None:
    """The Matrix adapter's tables (16): its ids start above Telegram's on an upgraded file
    as on a new one."""
    room = await s.matrix.id_of("!room:example.org")
    assert room == MATRIX_ID_BASE
    assert await s.matrix.name_of(room) == "!room:example.org"
    message = await s.matrix.remember_event(room, "$sent")
    assert await s.matrix.event_of(room, message) == "$sent"
    assert await s.matrix.take_event("$seen", at(19))
    assert await s.matrix.take_sync_lease("new", 60)
    assert await s.matrix.save_sync_token("s1", "new")
    assert await s.matrix.sync_token() == "s1"
    assert await s.matrix.mark_told(room, "encrypted", at(19))


async def _draft_recordings_work(s: Storage) -> None:
    """A recording kept with a draft (17) is its published version's."""
    draft = await s.drafts.create(
        admin_id=9, chat_id=9, brief=OLD_BRIEF, warnings=(), correcting=None, at=at(20),
        expires_at=at(40),
    )  # fmt: skip
    voice = AudioPart(b"OggS draft", 4.0)
    assert await s.drafts.keep_recording(
        draft.id, voice, by=9, by_name="Bo", file_id="AwAD", at=at(20)
    )
    stored = await s.drafts.publish(draft.id, by=9, at=at(21))
    assert isinstance(stored, StoredBrief)
    heard = await s.audio.current(stored.id, stored.version)
    assert heard is not None
    assert (heard.kind, heard.recorded_by_name, heard.parts[0].data) == (
        "recorded",
        "Bo",
        voice.data,
    )


async def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    broken = (*MIGRATIONS[:1], ("CREATE TABLE half_done (x INTEGER)", "NOT SQL AT ALL"))
    path = tmp_path / "broken.db"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        with pytest.raises(sqlite3.OperationalError):
            await apply_migrations(conn, target=2, migrations=broken)
        assert await user_version(conn) == 1
        tables = await conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE name = 'half_done'"
        )
        assert list(tables) == []


async def test_a_database_from_a_newer_briefbot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError):
        await Storage.open(path)


async def test_several_processes_opening_a_new_file_at_once_all_succeed(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    opened = await asyncio.gather(*(Storage.open(path) for _ in range(6)), return_exceptions=True)
    storages = [s for s in opened if isinstance(s, Storage)]
    try:
        assert len(storages) == len(opened), [e for e in opened if not isinstance(e, Storage)]
        assert {s.schema_version for s in storages} == {LATEST_VERSION}
        assert await storages[0].briefs.count() == 0
    finally:
        for s in storages:
            await s.close()
