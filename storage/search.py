"""Full-text search over the briefs readers can see: one repository, SQLite's FTS5 and
PostgreSQL's full-text search side by side (storage/search_index.py defines the index).

One row per live brief holds the text of its current version, column by column, so titles
can weigh more than facts; case and diacritics are ignored ("Kyïv" finds "Kyiv"), and
short prefixes are indexed, so a word still being typed is found fast. The row is written
in the same transaction as the publication or correction that changes the brief
(storage/briefs.py calls `index_in`), and deleted with its withdrawal, so a search never
finds what a reader could not open.

A reader's words are never handed to a query language: on SQLite each becomes a quoted
string (so `NEAR`, `AND`, `*`, `"` and `title:` are only words); on PostgreSQL each is
folded and cleaned in SQL exactly as the index's text was and only then made lexemes by
phraseto_tsquery, which reads no operator (a word the cleaning splits in two is found as
the two words side by side). All words must match, the last as a prefix, as a reader
still typing expects.

Ranking: briefs with every word in the title come first, then those with every word in
the summary, each newest first, among the newest matches (SQLite: the newest CANDIDATES
matches; PostgreSQL: the matches among the newest RECENT briefs, and older ones only when
those hold less than the page). What a search costs is reading those newest matches,
never counting a word over the whole index as bm25 must (17-35 ms for "of the" at 100,000
briefs), nor merging every word a short prefix starts. A one-letter word alone lists the
newest briefs with a word starting with it, as the newest are listed before a reader
types.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from storage.db import from_db
from storage.models import SearchHit
from storage.search_index import (
    APOSTROPHE_LETTERS,
    INDEX_ROWS,
    PREFIX_LETTERS,
    postgres_index_rows,
)
from storage.snippets import snippet
from storage.sql import Sql, SqlTx, portable

# A reader's query beyond these is not read: no one searches with more.
QUERY_CHARS = 200
QUERY_WORDS = 12
# As FTS5's unicode61 tokenizer splits text: letters and digits; `_` and the apostrophe
# letters (storage/search_index.py) separate. Each word is then one token of the index, as
# it must be: with `detail = column` a quoted string of two tokens is a phrase, which FTS5
# refuses (tests/storage/test_search_text.py checks every letter and digit).
WORD = re.compile(r"[^\W_]+")
_SEPARATE = str.maketrans(dict.fromkeys(APOSTROPHE_LETTERS, " "))
# The snippet is made in Python (storage/snippets.py), not by FTS5's snippet(), which
# needs every position.
_HITS = """
SELECT best.id, v.title, b.published_at, s.title, s.summary, s.facts, s.narratives, s.sources
  FROM best
  JOIN brief_search AS s ON s.{key} = best.id
  JOIN briefs AS b ON b.id = best.id
  JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
 ORDER BY best.score, best.id DESC
