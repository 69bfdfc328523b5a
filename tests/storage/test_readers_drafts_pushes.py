import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from brief._json_messages import FEW_FACTS
from brief._messages import problem
from brief._rules import UNCITED_FACT
from brief.model import Problem
from storage import ConstraintError, PushRun, Storage, StoredBrief
from storage.db import from_db
from tests.storage.conftest import at, make_brief


async def test_last_opened_remembers_the_latest_per_user(storage: Storage) -> None:
    a = await storage.briefs.publish(make_brief("a"), by=None, at=at(0))
    b = await storage.briefs.publish(make_brief("b"), by=None, at=at(1))
    assert await storage.readers.last_opened(10) is None

    await storage.readers.set_last_opened(10, a.id)
    await storage.readers.set_last_opened(11, a.id)
    await storage.readers.set_last_opened(10, b.id, at=at(2))

    assert await storage.readers.last_opened(10) == b.id
    assert await storage.readers.last_opened(11) == a.id


async def test_last_opened_refuses_an_unknown_brief(storage: Storage) -> None:
    with pytest.raises(ConstraintError):
        await storage.readers.set_last_opened(10, 404)
    assert await storage.readers.last_opened(10) is None


async def test_draft_round_trip_and_discard(storage: Storage) -> None:
    # Warnings kept as message and params (worded later, in whoever reads the preview's
    # language): a line, a plural with its count, a place in a JSON document, worded text.
    warnings = (
        problem(UNCITED_FACT, 3),
        problem(FEW_FACTS, None, "facts", count=0, minimum=1),
        Problem("ünïcode"),
    )
    draft = await storage.drafts.create(
        admin_id=7,
        chat_id=70,
        brief=make_brief("d"),
        warnings=warnings,
        correcting=None,
        at=at(0),
        expires_at=at(30),
    )
    assert draft.brief == make_brief("d")
    read = await storage.drafts.get(draft.id)
    assert read is not None
    fields = [(w.msgid, w.line, dict(w.params), w.plural, w.where) for w in read.warnings]
    assert fields == [(w.msgid, w.line, dict(w.params), w.plural, w.where) for w in warnings]
    assert str(read.warnings[1]) == "facts: has 0 facts; a brief needs at least 1"
    assert draft.created_at == at(0)
    assert draft.expires_at == at(30)
    assert await storage.drafts.get(draft.id) == draft

    assert await storage.drafts.discard(draft.id) is True
    assert await storage.drafts.discard(draft.id) is False
    assert await storage.drafts.get(draft.id) is None


async def test_publishing_a_draft_publishes_and_deletes_it(storage: Storage) -> None:
    draft = await storage.drafts.create(
        admin_id=7,
        chat_id=70,
        brief=make_brief("d"),
        warnings=(),
        correcting=None,
        at=at(0),
        expires_at=at(30),
    )

    stored = await storage.drafts.publish(draft.id, by=7, at=at(1))

    assert isinstance(stored, StoredBrief)
    assert await storage.briefs.get(stored.id) == stored
    assert stored.brief == make_brief("d")
    assert await storage.drafts.get(draft.id) is None
    assert await storage.drafts.publish(draft.id, by=7, at=at(2)) is None
    assert await storage.briefs.count() == 1
    assert [(e.action, e.actor) for e in await storage.briefs.history(stored.id)] == [
        ("publish", 7)
    ]


async def test_a_correcting_draft_makes_a_new_version(storage: Storage) -> None:
    original = await storage.briefs.publish(make_brief("v1"), by=None, at=at(0))
    draft = await storage.drafts.create(
        admin_id=7,
        chat_id=70,
        brief=make_brief("v2"),
        warnings=(),
        correcting=original.id,
        at=at(1),
        expires_at=at(30),
        based_on=original.version,
    )
    assert (draft.correcting, draft.based_on) == (original.id, 1)

    stored = await storage.drafts.publish(draft.id, by=7, at=at(2))

    assert isinstance(stored, StoredBrief)
    assert stored.id == original.id
    assert stored.version == 2
    assert await storage.briefs.count() == 1
    current = await storage.briefs.get(original.id)
    assert current is not None
    assert current.brief == make_brief("v2")


