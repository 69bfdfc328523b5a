"""What an admin's chat is in the middle of survives the bot that received it: another
Application on the same database (a replica, or the bot after a restart) carries it on.

The two Applications run one after the other against one fake Bot API (two bots polling
one token at once is what Telegram refuses), so this is the restart case; it is also the
replica case, since nothing passes between them but the database. Each test runs on
SQLite and, with TEST_DATABASE_URL set, on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.publishing import paste
from brief import parse_text
from storage import Storage
from storage.opening import DatabaseLocation, open_storage
from tests.e2e.admin.test_corrections import NEW_TITLE, corrected_text
from tests.e2e.admin.test_uploads import split_like_a_client
from tests.e2e.conftest import make_config, press, running, say, settled
from tests.fakebot import FakeBotApi, FakeUser
from tests.postgres import migrated_schema, needs_postgres


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=needs_postgres)])
async def database(request: pytest.FixtureRequest, db_path: Path) -> AsyncIterator[dict[str, str]]:
    """The settings naming the bots' shared database (DATABASE_PATH is set either way)."""
    if request.param == "sqlite":
        yield {}
        return
    async with migrated_schema() as url:
        yield {"DATABASE_URL": url}


@pytest.fixture
async def shared(db_path: Path, database: dict[str, str]) -> AsyncIterator[Storage]:
    opened = await open_storage(DatabaseLocation(path=db_path, url=database.get("DATABASE_URL")))
    try:
        yield opened
    finally:
        await opened.close()


async def test_a_correct_taken_by_one_bot_is_applied_by_the_next(
    server: FakeBotApi,
    db_path: Path,
    database: dict[str, str],
    shared: Storage,
    admin: FakeUser,
    briefs_dir: Path,
) -> None:
    text = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8")
    original = await shared.briefs.publish(parse_text(text).brief, by=None, at=datetime.now(UTC))
    config = make_config(server, db_path, **database)
    async with running(config) as first:
        [prompt] = await say(server, admin, f"/correct {original.id}")
        assert f"Send the corrected brief #{original.id}" in prompt.text
        await settled(server, first)
    async with running(config):
        _, details = await say(server, admin, corrected_text(briefs_dir), expect=2)
        assert f"correction to brief #{original.id} (version 2)" in details.text
        await press(server, admin, details, "Publish", expect=1)
        # Applied once: the next upload is a new brief.
        _, again = await say(server, admin, corrected_text(briefs_dir), expect=2)
        assert "correction" not in again.text
    stored = await shared.briefs.get(original.id)
    assert stored is not None
    assert (stored.version, stored.brief.title) == (2, NEW_TITLE)


async def test_a_paste_split_between_two_bots_becomes_one_brief(
    server: FakeBotApi,
    db_path: Path,
    database: dict[str, str],
    shared: Storage,
    admin: FakeUser,
    briefs_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Long enough that the first bot stops before its timer runs out: only the second
    # bot's timer can join the paste, and it must find the first part in the database.
    monkeypatch.setattr(paste, "PASTE_WINDOW_SECONDS", 2.0)
    text = (briefs_dir / "northfield-budget-long.txt").read_text(encoding="utf-8")
    first_part, *rest = split_like_a_client(text)
    assert rest
    config = make_config(server, db_path, **database)
    before = len(server.sent(admin.id))
    async with running(config) as first:
        await server.send_text(admin, first_part)
        await settled(server, first)
    assert len(server.sent(admin.id)) == before  # the first bot answered nothing
    async with running(config):
        for part in rest:
            await server.send_text(admin, part)
        summary, details = (await server.wait_sent(admin.id, before + 2, timeout=10))[before:]
        expected = parse_text(text).brief
        assert summary.text.startswith(expected.title)
        assert f"{len(expected.facts)} facts" in details.text
        await press(server, admin, details, "Publish", expect=1)
        assert len(server.sent(admin.id)) == before + 3  # one preview, not one per part
    stored = await shared.briefs.latest()
    assert stored is not None
    assert stored.brief == expected
