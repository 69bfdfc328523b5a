"""Fixtures shared by every test layer."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def briefs_dir() -> Path:
    """Copies of the example briefs, so the project tests without ../shared."""
    return DATA / "briefs"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """For tests that set up logging as the command does: the root logger as it was."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
