"""Full-text search on PostgreSQL, as storage/search.py does it on SQLite.

One row per live brief holds its current version's text (for the snippet) and a weighted
tsvector (title A, summary B, facts and narratives C, sources D) under a GIN index.

A reader's words are folded and cleaned in SQL exactly as the index's text was
(briefbot_fold, then anything but letters and digits made a space) and only then made
lexemes, by phraseto_tsquery, which reads no operator: a word unaccent turns into
something else (U+02BC, the Ukrainian apostrophe, becomes ', "¼" becomes " 1/4") is
searched as the index holds it, and no text can make the query fail. A word the cleaning
splits in two is found as the two words side by side. All words are required, the last as
a prefix (`:*`). Ranking is as on SQLite: every word in the title first, then every word
in the summary, newest first, among the newest RECENT briefs' matches.
"""

from __future__ import annotations

from typing import Any

from storage.models import SearchHit
from storage.postgres.db import PgDatabase
from storage.postgres.search_index import index_rows
from storage.search import hits, query_words

# The newest briefs whose matches are ranked (storage/search.py ranks the newest 1,000
# matches; reading a brief's document costs more here, so the window is of briefs).
RECENT = 500
# A prefix this long is given to the index: the words it starts are few.
PROBED_PREFIX = 3
# The tsqueries for $1 the words, $2 the position of the one searched as a prefix, $3 how
# many of the first words the index is asked for: every word, and those (NULL: none). A
# word's lexemes come out of phraseto_tsquery quoted and escaped, so the text built from
# them is a valid tsquery whatever the word was.
_QUERIES = """
WITH given AS (
    SELECT n, phraseto_tsquery('simple',
                 regexp_replace(briefbot_fold(w), '[^[:alnum:]]+', ' ', 'g'))::text AS q
      FROM unnest($1::text[]) WITH ORDINALITY AS words (w, n)
),
terms AS (
    SELECT '(' || q || CASE WHEN n = $2 THEN ':*' ELSE '' END || ')' AS term,
           n <= $3 AS probed
      FROM given WHERE q <> ''
)
SELECT string_agg(term, ' & ')::tsquery::text,
       (string_agg(term, ' & ') FILTER (WHERE probed))::tsquery::text
  FROM terms
"""
# $1 every word, $2 the words the index is asked for (NULL: every word), $3 limit, $4
# offset, $5 RECENT, $6 whether to place title and summary matches first (not for one
# letter alone: the newest first, as storage/search.py lists them).
# Which briefs are read is fixed here, not left to the planner: it cannot tell a word in
# 4% of briefs (reading the newest backwards until 1,000 match reads 22,000 of them, 170
# ms at 100,000 briefs) from one in all (the GIN index then gives every one, 250 ms). The
# newest RECENT briefs are read and filtered (5 ms); only when they hold less than the
# page, the index finds the older briefs with the words (few, as the newest had so few;
# enable_seqscan off, and `brief_id + 0`, which no index serves, keep it from reading the
# table or the newest briefs backwards instead), and those are filtered by every word. A
# last word shorter than PROBED_PREFIX only filters: given to the index, "re:*" has it
# merge the entries of every word starting with re (45 ms at 100,000 briefs). Alone, it
# is given: then the newest briefs held less than a page of its matches, a rare prefix.
_SEARCH = """
WITH slice AS MATERIALIZED (
    SELECT brief_id, document, heading FROM brief_search ORDER BY brief_id DESC LIMIT $5
),
recent AS MATERIALIZED (
    SELECT brief_id AS id, heading FROM slice WHERE document @@ $1::tsquery
),
older AS MATERIALIZED (
    SELECT id, heading FROM (
        SELECT brief_id AS id, document, heading FROM brief_search
         WHERE document @@ coalesce($2::tsquery, $1::tsquery)
           AND brief_id + 0 < (SELECT coalesce(min(brief_id), 0) FROM slice)
         ORDER BY brief_id DESC OFFSET 0) AS indexed
     WHERE document @@ $1::tsquery
     LIMIT greatest(0, $3::integer + $4::integer - (SELECT count(*) FROM recent))
),
best AS (
    SELECT id, CASE WHEN $6 AND ts_filter(heading, '{a}') @@ $1::tsquery THEN -10 ELSE 0 END
             + CASE WHEN $6 AND ts_filter(heading, '{b}') @@ $1::tsquery THEN -4 ELSE 0 END
               AS score
      FROM (SELECT * FROM recent UNION ALL SELECT * FROM older) AS found
     ORDER BY score, id DESC LIMIT $3 OFFSET $4
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


def probed(words: list[str]) -> int:
    """How many of the words the index is asked for: all, unless the last (the prefix) is
    shorter than PROBED_PREFIX."""
    return len(words) if len(words[-1]) >= PROBED_PREFIX else len(words) - 1


class PgSearchRepo:
    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    async def search(self, text: str, *, limit: int = 5, offset: int = 0) -> list[SearchHit]:
        words = query_words(text)
        if not words:
            return []
        async with self._db.transaction() as conn:
            every, probe = await conn.fetchrow(_QUERIES, words, len(words), probed(words))
            if every is None:  # no word left once folded and cleaned
                return []
            for setting in _PLANNED:
                await conn.execute(setting)
            placed = len(words) > 1 or len(words[0]) > 1
            rows = await conn.fetch(_SEARCH, every, probe, limit, offset, RECENT, placed)
        return hits(rows, words)
