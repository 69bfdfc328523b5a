import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta, timezone

import pytest

from brief.model import Brief, Fact, Source
from storage import AuditEntry, BriefHeader, ConstraintError, Storage
from storage.db import Database, Params, Row
from tests.storage.conftest import T0, at, make_brief


async def test_publish_then_get_returns_the_brief_whole_in_order(storage: Storage) -> None:
    brief = make_brief("x", facts=5)
    stored = await storage.briefs.publish(brief, by=42, at=at(0))

    got = await storage.briefs.get(stored.id)

    assert got == stored
    assert got.brief == brief
    assert [s.number for s in got.brief.sources] == [3, 1, 2]
    assert [f.sources for f in got.brief.facts] == [(3, 1), (2,), (3, 1), (2,), (3, 1)]
    assert got.brief.narratives[1].outlet == "x RT"
    assert got.version == 1
    assert got.published_at == at(0)
    assert got.published_at.tzinfo is not None
    assert got.updated_at is None
    assert got.retracted_at is None


async def test_empty_parts_round_trip(storage: Storage) -> None:
    brief = Brief(title="t", summary="s", facts=(), sources=(), narratives=())
    stored = await storage.briefs.publish(brief, by=None, at=at(0))
    got = await storage.briefs.get(stored.id)
    assert got is not None
    assert got.brief == brief


async def test_get_unknown_is_none(storage: Storage) -> None:
    assert await storage.briefs.get(999) is None
    assert await storage.briefs.latest() is None
    assert await storage.briefs.version(999, 1) is None


async def test_times_come_back_in_utc_whatever_zone_went_in(storage: Storage) -> None:
    moscow = timezone(timedelta(hours=3))
    stored = await storage.briefs.publish(make_brief(), by=None, at=T0.astimezone(moscow))
    got = await storage.briefs.get(stored.id)
    assert got is not None
    assert got.published_at == T0
    assert got.published_at.utcoffset() == timedelta(0)


async def test_naive_datetime_is_refused(storage: Storage) -> None:
    with pytest.raises(ValueError, match="naive"):
        await storage.briefs.publish(make_brief(), by=None, at=T0.replace(tzinfo=None))
    assert await storage.briefs.count() == 0


async def test_correct_makes_a_new_version_and_keeps_the_old(storage: Storage) -> None:
    first = await storage.briefs.publish(make_brief("v1"), by=1, at=at(0))
    second = await storage.briefs.correct(first.id, make_brief("v2", facts=1), by=2, at=at(5))

    assert second is not None
    assert second.version == 2
    assert second.published_at == at(0)
    assert second.updated_at == at(5)
    current = await storage.briefs.get(first.id)
    assert current == second
    assert current.brief.title == "v2 title"
    old = await storage.briefs.version(first.id, 1)
    assert old is not None
    assert old.brief == make_brief("v1")
    assert old.updated_at is None
    again = await storage.briefs.version(first.id, 2)
    assert again is not None
    assert again.brief == make_brief("v2", facts=1)
    assert await storage.briefs.version(first.id, 3) is None
    assert await storage.briefs.count() == 1


async def test_correct_unknown_brief_is_none(storage: Storage) -> None:
    assert await storage.briefs.correct(7, make_brief(), by=1, at=at(0)) is None


async def test_latest_is_newest_published_and_retract_hides_it(storage: Storage) -> None:
    a = await storage.briefs.publish(make_brief("a"), by=None, at=at(0))
    b = await storage.briefs.publish(make_brief("b"), by=None, at=at(10))
    latest = await storage.briefs.latest()
    assert latest is not None
    assert latest.id == b.id

    retracted = await storage.briefs.retract(b.id, by=9, at=at(20))

    assert retracted is not None
    assert retracted.retracted_at == at(20)
    latest = await storage.briefs.latest()
    assert latest is not None
    assert latest.id == a.id
    assert await storage.briefs.count() == 1
    still = await storage.briefs.get(b.id)
    assert still is not None
    assert still.retracted_at == at(20)


