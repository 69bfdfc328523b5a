"""Full-text search on PostgreSQL, as storage/search.py does it on SQLite.

One row per live brief holds its current version's text (for the snippet) and a weighted
tsvector (title A, summary B, facts and narratives C, sources D) under a GIN index. The
reader's words become a to_tsquery of quoted lexemes, all required, the last a prefix
(`:*`): the same words SQLite's query finds, none of them read as an operator. Ranking is
ts_rank over the newest CANDIDATES matches, as bm25 is on SQLite.
"""

from __future__ import annotations

from typing import Any

from storage.db import from_db
from storage.models import SearchHit
from storage.postgres.db import PgDatabase
from storage.postgres.migrations import index_rows
from storage.search import CANDIDATES, query_words
from storage.snippets import snippet

# ts_rank weights for D, C, B, A: sources, facts and narratives, summary, title.
_WEIGHTS = "{0.05, 0.1, 0.4, 1.0}"
_SEARCH = f"""
WITH query AS (SELECT to_tsquery('simple', briefbot_fold($1)) AS q),
best AS (
    SELECT id, score FROM (
        SELECT s.brief_id AS id, ts_rank('{_WEIGHTS}', s.document, query.q) AS score
          FROM brief_search AS s, query WHERE s.document @@ query.q
         ORDER BY s.brief_id DESC LIMIT {CANDIDATES}) AS newest
     ORDER BY score DESC, id DESC LIMIT $2 OFFSET $3
)
SELECT best.id, v.title, b.published_at, s.title, s.summary, s.facts, s.narratives, s.sources
  FROM best
  JOIN brief_search AS s ON s.brief_id = best.id
  JOIN briefs AS b ON b.id = best.id
  JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
 ORDER BY best.score DESC, best.id DESC
"""
_INDEX_ONE = index_rows("AND b.id = $1")


def tsquery(words: list[str]) -> str | None:
    """The to_tsquery text for a reader's words, or None when there is none. A word is
    letters and digits only (storage.search.WORD), so quoting needs no escaping."""
    if not words:
        return None
    quoted = [f"'{word}'" for word in words]
    quoted[-1] += ":*"
    return " & ".join(quoted)


async def index_in(conn: Any, brief_id: int) -> None:
    """Make the brief's row match its current version (none if withdrawn), in the caller's
    transaction."""
    await conn.execute("DELETE FROM brief_search WHERE brief_id = $1", brief_id)
    await conn.execute(_INDEX_ONE, brief_id)


class PgSearchRepo:
    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    async def search(self, text: str, *, limit: int = 5, offset: int = 0) -> list[SearchHit]:
        words = query_words(text)
        query = tsquery(words)
        if query is None:
            return []
        rows = await self._db.fetch_all(_SEARCH, query, limit, offset)
        return [
            SearchHit(
                id=int(r[0]),
                title=str(r[1]),
                published_at=from_db(r[2]),
                snippet=snippet([str(column or "") for column in r[3:]], words),
            )
            for r in rows
        ]