"""

# SQLite. The newest CANDIDATES briefs matching every word (the FTS5 query, given three
# times), materialized (as what is built on them) so that FTS5 runs each query once, not
# once per row; those with every word in the title first, then in the summary; a brief
# with them in both comes before either. Then limit and offset.
CANDIDATES = 1000
_SQLITE_PLACED = portable(f"""
WITH candidates AS MATERIALIZED (
    SELECT rowid AS id FROM brief_search WHERE brief_search MATCH ?
     ORDER BY rowid DESC LIMIT {CANDIDATES}
),
placed AS MATERIALIZED (
    SELECT rowid AS id, -10.0 AS score FROM brief_search
     WHERE brief_search MATCH 'title : (' || ? || ')'
       AND rowid >= (SELECT min(id) FROM candidates)
    UNION ALL
    SELECT rowid AS id, -4.0 AS score FROM brief_search
     WHERE brief_search MATCH 'summary : (' || ? || ')'
       AND rowid >= (SELECT min(id) FROM candidates)
),
best AS (
    SELECT c.id, coalesce(sum(p.score), 0) AS score
      FROM candidates AS c LEFT JOIN placed AS p USING (id)
     GROUP BY c.id ORDER BY score, c.id DESC LIMIT ? OFFSET ?
)
{_HITS.format(key="rowid")}""")
# A one-letter word alone: the newest briefs with a word starting with it.
_SQLITE_NEWEST = portable(f"""
WITH best AS (
    SELECT rowid AS id, 0 AS score FROM brief_search WHERE brief_search MATCH ?
     ORDER BY rowid DESC LIMIT ? OFFSET ?
)
{_HITS.format(key="rowid")}""")

# PostgreSQL. The newest briefs whose matches are ranked (SQLite ranks the newest 1,000
# matches; reading a brief's document costs more here, so the window is of briefs).
RECENT = 500
# How many briefs older than those are searched first, when they hold less than the page.
NEAR = 5000
# The tsqueries of the words (a text[]), the last (its position given) a prefix: every
# word, and what the GIN index is asked for. A last word no longer than the letters given
# is the index's word for it ("ce*") in both; a longer one is `:*` in the first, and its
# first letters as the index's word in the second ("rep*" for "repo"): given to the
# index, `'repo':*` has it merge the entries of report, reports, reported... (26 ms at
# 100,000 briefs), where "rep*" is one entry it skips through, and every word then
# filters what it found. A word's lexemes come out of phraseto_tsquery quoted and
# escaped, and cleaned of all but letters and digits they hold no quote, so the text
# built from them is a valid tsquery whatever the word was.
_POSTGRES_QUERY = portable(r"""
WITH given AS (
    SELECT n, phraseto_tsquery('simple',
                 regexp_replace(briefbot_fold(w), '[^[:alnum:]]+', ' ', 'g'))::text AS q
      FROM unnest(?::text[]) WITH ORDINALITY AS words (w, n)
),
terms AS (
    SELECT CASE WHEN n <> ? THEN q
                WHEN length(substring(q FROM '''([^'']*)''$')) <= ?
                THEN regexp_replace(q, '''$', '*''')
                ELSE q || ':*' END AS term,
           CASE WHEN n <> ? THEN q
                ELSE regexp_replace(q, '''([^'']{1,' || ?::integer || '})[^'']*''$', '''\1*''')
                END AS probe
      FROM given WHERE q <> ''
)
SELECT string_agg('(' || term || ')', ' & ')::tsquery::text,
       string_agg('(' || probe || ')', ' & ')::tsquery::text
  FROM terms
""")
# The oldest of the newest RECENT briefs (0 when there are fewer).
_POSTGRES_LOW = portable("""
SELECT coalesce(min(brief_id), 0)
  FROM (SELECT brief_id FROM brief_search ORDER BY brief_id DESC LIMIT ?) AS newest
""")
# Which briefs are read is fixed here, not left to the planner: it cannot tell a word in
# 4% of briefs (reading the newest backwards until 1,000 match reads 22,000 of them, 170
# ms at 100,000 briefs) from one in all (the GIN index then gives every one, 250 ms). The
# newest RECENT briefs are read and filtered (about 5 ms; `coalesce` keeps the GIN index
# out of it). Only when they hold less than the page are older ones searched: the NEAR
# briefs just older first, where the GIN index and the primary key's range find them
# together (a common word beside a rarer one: 5 ms, not the 17 ms of reading every
# older match from the table), then the rest. Planned apart from the LIMIT (OFFSET 0),
# with enable_seqscan off, and with `brief_id + 0` in order and bound where no index
# should serve, neither reads the table, or the newest briefs backwards, instead.
# Parameters, in order: the oldest of the newest briefs and the query; then twice what
# the GIN index is asked, the oldest of the newest and NEAR (and the oldest of the newest
# again the first time), the query, limit and offset; then twice whether to place title
# and summary matches first (not for one letter alone) and the query; limit and offset.
_POSTGRES_SEARCH = portable(f"""
WITH recent AS MATERIALIZED (
    SELECT brief_id AS id, title_words, summary_words FROM brief_search
     WHERE brief_id >= ? AND coalesce(document @@ ?::tsquery, false)
),
near AS MATERIALIZED (
    SELECT id, title_words, summary_words FROM (
        SELECT brief_id AS id, document, title_words, summary_words FROM brief_search
         WHERE document @@ ?::tsquery AND brief_id >= ? - ?::bigint AND brief_id < ?
         ORDER BY brief_id + 0 DESC OFFSET 0) AS indexed
     WHERE document @@ ?::tsquery
     LIMIT greatest(0, ?::integer + ?::integer - (SELECT count(*) FROM recent))
),
far AS MATERIALIZED (
    SELECT id, title_words, summary_words FROM (
        SELECT brief_id AS id, document, title_words, summary_words FROM brief_search
         WHERE document @@ ?::tsquery AND brief_id + 0 < ? - ?::bigint
         ORDER BY brief_id + 0 DESC OFFSET 0) AS indexed
     WHERE document @@ ?::tsquery
     LIMIT greatest(0, ?::integer + ?::integer - (SELECT count(*) FROM recent)
                       - (SELECT count(*) FROM near))
),
best AS (
    SELECT id, CASE WHEN ?::boolean AND title_words @@ ?::tsquery THEN -10 ELSE 0 END
             + CASE WHEN ?::boolean AND summary_words @@ ?::tsquery THEN -4 ELSE 0 END
               AS score
      FROM (SELECT * FROM recent UNION ALL SELECT * FROM near UNION ALL SELECT * FROM far)
           AS found
     ORDER BY score, id DESC LIMIT ? OFFSET ?
)
{_HITS.format(key="brief_id")}""")
# For this transaction only: the statement is cached (prepared once per connection), and
# PostgreSQL would otherwise switch it to one generic plan after five runs.
_POSTGRES_PLANNED = (
    "SET LOCAL plan_cache_mode = force_custom_plan",
    "SET LOCAL enable_seqscan = off",
)

# Writing one brief's row, in the transaction that changes the brief.
_DELETE_ROW = {
    "sqlite": portable("DELETE FROM brief_search WHERE rowid = ?"),
    "postgresql": portable("DELETE FROM brief_search WHERE brief_id = ?"),
}
_INDEX_ROW = {
    "sqlite": portable(INDEX_ROWS + " AND b.id = ?"),
    "postgresql": portable(postgres_index_rows("AND b.id = ?")),
}


def query_words(text: str) -> list[str]:
    """The words searched for: the first QUERY_WORDS of the first QUERY_CHARS characters,
    split where the index splits."""
    return WORD.findall(text[:QUERY_CHARS].translate(_SEPARATE))[:QUERY_WORDS]


def phrases(words: Sequence[str]) -> list[str]:
    """Each word as an FTS5 string, the last as a prefix. A word has no `"` (WORD matches
    none), so it needs no escaping inside its quotes."""
    quoted = [f'"{word}"' for word in words]
    if quoted:
        quoted[-1] += "*"
    return quoted


def match_expression(words: Sequence[str]) -> str | None:
    """The FTS5 query for a reader's words, or None when there is no word to look for."""
    return " ".join(phrases(words)) or None


def hits(rows: Sequence[Sequence[Any]], words: Sequence[str]) -> list[SearchHit]:
    """Rows of (id, title, published_at, the five indexed columns) as hits with snippets."""
    return [
        SearchHit(
            id=int(r[0]),
            title=str(r[1]),
            published_at=from_db(r[2]),
            snippet=snippet([str(column or "") for column in r[3:]], words),
        )
        for r in rows
    ]


class SearchRepo:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def index_in(self, tx: SqlTx, brief_id: int) -> None:
        """Make the brief's row match its current version (none if withdrawn), in `tx`
        (storage.briefs.Index)."""
        await tx.write(_DELETE_ROW[self._sql.dialect], (brief_id,))
        await tx.write(_INDEX_ROW[self._sql.dialect], (brief_id,))

    async def search(self, text: str, *, limit: int = 5, offset: int = 0) -> list[SearchHit]:
        """The live briefs matching every word, best first, from the `offset`th; [] when
        the text has no word."""
        words = query_words(text)
        if not words:
            return []
        alone = len(words) == 1 and len(words[0]) == 1
        if self._sql.dialect == "postgresql":
            rows = await self._on_postgresql(words, limit, offset, placed=not alone)
        else:
            match = match_expression(words)
            if alone:
                rows = await self._sql.fetch_all(_SQLITE_NEWEST, (match, limit, offset))
            else:
                params = (match, match, match, limit, offset)
                rows = await self._sql.fetch_all(_SQLITE_PLACED, params)
        return hits(rows, words)

    async def _on_postgresql(
        self, words: list[str], limit: int, offset: int, *, placed: bool
    ) -> list[Any]:
        last, letters = len(words), PREFIX_LETTERS
        async with self._sql.transaction() as tx:
            row = await tx.fetch_one(_POSTGRES_QUERY, (words, last, letters, last, letters))
            if row is None or row[0] is None:  # no word left once folded and cleaned
                return []
            query, probe = row
            low = await tx.fetch_one(_POSTGRES_LOW, (RECENT,))
            assert low is not None, "an aggregate gives one row"
            for setting in _POSTGRES_PLANNED:
                await tx.write(setting)
            return await tx.fetch_all(
                _POSTGRES_SEARCH, _search_parameters(query, probe, low[0], limit, offset, placed)
            )


def _search_parameters(
    query: str, probe: str, low: int, limit: int, offset: int, placed: bool
) -> tuple[Any, ...]:
    """_POSTGRES_SEARCH's parameters, in the order its comment gives."""
    page = (limit, offset)
    near = (probe, low, NEAR, low, query, *page)
    far = (probe, low, NEAR, query, *page)
    return (low, query, *near, *far, placed, query, placed, query, *page)