async def test_retract_unknown_is_none_and_retracting_twice_keeps_first(storage: Storage) -> None:
    assert await storage.briefs.retract(5, by=1, at=at(0)) is None
    b = await storage.briefs.publish(make_brief(), by=None, at=at(0))
    await storage.briefs.retract(b.id, by=1, at=at(1))
    again = await storage.briefs.retract(b.id, by=2, at=at(2))
    assert again is not None
    assert again.retracted_at == at(1)
    assert [e.action for e in await storage.briefs.history(b.id)] == ["publish", "retract"]


async def test_history_records_each_action_in_order(storage: Storage) -> None:
    b = await storage.briefs.publish(make_brief(), by=1, at=at(0))
    await storage.briefs.correct(b.id, make_brief("c"), by=2, at=at(1))
    await storage.briefs.retract(b.id, by=None, at=at(2))

    assert await storage.briefs.history(b.id) == [
        AuditEntry(brief_id=b.id, action="publish", actor=1, at=at(0), version=1),
        AuditEntry(brief_id=b.id, action="correct", actor=2, at=at(1), version=2),
        AuditEntry(brief_id=b.id, action="retract", actor=None, at=at(2), version=2),
    ]
    assert await storage.briefs.history(b.id + 1) == []


async def test_published_since_is_oldest_first_without_retracted(storage: Storage) -> None:
    ids = [
        (await storage.briefs.publish(make_brief(str(i)), by=None, at=at(i))).id for i in range(5)
    ]
    await storage.briefs.retract(ids[3], by=None, at=at(9))
    await storage.briefs.correct(ids[2], make_brief("new"), by=None, at=at(9))

    since = await storage.briefs.published_since(at(1))

    assert since == [
        BriefHeader(id=ids[2], title="new title", published_at=at(2)),
        BriefHeader(id=ids[4], title="4 title", published_at=at(4)),
    ]
    assert [h.id for h in await storage.briefs.published_since(at(-1), limit=2)] == ids[:2]


async def test_a_citation_of_a_missing_source_stores_nothing(storage: Storage) -> None:
    bad = Brief(
        title="t",
        summary="s",
        facts=(Fact(text="ok", sources=(1,)), Fact(text="bad", sources=(9,))),
        sources=(Source(number=1, name="A"),),
        narratives=(),
    )
    with pytest.raises(ConstraintError):
        await storage.briefs.publish(bad, by=None, at=at(0))

    assert await storage.briefs.count() == 0
    assert await storage.briefs.latest() is None
    assert await storage.briefs.get(1) is None
    assert await storage.briefs.history(1) == []
    good = await storage.briefs.publish(make_brief(), by=None, at=at(1))
    assert await storage.briefs.get(good.id) == good


async def test_a_failed_correction_keeps_the_current_version(storage: Storage) -> None:
    b = await storage.briefs.publish(make_brief("v1"), by=None, at=at(0))
    duplicate_sources = Brief(
        title="t",
        summary="s",
        facts=(),
        sources=(Source(number=1, name="A"), Source(number=1, name="B")),
        narratives=(),
    )
    with pytest.raises(ConstraintError):
        await storage.briefs.correct(b.id, duplicate_sources, by=None, at=at(1))

    assert await storage.briefs.get(b.id) == b
    assert await storage.briefs.version(b.id, 2) is None
    assert [e.action for e in await storage.briefs.history(b.id)] == ["publish"]


async def test_a_withdrawn_brief_cannot_be_corrected(storage: Storage) -> None:
    stored = await storage.briefs.publish(make_brief("v1"), by=1, at=at(0))
    await storage.briefs.retract(stored.id, by=1, at=at(1))
    assert await storage.briefs.correct(stored.id, make_brief("v2"), by=2, at=at(2)) is None
    current = await storage.briefs.get(stored.id)
    assert current is not None
    assert current.version == 1
    assert [e.action for e in await storage.briefs.history(stored.id)] == ["publish", "retract"]


