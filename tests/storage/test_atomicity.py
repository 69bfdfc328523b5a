"""A brief is stored whole or not at all, whatever interrupts the write."""

import asyncio
from typing import Any

import pytest

from storage import Storage, briefs
from tests.storage.conftest import at, make_brief


async def _assert_empty(s: Storage) -> None:
    assert await s.briefs.count() == 0
    assert await s.briefs.latest() is None
    assert await s.briefs.get(1) is None
    assert await s.briefs.version(1, 1) is None
    assert await s.briefs.history(1) == []


async def test_an_error_after_every_part_is_written_leaves_nothing(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def failing_audit(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(briefs, "_audit", failing_audit)

    with pytest.raises(RuntimeError, match="disk on fire"):
        await storage.briefs.publish(make_brief(), by=None, at=at(0))

    await _assert_empty(storage)


async def test_a_cancelled_write_leaves_nothing_and_storage_keeps_working(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    reached = asyncio.Event()
    real_audit = briefs._audit

    async def stalled_audit(*args: Any, **kwargs: Any) -> None:
        reached.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(briefs, "_audit", stalled_audit)
    task = asyncio.create_task(storage.briefs.publish(make_brief(), by=None, at=at(0)))
    await reached.wait()
    # A read while the write is half done sees none of it.
    await _assert_empty(storage)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await _assert_empty(storage)
    monkeypatch.setattr(briefs, "_audit", real_audit)
    stored = await storage.briefs.publish(make_brief("after"), by=None, at=at(1))
    assert await storage.briefs.get(stored.id) == stored


async def test_a_failed_draft_publish_keeps_the_draft(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = await storage.drafts.create(
        admin_id=1,
        chat_id=1,
        brief=make_brief(),
        warnings=(),
        correcting=None,
        at=at(0),
        expires_at=at(60),
    )

    async def failing_audit(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(briefs, "_audit", failing_audit)
    with pytest.raises(RuntimeError):
        await storage.drafts.publish(draft.id, by=1, at=at(1))

    assert await storage.drafts.get(draft.id) == draft
    await _assert_empty(storage)
