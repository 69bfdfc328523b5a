"""Storage tests run on a real SQLite file in a temporary directory, and each again on
PostgreSQL (a fresh schema) when TEST_DATABASE_URL is set, except those that read the SQLite
file itself (they ask for `db_path`) or test what only SQLite has (marked sqlite_only)."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from brief.model import Brief, Fact, Narrative, Source
from storage import Storage
from storage.opening import DatabaseLocation, open_storage
from tests.postgres import migrated_schema, needs_postgres

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """A fixed instant, `minutes` after T0: tests never depend on the clock."""
    return T0 + timedelta(minutes=minutes)


def make_brief(tag: str = "a", *, facts: int = 3) -> Brief:
    """A brief whose every part carries `tag`, with sources out of number order."""
    sources = (
        Source(number=3, name=f"{tag} Reuters", url=f"https://example.org/{tag}/3"),
        Source(number=1, name=f"{tag} TASS", url=None),
        Source(number=2, name=f"{tag} Firstpost", url=f"https://example.org/{tag}/2"),
    )
    return Brief(
        title=f"{tag} title",
        summary=f"{tag} summary <b>&</b> ünïcode",
        facts=tuple(
            Fact(text=f"{tag} fact {i}", sources=((3, 1) if i % 2 == 0 else (2,)))
            for i in range(facts)
        ),
        sources=sources,
        narratives=(
            Narrative(label="Anti-Russia", outlet=f"{tag} Firstpost", text=f"{tag} n0"),
            Narrative(label="Pro-Russia", outlet=f"{tag} RT", text=f"{tag} n1"),
        ),
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        backends = [pytest.param("sqlite")]
        sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
        if "db_path" not in metafunc.fixturenames and not sqlite_only:
            backends.append(pytest.param("postgresql", marks=needs_postgres))
        metafunc.parametrize("backend", backends)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "briefbot.db"


@pytest.fixture
async def database(backend: str, tmp_path: Path) -> AsyncIterator[DatabaseLocation]:
    """An empty database, migrated: the SQLite file at db_path, or a PostgreSQL schema."""
    if backend == "sqlite":
        yield DatabaseLocation(path=tmp_path / "briefbot.db")
        return
    async with migrated_schema() as url:
        yield DatabaseLocation(url=url)


@pytest.fixture
async def storage(database: DatabaseLocation) -> AsyncIterator[Storage]:
    s = await open_storage(database)
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
def reopen(database: DatabaseLocation) -> Callable[[], Awaitable[Storage]]:
    """Another Storage on the same database: another process, or the bot after a restart."""
    return lambda: open_storage(database)
