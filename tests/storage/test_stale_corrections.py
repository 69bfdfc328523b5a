"""Corrections do not overwrite each other: a draft publishes only while the brief is still
at the version it was made from, compared and set in the publishing transaction."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
import pytest

from storage import Draft, StaleDraft, Storage, StoredBrief
from storage import migrations as sqlite_migrations
from storage.codec import brief_to_json
from storage.db import to_db
from storage.opening import DatabaseLocation, migrate_database, open_storage
from storage.postgres import migrations as pg_migrations
from storage.sql import numbered
from tests.postgres import fresh_schema, needs_postgres
from tests.storage.conftest import at, make_brief

# The schema before drafts recorded the version they were made from.
BEFORE_BASIS = 8


async def _correction(storage: Storage, stored: StoredBrief, tag: str, admin: int) -> Draft:
    return await storage.drafts.create(
        admin_id=admin,
        chat_id=admin,
        brief=make_brief(tag),
        warnings=(),
        correcting=stored.id,
        at=at(1),
        expires_at=at(60),
        based_on=stored.version,
    )


async def test_a_correction_from_a_replaced_version_is_refused_and_changes_nothing(
    storage: Storage,
) -> None:
    original = await storage.briefs.publish(make_brief("v1"), by=None, at=at(0))
    first = await _correction(storage, original, "first", admin=7)
    second = await _correction(storage, original, "second", admin=8)
    published = await storage.drafts.publish(first.id, by=7, at=at(2))
    assert isinstance(published, StoredBrief)
    assert published.version == 2

    refused = await storage.drafts.publish(second.id, by=8, at=at(3))

    assert refused == StaleDraft(brief_id=original.id, based_on=1, current=2)
    assert await storage.briefs.get(original.id) == published  # the first fix stays
    assert await storage.drafts.get(second.id) == second  # kept: nothing changed
    history = await storage.briefs.history(original.id)
    assert [(e.action, e.actor, e.version) for e in history] == [
        ("publish", None, 1),
        ("correct", 7, 2),
    ]
    # Made again from the current version, it publishes.
    again = await _correction(storage, published, "second", admin=8)
    third = await storage.drafts.publish(again.id, by=8, at=at(4))
    assert isinstance(third, StoredBrief)
    assert (third.version, third.brief) == (3, make_brief("second"))


async def test_two_corrections_from_one_version_published_at_once_publish_one(
    storage: Storage,
) -> None:
    original = await storage.briefs.publish(make_brief("v1"), by=None, at=at(0))
    drafts = [await _correction(storage, original, f"fix{n}", admin=n) for n in range(1, 7)]

    outcomes = await asyncio.gather(
        *(storage.drafts.publish(d.id, by=d.admin_id, at=at(2)) for d in drafts)
    )

    [won] = [o for o in outcomes if isinstance(o, StoredBrief)]
    assert won.version == 2
    assert [o for o in outcomes if o != won] == [StaleDraft(original.id, 1, 2)] * 5
    assert await storage.briefs.get(original.id) == won
    assert [e.action for e in await storage.briefs.history(original.id)] == [
        "publish",
        "correct",
    ]


async def test_a_correction_needs_the_version_it_was_made_from(storage: Storage) -> None:
    original = await storage.briefs.publish(make_brief("v1"), by=None, at=at(0))
    with pytest.raises(ValueError, match="based_on"):
        await storage.drafts.create(
            admin_id=7,
            chat_id=7,
            brief=make_brief("fix"),
            warnings=(),
            correcting=original.id,
            at=at(1),
            expires_at=at(60),
        )


# -- drafts made before migration 9 -------------------------------------------------------

Run = Callable[..., Awaitable[Any]]


async def _write_before_basis(run: Run) -> tuple[int, int]:
    """Brief 1 at version 2 (written at 5), a correction drafted at 4 from version 1 and
    one drafted at 6 from version 2: their ids."""
    brief_id = await run("INSERT INTO briefs (published_at, current_version) VALUES (?, 2)", at(0))
    for number, minutes in ((1, 0), (2, 5)):
        await run(
            """INSERT INTO brief_versions (brief_id, number, title, summary, created_at,
                                           created_by)
               VALUES (?, ?, ?, 'summary', ?, 5)""",
            brief_id,
            number,
            f"v{number}",
            at(minutes),
        )
    ids = []
    for minutes in (4, 6):
        ids.append(
            await run(
                """INSERT INTO drafts (admin_id, chat_id, brief, warnings, correcting,
                                       created_at, expires_at)
                   VALUES (5, 5, ?, '[]', ?, ?, ?)""",
                brief_to_json(make_brief(f"draft{minutes}")),
                brief_id,
                at(minutes),
                at(600),
            )
        )
    return ids[0], ids[1]


async def _check_after_basis(storage: Storage, older: int, newer: int) -> None:
    """Each old draft is taken as made from the version current when it was made."""
    old_draft, new_draft = await storage.drafts.get(older), await storage.drafts.get(newer)
    assert old_draft is not None
    assert new_draft is not None
    assert (old_draft.based_on, new_draft.based_on) == (1, 2)
    assert await storage.drafts.publish(older, by=5, at=at(7)) == StaleDraft(1, 1, 2)
    stored = await storage.drafts.publish(newer, by=5, at=at(7))
    assert isinstance(stored, StoredBrief)
    assert (stored.version, stored.brief) == (3, make_brief("draft6"))


def _values(params: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(to_db(p) if isinstance(p, datetime) else p for p in params)


async def test_drafts_made_before_the_migration_keep_their_version_on_sqlite(
    db_path: Path,
) -> None:
    async with aiosqlite.connect(db_path, isolation_level=None) as conn:
        await sqlite_migrations.apply_migrations(conn, target=BEFORE_BASIS)

        async def run(sql: str, *params: Any) -> Any:
            rows = list(await conn.execute_fetchall(sql + " RETURNING id", _values(params)))
            return rows[0][0]

        await conn.execute("BEGIN")
        older, newer = await _write_before_basis(run)
        await conn.execute("COMMIT")
    async with await Storage.open(db_path) as storage:
        await _check_after_basis(storage, older, newer)


@needs_postgres
async def test_drafts_made_before_the_migration_keep_their_version_on_postgresql() -> None:
    async with fresh_schema() as url:
        conn = await asyncpg.connect(url)
        try:
            await pg_migrations.apply_postgres_migrations(conn, target=BEFORE_BASIS)

            async def run(sql: str, *params: Any) -> Any:
                return await conn.fetchval(numbered(sql) + " RETURNING id", *_values(params))

            async with conn.transaction():
                older, newer = await _write_before_basis(run)
        finally:
            await conn.close()
        location = DatabaseLocation(url=url)
        await migrate_database(location)
        async with await open_storage(location) as storage:
            await _check_after_basis(storage, older, newer)
