"""Storage tests run on a real SQLite file in a temporary directory."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from brief.model import Brief, Fact, Narrative, Source
from storage import Storage

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


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "briefbot.db"


@pytest.fixture
async def storage(db_path: Path) -> AsyncIterator[Storage]:
    s = await Storage.open(db_path)
    try:
        yield s
    finally:
        await s.close()
