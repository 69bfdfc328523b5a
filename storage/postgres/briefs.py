"""Briefs on PostgreSQL: storage/briefs.py's BriefRepo, method for method."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from brief.model import Brief
from storage.briefs import CONTENTS_KEPT, _content, stored_brief
from storage.cache import LRU
from storage.db import from_db, to_db
from storage.errors import StorageError
from storage.models import AuditEntry, BriefHeader, StoredBrief
from storage.postgres.db import PgDatabase, Record
from storage.postgres.search import index_in

_HEAD = """
SELECT b.id, b.published_at, b.retracted_at, v.number, v.created_at
FROM briefs AS b
JOIN brief_versions AS v ON v.brief_id = b.id
"""
_CURRENT = _HEAD + "AND v.number = b.current_version WHERE b.id = $1"
_VERSION = _HEAD + "AND v.number = $1 WHERE b.id = $2"
_LATEST = (
    _HEAD
    + """AND v.number = b.current_version
    WHERE b.id = (SELECT id FROM briefs WHERE retracted_at IS NULL
                  ORDER BY published_at DESC, id DESC LIMIT 1)"""
)


def _items(select: str, table: str, where: str = "x.version_id = v.id") -> str:
    return f"""(SELECT coalesce(json_agg(json_build_array({select}) ORDER BY x.position), '[]')
                  FROM {table} AS x WHERE {where})::text"""


# A version's content in one statement, as the JSON arrays storage.briefs._content reads.
_CITATIONS = _items(
    "x.position, x.source_number",
    "fact_citations",
    "x.version_id = f.version_id AND x.fact_position = f.position",
)
_CONTENT = f"""
SELECT v.title, v.summary,
       {_items("x.position, x.number, x.name, x.url", "sources")},
       (SELECT coalesce(json_agg(json_build_array(f.position, f.text, {_CITATIONS}::json)
                                 ORDER BY f.position), '[]')
          FROM facts AS f WHERE f.version_id = v.id)::text,
       {_items("x.position, x.label, x.outlet, x.text", "narratives")}
  FROM brief_versions AS v
 WHERE v.brief_id = $1 AND v.number = $2
"""
_HEADERS = """SELECT b.id, v.title, b.published_at
                FROM briefs AS b
                JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
               WHERE b.retracted_at IS NULL"""


async def _insert_version(
    conn: Any, brief_id: int, number: int, brief: Brief, *, by: int | None, at: datetime
) -> None:
    version_id = await conn.fetchval(
        """INSERT INTO brief_versions (brief_id, number, title, summary, created_at, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
        brief_id,
        number,
        brief.title,
        brief.summary,
        to_db(at),
        by,
    )
    await conn.executemany(
        "INSERT INTO sources (version_id, number, position, name, url) VALUES ($1, $2, $3, $4, $5)",
        [(version_id, s.number, i, s.name, s.url) for i, s in enumerate(brief.sources)],
    )
    await conn.executemany(
        "INSERT INTO facts (version_id, position, text) VALUES ($1, $2, $3)",
        [(version_id, i, f.text) for i, f in enumerate(brief.facts)],
    )
    await conn.executemany(
        """INSERT INTO fact_citations (version_id, fact_position, position, source_number)
           VALUES ($1, $2, $3, $4)""",
        [(version_id, i, j, n) for i, f in enumerate(brief.facts) for j, n in enumerate(f.sources)],
    )
    await conn.executemany(
        """INSERT INTO narratives (version_id, position, label, outlet, text)
           VALUES ($1, $2, $3, $4, $5)""",
        [(version_id, i, n.label, n.outlet, n.text) for i, n in enumerate(brief.narratives)],
    )


async def _audit(
    conn: Any, brief_id: int, action: str, *, by: int | None, at: datetime, version: int | None
) -> None:
    await conn.execute(
        "INSERT INTO audit (brief_id, action, actor, at, version) VALUES ($1, $2, $3, $4, $5)",
        brief_id,
        action,
        by,
        to_db(at),
        version,
    )


async def publish_in(conn: Any, brief: Brief, *, by: int | None, at: datetime) -> StoredBrief:
    """Publish inside the caller's transaction."""
    brief_id = int(
        await conn.fetchval(
            "INSERT INTO briefs (published_at, current_version) VALUES ($1, 1) RETURNING id",
            to_db(at),
        )
    )
    await _insert_version(conn, brief_id, 1, brief, by=by, at=at)
    await _audit(conn, brief_id, "publish", by=by, at=at, version=1)
    await index_in(conn, brief_id)
    return StoredBrief(brief_id, brief, 1, from_db(to_db(at)), None, None)


