"""Fixtures shared by every test layer."""

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import forkserver

DATA = Path(__file__).parent / "data"
# The `homeserver` fixture (a real Synapse) for any test that asks: pytest takes plugins
# only from this, the top conftest.
pytest_plugins = ["tests.synapse.fixtures"]

# The bots the suite starts (in process, as processes, forked) make no voice notes unless a
# test asks for them with AUDIO=on (tests/e2e/test_listen.py): Piper making a brief's note
# in the background takes a core for twenty seconds, the core the other tests' answers and
# timings need. Set before any test runs, so every bot process inherits it.
os.environ.setdefault("AUDIO", "off")
# Where a test does make notes, the engines run at the tests' own priority: below the four
# workers that CI keeps busy on two cores, a niced engine would wait minutes for its turn.
os.environ.setdefault("AUDIO_NICENESS", "0")


@pytest.fixture
def briefs_dir() -> Path:
    """Copies of the example briefs, so the project tests without ../shared."""
    return DATA / "briefs"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """For tests that set up logging as the command does: the root logger as it was."""
    root, scheduler = logging.getLogger(), logging.getLogger("apscheduler")
    handlers, level, scheduler_level = root.handlers[:], root.level, scheduler.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    scheduler.setLevel(scheduler_level)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked `long` spread evenly through the run, the others in their order.

    Each worker starts on its own share of the list, in order, and the others take only from
    its end: long tests side by side would run one after another on one worker, and one
    found at the end of a share would run alone after all the others."""
    long = [item for item in items if item.get_closest_marker("long") is not None]
    if not long:
        return
    rest = [item for item in items if item.get_closest_marker("long") is None]
    step = len(items) / len(long)
    for number, item in enumerate(long):
        rest.insert(round(number * step), item)
    items[:] = rest


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The fork server this test process started for its tests (tests/forkserver.py),
    stopped."""
    forkserver.stop()
