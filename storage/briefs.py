"""Briefs: publish, correct (new version, earlier ones kept), retract, read whole.

One repository on both engines (storage.sql.Sql). Only reading a version's content in one
statement differs (SQLite's json_group_array, PostgreSQL's json_agg): both stand here,
picked by dialect. The search index is kept in step in the same transactions, by the
`Index` the repository is given (storage.search.SearchRepo.index_in).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from brief.model import Brief, Fact, Narrative, Source
from storage.cache import LRU
from storage.db import Row, from_db, from_db_opt, to_db
from storage.errors import StorageError
from storage.models import AuditEntry, BriefHeader, StoredBrief
from storage.sql import Dialect, Sql, SqlTx, portable

# Brings the search index in step with a brief's current version, inside the transaction.
Index = Callable[[SqlTx, int], Awaitable[None]]

# What a reader's request needs fresh: the brief's row and the number of its current
# version. A correction or a retraction changes these, so they are read every time.
_HEAD = """
SELECT b.id, b.published_at, b.retracted_at, v.number, v.created_at
FROM briefs AS b
JOIN brief_versions AS v ON v.brief_id = b.id
"""
_CURRENT = _HEAD + "AND v.number = b.current_version WHERE b.id = ?"
_VERSION = _HEAD + "AND v.number = ? WHERE b.id = ?"
_LATEST = (
    _HEAD
    + """AND v.number = b.current_version
    WHERE b.id = (SELECT id FROM briefs WHERE retracted_at IS NULL
                  ORDER BY published_at DESC, id DESC LIMIT 1)"""
)

# A version's content in one statement, so it is read from one snapshot in one round trip.
# json_group_array gives no order guarantee before SQLite 3.44, so each item carries its
# position and is sorted in Python.
_SQLITE_CONTENT = """
SELECT
    v.title, v.summary, v.language,
    (SELECT json_group_array(json_array(s.position, s.number, s.name, s.url))
       FROM sources AS s WHERE s.version_id = v.id),
    (SELECT json_group_array(json_array(f.position, f.text, json(
                (SELECT json_group_array(json_array(c.position, c.source_number))
                   FROM fact_citations AS c
                  WHERE c.version_id = f.version_id AND c.fact_position = f.position))))
       FROM facts AS f WHERE f.version_id = v.id),
    (SELECT json_group_array(json_array(n.position, n.label, n.outlet, n.text))
       FROM narratives AS n WHERE n.version_id = v.id)
FROM brief_versions AS v
WHERE v.brief_id = ? AND v.number = ?
"""


def _items(select: str, table: str, where: str = "x.version_id = v.id") -> str:
    return f"""(SELECT coalesce(json_agg(json_build_array({select}) ORDER BY x.position), '[]')
                  FROM {table} AS x WHERE {where})::text"""


# The same JSON arrays on PostgreSQL.
_CITATIONS = _items(
    "x.position, x.source_number",
    "fact_citations",
    "x.version_id = f.version_id AND x.fact_position = f.position",
)
_CONTENT: dict[Dialect, str] = {
    "sqlite": portable(_SQLITE_CONTENT),
    "postgresql": portable(f"""
SELECT v.title, v.summary, v.language,
       {_items("x.position, x.number, x.name, x.url", "sources")},
       (SELECT coalesce(json_agg(json_build_array(f.position, f.text, {_CITATIONS}::json)
                                 ORDER BY f.position), '[]')
          FROM facts AS f WHERE f.version_id = v.id)::text,
       {_items("x.position, x.label, x.outlet, x.text", "narratives")}
  FROM brief_versions AS v
 WHERE v.brief_id = ? AND v.number = ?
"""),
}

# Versions whose content is kept in memory. A version is never changed once written (a
# correction writes the next one), so what is kept is never stale; only the head is read
# again. A few hundred briefs of some kilobytes each.
CONTENTS_KEPT = 256


def stored_brief(head: Row, brief: Brief) -> StoredBrief:
    """A head row (id, published_at, retracted_at, version number, created_at) with its
    content."""
    number = int(head[3])
    return StoredBrief(
        id=int(head[0]),
        brief=brief,
        version=number,
        published_at=from_db(head[1]),
        updated_at=from_db(head[4]) if number > 1 else None,
        retracted_at=from_db_opt(head[2]),
    )


def _by_position(items: list[list[Any]]) -> list[list[Any]]:
    return sorted(items, key=lambda item: int(item[0]))


def _content(row: Row) -> Brief:
    """A version's content: title, summary, language, then its sources', facts' and
    narratives' JSON arrays."""
    sources = tuple(
        Source(number=number, name=name, url=url)
        for _, number, name, url in _by_position(json.loads(row[3]))
    )
    facts = tuple(
        Fact(text=text, sources=tuple(n for _, n in _by_position(citations)))
        for _, text, citations in _by_position(json.loads(row[4]))
    )
    narratives = tuple(
        Narrative(label=label, outlet=outlet, text=text)
        for _, label, outlet, text in _by_position(json.loads(row[5]))
    )
    return Brief(
        title=row[0],
        summary=row[1],
        facts=facts,
        sources=sources,
        narratives=narratives,
        language=row[2],
    )