async def test_a_draft_cannot_correct_an_unknown_brief(storage: Storage) -> None:
    with pytest.raises(ConstraintError):
        await storage.drafts.create(
            admin_id=7,
            chat_id=70,
            brief=make_brief(),
            warnings=(),
            correcting=404,
            at=at(0),
            expires_at=at(1),
            based_on=1,
        )


async def test_an_expired_draft_is_not_published(storage: Storage) -> None:
    draft = await storage.drafts.create(
        admin_id=7,
        chat_id=70,
        brief=make_brief(),
        warnings=(),
        correcting=None,
        at=at(0),
        expires_at=at(30),
    )
    assert await storage.drafts.publish(draft.id, by=7, at=at(30)) is None
    assert await storage.briefs.count() == 0
    assert await storage.drafts.get(draft.id) is None


async def test_delete_expired_removes_only_expired(storage: Storage) -> None:
    ids = []
    for minutes in (10, 20, 30):
        d = await storage.drafts.create(
            admin_id=1,
            chat_id=1,
            brief=make_brief(),
            warnings=(),
            correcting=None,
            at=at(0),
            expires_at=at(minutes),
        )
        ids.append(d.id)

    assert await storage.drafts.delete_expired(at(20)) == 2
    assert [await storage.drafts.get(i) is not None for i in ids] == [False, False, True]
    assert await storage.drafts.delete_expired(at(20)) == 0


async def test_draft_ids_are_never_reused(storage: Storage) -> None:
    async def create() -> int:
        draft = await storage.drafts.create(
            admin_id=1,
            chat_id=1,
            brief=make_brief(),
            warnings=(),
            correcting=None,
            at=at(0),
            expires_at=at(5),
        )
        return draft.id

    first = await create()
    await storage.drafts.discard(first)
    assert await create() > first


async def test_push_runs(storage: Storage) -> None:
    assert await storage.pushes.last() is None
    b = await storage.briefs.publish(make_brief(), by=None, at=at(0))

    run = await storage.pushes.begin(brief_id=b.id, by=5, total=10, at=at(1))
    assert run == PushRun(
        id=run.id,
        brief_id=b.id,
        started_by=5,
        started_at=at(1),
        finished_at=None,
        sent=0,
        failed=0,
        skipped=0,
        total=10,
    )
    assert await storage.pushes.last() == run
    scheduled = await storage.pushes.begin(brief_id=None, by=None, total=3, at=at(2))
    assert await storage.pushes.last() == scheduled

    done = await storage.pushes.finish(run.id, sent=7, failed=1, skipped=2, at=at(3))
    assert done is not None
    assert (done.sent, done.failed, done.skipped, done.finished_at) == (7, 1, 2, at(3))
    assert await storage.pushes.last() == scheduled
    with pytest.raises(LookupError):
        await storage.pushes.finish(999, sent=0, failed=0, skipped=0, at=at(4))


async def test_opening_the_same_brief_again_keeps_when_the_reader_moved_to_it(
    storage: Storage, db_path: Path
) -> None:
    a = await storage.briefs.publish(make_brief("a"), by=None, at=at(0))
    b = await storage.briefs.publish(make_brief("b"), by=None, at=at(1))
    await storage.readers.set_last_opened(10, a.id, at=at(2))
    await storage.readers.set_last_opened(10, a.id, at=at(3))
    assert await moved_at(db_path, 10) == at(2)

    await storage.readers.set_last_opened(10, b.id, at=at(4))
    assert await moved_at(db_path, 10) == at(4)
    async with await Storage.open(db_path) as other:  # stored, not only remembered
        assert await other.readers.last_opened(10) == b.id


async def moved_at(db_path: Path, user_id: int) -> datetime:
    with closing(sqlite3.connect(db_path)) as conn:
        row = conn.execute("SELECT updated_at FROM readers WHERE user_id = ?", (user_id,))
        return from_db(row.fetchone()[0])
