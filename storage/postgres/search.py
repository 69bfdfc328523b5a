"""Full-text search on PostgreSQL, as storage/search.py does it on SQLite.

One row per live brief holds its current version's text (for the snippet), a tsvector of
all its words under a GIN index, and the words of its title and of its summary apart
(storage/postgres/search_index.py).

A reader's words are folded and cleaned in SQL exactly as the index's text was
(briefbot_fold, then anything but letters and digits made a space) and only then made
lexemes, by phraseto_tsquery, which reads no operator: a word unaccent turns into
something else (U+02BC, the Ukrainian apostrophe, becomes ', "¼" becomes " 1/4") is
searched as the index holds it, and no text can make the query fail. A word the cleaning
splits in two is found as the two words side by side. All words are required, the last as
a prefix. Ranking is as on SQLite: every word in the title first, then every word in the
summary, newest first, among the newest RECENT briefs' matches.
"""

from __future__ import annotations

from typing import Any

from storage.models import SearchHit
from storage.postgres.db import PgDatabase
from storage.postgres.search_index import PREFIX_LETTERS, index_rows
from storage.search import hits, query_words

# The newest briefs whose matches are ranked (storage/search.py ranks the newest 1,000
# matches; reading a brief's document costs more here, so the window is of briefs).
RECENT = 500
# The tsquery of every word ($1), the last ($2 its position) a prefix: the index's word
# for it ("ce*", storage/postgres/search_index.py) when it is no longer than $3 letters,
# else `:*`. A word's lexemes come out of phraseto_tsquery quoted and escaped, and cleaned
# of all but letters and digits they hold no quote, so the text built from them is a valid
# tsquery whatever the word was.
_QUERY = r"""
WITH given AS (
    SELECT n, phraseto_tsquery('simple',
                 regexp_replace(briefbot_fold(w), '[^[:alnum:]]+', ' ', 'g'))::text AS q
      FROM unnest($1::text[]) WITH ORDINALITY AS words (w, n)
),
terms AS (
    SELECT CASE WHEN n <> $2 THEN q
                WHEN length(substring(q FROM '''([^'']*)''$')) <= $3
                THEN regexp_replace(q, '''$', '*''')
                ELSE q || ':*' END AS term
      FROM given WHERE q <> ''
)
SELECT string_agg('(' || term || ')', ' & ')::tsquery::text FROM terms
"""
# $1 the query, $2 limit, $3 offset, $4 RECENT, $5 whether to place title and summary
# matches first (not for one letter alone: the newest first, as storage/search.py lists
# them).
# Which briefs are read is fixed here, not left to the planner: it cannot tell a word in
# 4% of briefs (reading the newest backwards until 1,000 match reads 22,000 of them, 170
# ms at 100,000 briefs) from one in all (the GIN index then gives every one, 250 ms). The
# newest RECENT briefs are read and filtered (3 ms); only when they hold less than the
# page, the GIN index finds the older matches (few, as the newest had so few). Planned
# apart from the LIMIT (OFFSET 0), with enable_seqscan off, and with `brief_id + 0`, in
# order and bound, which no index serves, it cannot read the table, or the newest briefs
# backwards, instead.
_SEARCH = """
WITH slice AS MATERIALIZED (
    SELECT brief_id, document, title_words, summary_words
      FROM brief_search ORDER BY brief_id DESC LIMIT $4
),
recent AS MATERIALIZED (
    SELECT brief_id AS id, title_words, summary_words FROM slice WHERE document @@ $1::tsquery
),
older AS MATERIALIZED (
    SELECT * FROM (
        SELECT brief_id AS id, title_words, summary_words FROM brief_search
         WHERE document @@ $1::tsquery
           AND brief_id + 0 < (SELECT coalesce(min(brief_id), 0) FROM slice)
         ORDER BY brief_id + 0 DESC OFFSET 0) AS indexed
     LIMIT greatest(0, $2::integer + $3::integer - (SELECT count(*) FROM recent))
),
best AS (
    SELECT id, CASE WHEN $5 AND title_words @@ $1::tsquery THEN -10 ELSE 0 END
             + CASE WHEN $5 AND summary_words @@ $1::tsquery THEN -4 ELSE 0 END AS score
      FROM (SELECT * FROM recent UNION ALL SELECT * FROM older) AS found
     ORDER BY score, id DESC LIMIT $2 OFFSET $3
)
SELECT best.id, v.title, b.published_at, s.title, s.summary, s.facts, s.narratives, s.sources
  FROM best
  JOIN brief_search AS s ON s.brief_id = best.id
  JOIN briefs AS b ON b.id = best.id
  JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
 ORDER BY best.score, best.id DESC
"""
# For this transaction only: the statement is cached (prepared once per connection), and
# PostgreSQL would otherwise switch it to one generic plan after five runs.
_PLANNED = (
    "SET LOCAL plan_cache_mode = force_custom_plan",
    "SET LOCAL enable_seqscan = off",
)
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
        async with self._db.transaction() as conn:
            query = await conn.fetchval(_QUERY, words, len(words), PREFIX_LETTERS)
            if query is None:  # no word left once folded and cleaned
                return []
            for setting in _PLANNED:
                await conn.execute(setting)
            placed = len(words) > 1 or len(words[0]) > 1
            rows = await conn.fetch(_SEARCH, query, limit, offset, RECENT, placed)
        return hits(rows, words)
