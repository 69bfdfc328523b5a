"""The `homeserver` fixture, for any test: one Synapse per test process (each pytest-xdist
worker has its own), started when a test first asks for it and stopped when the process's
tests end. A start takes a second or two of the two cores the suite shares, too much for
every test; tests keep out of each other's way with users and rooms of their own
(`homeserver.user()`, `homeserver.fresh_user()`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.synapse.finding import WHY_NO_SYNAPSE
from tests.synapse.server import Homeserver


# The session's own event loop starts and stops it; tests, each in its own loop, use it
# only over HTTP, which binds nothing of theirs to that loop.
@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def homeserver() -> AsyncIterator[Homeserver]:
    if WHY_NO_SYNAPSE is not None:
        pytest.skip(WHY_NO_SYNAPSE)
    async with Homeserver() as server:
        yield server
