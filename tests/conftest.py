"""Fixtures shared by every test layer."""

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def briefs_dir() -> Path:
    """Copies of the example briefs, so the project tests without ../shared."""
    return DATA / "briefs"
