"""When a handler fails: the reader is not left in silence and the admins hear of it."""

from __future__ import annotations

import logging

import pytest

from bot.context import BriefApplication
from tests.e2e.conftest import ADMIN_ID
from tests.fakebot import FakeBotApi


async def test_a_failure_is_apologised_for_logged_and_reported_to_admins(
    server: FakeBotApi,
    bot_app: BriefApplication,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    storage = bot_app.bot_data.storage
    assert storage is not None

    async def broken() -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(storage.briefs, "latest", broken)
    reader = server.user(42, "Ada")
    with caplog.at_level(logging.ERROR):
        await server.send_text(reader, "/brief")
        [apology] = await server.wait_sent(reader.id, 1)
        [notice] = await server.wait_sent(ADMIN_ID, 1)
    assert "something went wrong" in apology.text
    assert "RuntimeError: disk on fire" in notice.text
    assert any(r.exc_info and "disk on fire" in str(r.exc_info[1]) for r in caplog.records)
    assert server.errors() == []