async def test_a_change_made_by_another_process_is_read_at_once(
    storage: Storage, reopen: Callable[[], Awaitable[Storage]]
) -> None:
    """The bot keeps versions it has read in memory; what another process (the import
    command, a second Storage, another replica) publishes, corrects or withdraws is still
    what it reads."""
    stored = await storage.briefs.publish(make_brief("a"), by=None, at=at(0))
    assert await storage.briefs.get(stored.id) == stored  # now held in memory
    async with await reopen() as other:
        await other.briefs.correct(stored.id, make_brief("b"), by=1, at=at(1))
        newer = await other.briefs.publish(make_brief("c"), by=None, at=at(2))

    corrected = await storage.briefs.get(stored.id)
    assert corrected is not None
    assert (corrected.version, corrected.brief) == (2, make_brief("b"))
    assert corrected.updated_at == at(1)
    assert await storage.briefs.latest() == newer
    old = await storage.briefs.version(stored.id, 1)
    assert old is not None
    assert old.brief == make_brief("a")

    async with await reopen() as other:
        await other.briefs.retract(stored.id, by=1, at=at(3))
    withdrawn = await storage.briefs.get(stored.id)
    assert withdrawn is not None
    assert withdrawn.retracted_at == at(3)


class CountedReads:
    """Counts the reads that reach the database thread; the first may be held back."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, hold_first: bool = False) -> None:
        self.count = 0
        self.release = asyncio.Event()
        if not hold_first:
            self.release.set()
        original = Database.fetch_all

        async def fetch_all(db: Database, sql: str, params: Params = ()) -> list[Row]:
            self.count += 1
            if self.count == 1:
                await self.release.wait()
            return await original(db, sql, params)

        monkeypatch.setattr(Database, "fetch_all", fetch_all)


# Sharing reads saves SQLite's hand-offs to its one reader thread; PostgreSQL's pool reads
# in parallel, and its BriefRepo does not share them.
@pytest.mark.sqlite_only
async def test_readers_asking_at_once_for_a_brief_share_one_read(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = await storage.briefs.publish(make_brief("a"), by=None, at=at(0))
    reads = CountedReads(monkeypatch)
    answers = await asyncio.gather(*(storage.briefs.get(stored.id) for _ in range(50)))
    assert answers == [stored] * 50
    assert reads.count == 2  # the brief's row, then its content, once for all fifty


@pytest.mark.sqlite_only
async def test_a_read_asked_for_after_a_change_by_this_process_sees_it(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = await storage.briefs.publish(make_brief("a"), by=None, at=at(0))
    await storage.briefs.get(stored.id)
    reads = CountedReads(monkeypatch, hold_first=True)
    earlier = asyncio.ensure_future(storage.briefs.get(stored.id))
    await asyncio.sleep(0.01)  # that read is under way, held back
    # retract() reads the brief again once committed: a fresh read, not the one held back.
    withdrawn = await asyncio.wait_for(storage.briefs.retract(stored.id, by=1, at=at(1)), 5)
    assert withdrawn is not None
    assert withdrawn.retracted_at == at(1)
    reads.release.set()
    await earlier


async def test_newest_pages_through_the_live_briefs(storage: Storage) -> None:
    stored = [
        await storage.briefs.publish(make_brief(f"n{i}"), by=None, at=at(i)) for i in range(5)
    ]
    await storage.briefs.retract(stored[3].id, by=None, at=at(9))
    first = await storage.briefs.newest(limit=2)
    second = await storage.briefs.newest(limit=2, offset=2)
    assert [h.id for h in first + second] == [stored[i].id for i in (4, 2, 1, 0)]
    assert first[0].title == "n4 title"
    assert await storage.briefs.newest(limit=2, offset=4) == []