async def _insert_version(
    tx: SqlTx, brief_id: int, number: int, brief: Brief, *, by: int | None, at: datetime
) -> None:
    rows = await tx.write_returning(
        """INSERT INTO brief_versions (brief_id, number, title, summary, language, created_at,
                                       created_by)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        (
            brief_id,
            number,
            brief.title,
            brief.summary,
            brief.language,
            to_db(at),
            by,
        ),
    )
    version_id = int(rows[0][0])
    await tx.executemany(
        "INSERT INTO sources (version_id, number, position, name, url) VALUES (?, ?, ?, ?, ?)",
        [(version_id, s.number, i, s.name, s.url) for i, s in enumerate(brief.sources)],
    )
    await tx.executemany(
        "INSERT INTO facts (version_id, position, text) VALUES (?, ?, ?)",
        [(version_id, i, f.text) for i, f in enumerate(brief.facts)],
    )
    await tx.executemany(
        """INSERT INTO fact_citations (version_id, fact_position, position, source_number)
           VALUES (?, ?, ?, ?)""",
        [(version_id, i, j, n) for i, f in enumerate(brief.facts) for j, n in enumerate(f.sources)],
    )
    await tx.executemany(
        """INSERT INTO narratives (version_id, position, label, outlet, text)
           VALUES (?, ?, ?, ?, ?)""",
        [(version_id, i, n.label, n.outlet, n.text) for i, n in enumerate(brief.narratives)],
    )


async def _audit(
    tx: SqlTx, brief_id: int, action: str, *, by: int | None, at: datetime, version: int | None
) -> None:
    await tx.write(
        "INSERT INTO audit (brief_id, action, actor, at, version) VALUES (?, ?, ?, ?, ?)",
        (brief_id, action, by, to_db(at), version),
    )


class BriefRepo:
    def __init__(self, db: Sql, index: Index) -> None:
        self._db = db
        self._index = index
        self._content = _CONTENT[db.dialect]
        # Versions never change once written: what is kept is never stale, on any replica.
        self._contents: LRU[tuple[int, int], Brief] = LRU(CONTENTS_KEPT)

    async def publish_in(
        self, tx: SqlTx, brief: Brief, *, by: int | None, at: datetime
    ) -> StoredBrief:
        """Publish inside the caller's transaction."""
        rows = await tx.write_returning(
            "INSERT INTO briefs (published_at, current_version) VALUES (?, 1) RETURNING id",
            (to_db(at),),
        )
        brief_id = int(rows[0][0])
        await _insert_version(tx, brief_id, 1, brief, by=by, at=at)
        await _audit(tx, brief_id, "publish", by=by, at=at, version=1)
        await self._index(tx, brief_id)
        return StoredBrief(brief_id, brief, 1, from_db(to_db(at)), None, None)

    async def correct_in(
        self,
        tx: SqlTx,
        brief_id: int,
        brief: Brief,
        *,
        by: int | None,
        at: datetime,
        expected: int | None = None,
    ) -> StoredBrief | None:
        """Write a new version inside the caller's transaction.

        None if there is no such brief, it was withdrawn, or (given `expected`) its current
        version is no longer `expected`: checked in the same statement that takes the new
        version, so a correction cannot slip in after a concurrent retraction or correction
        (on PostgreSQL the UPDATE's row lock orders it after them, whose result it reads).
        """
        row = await tx.fetch_one(
            """UPDATE briefs SET current_version = current_version + 1
               WHERE id = ? AND retracted_at IS NULL
                 AND current_version = coalesce(CAST(? AS INTEGER), current_version)
               RETURNING current_version, published_at, retracted_at""",
            (brief_id, expected),
        )
        if row is None:
            return None
        number = int(row[0])
        await _insert_version(tx, brief_id, number, brief, by=by, at=at)
        await _audit(tx, brief_id, "correct", by=by, at=at, version=number)
        await self._index(tx, brief_id)
        updated_at, retracted_at = from_db(to_db(at)), from_db_opt(row[2])
        return StoredBrief(brief_id, brief, number, from_db(row[1]), updated_at, retracted_at)

    async def publish(self, brief: Brief, *, by: int | None, at: datetime) -> StoredBrief:
        """Store the brief whole as version 1, with an audit "publish"; all or nothing."""
        async with self._db.transaction() as tx:
            return await self.publish_in(tx, brief, by=by, at=at)

    async def get(self, brief_id: int) -> StoredBrief | None:
        """The current version, retracted or not."""
        return await self._stored(await self._db.fetch_one_shared(_CURRENT, (brief_id,)))

    async def latest(self) -> StoredBrief | None:
        """The most recently published brief that is not retracted."""
        return await self._stored(await self._db.fetch_one_shared(_LATEST))

    async def correct(
        self, brief_id: int, brief: Brief, *, by: int | None, at: datetime
    ) -> StoredBrief | None:
        """Make `brief` the next version; earlier versions stay readable through version()."""
        async with self._db.transaction() as tx:
            return await self.correct_in(tx, brief_id, brief, by=by, at=at)

    async def version(self, brief_id: int, version: int) -> StoredBrief | None:
        return await self._stored(await self._db.fetch_one(_VERSION, (version, brief_id)))

    async def retract(self, brief_id: int, *, by: int | None, at: datetime) -> StoredBrief | None:
        """Retract; a brief already retracted keeps its first retraction time and audit entry."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(
                """UPDATE briefs SET retracted_at = ? WHERE id = ? AND retracted_at IS NULL
                   RETURNING current_version""",
                (to_db(at), brief_id),
            )
            if row is not None:
                await _audit(tx, brief_id, "retract", by=by, at=at, version=int(row[0]))
                await self._index(tx, brief_id)
        return await self.get(brief_id)

    async def _stored(self, head: Row | None) -> StoredBrief | None:
        """The brief of a head row, its content read once per version."""
        if head is None:
            return None
        brief_id, number = int(head[0]), int(head[3])
        brief = self._contents.get((brief_id, number))
        if brief is None:
            row = await self._db.fetch_one_shared(self._content, (brief_id, number))
            if row is None:  # versions are never deleted; the head row names one that exists
                raise StorageError(f"brief {brief_id} has no version {number}")
            brief = _content(row)
            self._contents.put((brief_id, number), brief)
        return stored_brief(head, brief)

    async def find_published(self, brief: Brief) -> StoredBrief | None:
        """A brief whose current version has exactly this content; a live one first.

        Titles narrow the search (a scan of one column, a few milliseconds for thousands of
        briefs); the few briefs sharing the title are compared whole.
        """
        rows = await self._db.fetch_all(
            """SELECT b.id FROM briefs AS b
                 JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
                WHERE v.title = ?
                ORDER BY b.retracted_at IS NOT NULL, b.id DESC""",
            (brief.title,),
        )
        for row in rows:
            stored = await self.get(int(row[0]))
            if stored is not None and stored.brief == brief:
                return stored
        return None

    async def history(self, brief_id: int) -> list[AuditEntry]:
        """Audit entries of the brief, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT brief_id, action, actor, at, version FROM audit WHERE brief_id = ? ORDER BY id",
            (brief_id,),
        )
        return [
            AuditEntry(brief_id=r[0], action=r[1], actor=r[2], at=from_db(r[3]), version=r[4])
            for r in rows
        ]

    async def count(self) -> int:
        """Briefs published and not retracted."""
        row = await self._db.fetch_one("SELECT count(*) FROM briefs WHERE retracted_at IS NULL")
        return 0 if row is None else int(row[0])

    async def newest(self, *, limit: int, offset: int = 0) -> list[BriefHeader]:
        """Briefs not retracted, newest first, from the `offset`th: the archive's pages."""
        rows = await self._db.fetch_all(
            """SELECT b.id, v.title, b.published_at
                 FROM briefs AS b
                 JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
                WHERE b.retracted_at IS NULL
                ORDER BY b.published_at DESC, b.id DESC
                LIMIT ? OFFSET ?""",
            (limit, offset),
        )
        return [BriefHeader(id=r[0], title=r[1], published_at=from_db(r[2])) for r in rows]

    async def published_since(self, since: datetime, *, limit: int = 100) -> list[BriefHeader]:
        """Briefs not retracted with published_at > since, oldest first."""
        rows = await self._db.fetch_all(
            """SELECT b.id, v.title, b.published_at
                 FROM briefs AS b
                 JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
                WHERE b.retracted_at IS NULL AND b.published_at > ?
                ORDER BY b.published_at, b.id
                LIMIT ?""",
            (to_db(since), limit),
        )
        return [BriefHeader(id=r[0], title=r[1], published_at=from_db(r[2])) for r in rows]
