"""Full-text search on PostgreSQL, as storage/search.py does it on SQLite.

One row per live brief holds its current version's text (for the snippet) and a weighted
tsvector (title A, summary B, facts and narratives C, sources D) under a GIN index.

A reader's words are folded and cleaned in SQL exactly as the index's text was
(briefbot_fold, then anything but letters and digits made a space) and only then made
lexemes, by phraseto_tsquery, which reads no operator: a word unaccent turns into
something else (U+02BC, the Ukrainian apostrophe, becomes ', "¼" becomes " 1/4") is
searched as the index holds it, and no text can make the query fail. A word the cleaning
splits in two is found as the two words side by side. All words are required, the last as
a prefix (`:*`). Ranking is ts_rank over the newest CANDIDATES matches, as bm25 is on
SQLite; a one-letter last word filters but does not rank (storage/search.py says why).
"""

from __future__ import annotations

from typing import Any

from storage.models import SearchHit
from storage.postgres.db import PgDatabase
from storage.postgres.migrations import index_rows
from storage.search import CANDIDATES, hits, query_words, short_last

# ts_rank weights for D, C, B, A: sources, facts and narratives, summary, title.
_WEIGHTS = "{0.05, 0.1, 0.4, 1.0}"
# $1 the words, $2 the position of the one searched as a prefix, $3 how many of the first
# words rank; $4 limit, $5 offset. A word's lexemes come out of phraseto_tsquery quoted
# and escaped, so the text built from them is a valid tsquery whatever the word was.
_SEARCH = f"""
WITH given AS (
    SELECT n, phraseto_tsquery('simple',
                 regexp_replace(briefbot_fold(w), '[^[:alnum:]]+', ' ', 'g'))::text AS q
      FROM unnest($1::text[]) WITH ORDINALITY AS words (w, n)
),
terms AS (
    SELECT '(' || q || CASE WHEN n = $2 THEN ':*' ELSE '' END || ')' AS term,
           n <= $3 AS ranked
      FROM given WHERE q <> ''
),
query AS (
    SELECT string_agg(term, ' & ')::tsquery AS every,
           string_agg(term, ' & ') FILTER (WHERE ranked)::tsquery AS ranked
      FROM terms
),
newest AS (
    SELECT s.brief_id AS id, s.document
      FROM brief_search AS s, query WHERE s.document @@ query.every
     ORDER BY s.brief_id DESC LIMIT {CANDIDATES}
),
best AS (
    SELECT id, coalesce(ts_rank('{_WEIGHTS}', newest.document, query.ranked), 0) AS score
      FROM newest, query
     ORDER BY score DESC, id DESC LIMIT $4 OFFSET $5
)
SELECT best.id, v.title, b.published_at, s.title, s.summary, s.facts, s.narratives, s.sources
  FROM best
  JOIN brief_search AS s ON s.brief_id = best.id
  JOIN briefs AS b ON b.id = best.id
  JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
 ORDER BY best.score DESC, best.id DESC
"""
_INDEX_ONE = index_rows("AND b.id = $1")


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
        if not words:
            return []
        ranked = len(words) - 1 if short_last(words) else len(words)
        rows = await self._db.fetch_all(_SEARCH, words, len(words), ranked, limit, offset)
        return hits(rows, words)