async def correct_in(
    conn: Any,
    brief_id: int,
    brief: Brief,
    *,
    by: int | None,
    at: datetime,
    expected: int | None = None,
) -> StoredBrief | None:
    """A new version inside the caller's transaction; None for a missing or withdrawn brief,
    or one no longer at version `expected` (the UPDATE's row lock orders it after a
    concurrent retraction or correction, whose result it then reads)."""
    row = await conn.fetchrow(
        """UPDATE briefs SET current_version = current_version + 1
           WHERE id = $1 AND retracted_at IS NULL
             AND current_version = coalesce($2::integer, current_version)
           RETURNING current_version, published_at""",
        brief_id,
        expected,
    )
    if row is None:
        return None
    number = int(row[0])
    await _insert_version(conn, brief_id, number, brief, by=by, at=at)
    await _audit(conn, brief_id, "correct", by=by, at=at, version=number)
    await index_in(conn, brief_id)
    return StoredBrief(brief_id, brief, number, from_db(row[1]), from_db(to_db(at)), None)


class PgBriefRepo:
    def __init__(self, db: PgDatabase) -> None:
        self._db = db
        # Versions never change once written: what is kept is never stale, on any replica.
        self._contents: LRU[tuple[int, int], Brief] = LRU(CONTENTS_KEPT)

    async def publish(self, brief: Brief, *, by: int | None, at: datetime) -> StoredBrief:
        async with self._db.transaction() as conn:
            return await publish_in(conn, brief, by=by, at=at)

    async def get(self, brief_id: int) -> StoredBrief | None:
        return await self._stored(await self._db.fetch_one(_CURRENT, brief_id))

    async def latest(self) -> StoredBrief | None:
        return await self._stored(await self._db.fetch_one(_LATEST))

    async def correct(
        self, brief_id: int, brief: Brief, *, by: int | None, at: datetime
    ) -> StoredBrief | None:
        async with self._db.transaction() as conn:
            return await correct_in(conn, brief_id, brief, by=by, at=at)

    async def version(self, brief_id: int, version: int) -> StoredBrief | None:
        return await self._stored(await self._db.fetch_one(_VERSION, version, brief_id))

    async def retract(self, brief_id: int, *, by: int | None, at: datetime) -> StoredBrief | None:
        async with self._db.transaction() as conn:
            version = await conn.fetchval(
                """UPDATE briefs SET retracted_at = $1 WHERE id = $2 AND retracted_at IS NULL
                   RETURNING current_version""",
                to_db(at),
                brief_id,
            )
            if version is not None:
                await _audit(conn, brief_id, "retract", by=by, at=at, version=int(version))
                await index_in(conn, brief_id)
        return await self.get(brief_id)

    async def _stored(self, head: Record | None) -> StoredBrief | None:
        if head is None:
            return None
        brief_id, number = int(head[0]), int(head[3])
        brief = self._contents.get((brief_id, number))
        if brief is None:
            row = await self._db.fetch_one(_CONTENT, brief_id, number)
            if row is None:
                raise StorageError(f"brief {brief_id} has no version {number}")
            brief = _content(row)
            self._contents.put((brief_id, number), brief)
        return stored_brief(head, brief)

    async def find_published(self, brief: Brief) -> StoredBrief | None:
        rows = await self._db.fetch_all(
            """SELECT b.id FROM briefs AS b
                 JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
                WHERE v.title = $1
                ORDER BY b.retracted_at IS NOT NULL, b.id DESC""",
            brief.title,
        )
        for row in rows:
            stored = await self.get(int(row[0]))
            if stored is not None and stored.brief == brief:
                return stored
        return None

    async def history(self, brief_id: int) -> list[AuditEntry]:
        rows = await self._db.fetch_all(
            "SELECT brief_id, action, actor, at, version FROM audit WHERE brief_id = $1"
            " ORDER BY id",
            brief_id,
        )
        return [AuditEntry(r[0], r[1], r[2], from_db(r[3]), r[4]) for r in rows]

    async def count(self) -> int:
        row = await self._db.fetch_one("SELECT count(*) FROM briefs WHERE retracted_at IS NULL")
        return 0 if row is None else int(row[0])

    async def newest(self, *, limit: int, offset: int = 0) -> list[BriefHeader]:
        rows = await self._db.fetch_all(
            _HEADERS + " ORDER BY b.published_at DESC, b.id DESC LIMIT $1 OFFSET $2",
            limit,
            offset,
        )
        return [BriefHeader(r[0], r[1], from_db(r[2])) for r in rows]

    async def published_since(self, since: datetime, *, limit: int = 100) -> list[BriefHeader]:
        rows = await self._db.fetch_all(
            _HEADERS + " AND b.published_at > $1 ORDER BY b.published_at, b.id LIMIT $2",
            to_db(since),
            limit,
        )
        return [BriefHeader(r[0], r[1], from_db(r[2])) for r in rows]
