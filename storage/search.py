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
still typing expects. On PostgreSQL a brief's words are indexed with their stems in its
language (storage/search_index.py), and a reader's, whose language is unknown, looked
for by their stems in each such language too: "voting" finds "votes", "бюджету" "бюджет".

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
    ID_BLOCK,
    INDEX_ROWS,
    PREFIX_LETTERS,
    STEMMERS,
    stemmed_index_rows,
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
# A Russian word's spellings with yo searched on SQLite (spellings()): yo stands once in a
# word, and few words have more than six ye.
YO_SPELLINGS = 6
_YE, _YO = "\u0435\u0415", "\u0451"  # Cyrillic ye, YE; yo
_AS_YE = str.maketrans({"\u0451": "\u0435", "\u0401": "\u0415"})
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
# matches; reading a brief's words costs more here, so the window is of briefs).
RECENT = 500
# How many briefs older than those are searched first, when they hold less than the page:
# at most one block of ids, so that they are among two blocks at most.
NEAR = ID_BLOCK
# From the words (a text[], the last one's position given), the tsqueries of what a found
# brief holds, the last word a prefix (`:*`), and of what the GIN index is asked for: the
# same words, but the last as the index's word for its first letters, up to the number
# given ("ce*" for "ce", "strength*" for "strengthen"). Given to the index, `'ce':*` has
# it merge the entries of every word starting with ce (45 ms at 100,000 briefs), where
# "ce*" is one entry it skips through. A word the cleaning splits in two (a phrase, its
# halves side by side) is asked of the index as both halves: the index keeps no positions.
# Each word may match as any of its stems (the configurations given, in the query and in
# what the index is asked alike) that differ from it and, for the last word, that it does
# not start, which its prefix finds; a word the cleaning splits has none (the index keeps
# a stem without positions). A word's lexemes and stems, cleaned of all but letters and
# digits, hold no quote, so the text built from them is a valid tsquery whatever the word
# was. Then the stems, for the snippets; the oldest of the newest RECENT briefs (0 when
# there are fewer), and what the index is asked for among the NEAR briefs just older: the
# same, in the blocks of ids they are among. And, for the rest of this transaction only,
# how the search is planned: it is a cached statement (prepared once per connection),
# which PostgreSQL would otherwise switch to one generic plan after five runs; no plan
# reads the whole table; and none is compiled (JIT) or shared out to worker processes,
# which the planner does for plans it costs above a threshold (as the index's COST makes
# some) and which take longer to start than the search takes. One statement for all of
# it, so that a search makes four round trips to the server.
_POSTGRES_QUERY = portable(rf"""
WITH cleaned AS (
    SELECT n, c, phraseto_tsquery('simple', c)::text AS q
      FROM unnest(?::text[]) WITH ORDINALITY AS words (w, n), briefbot_clean(w) AS c
),
given AS (
    SELECT n, q, CASE WHEN q ~ '<' THEN '{{}}' ELSE ARRAY(
               SELECT DISTINCT s
                 FROM unnest(?::text[]::regconfig[]) AS stemmer,
                      unnest(tsvector_to_array(to_tsvector(stemmer, c))) AS s
                WHERE '''' || s || '''' <> q AND (n <> ? OR NOT starts_with(s, btrim(q, '''')))
           ) END AS stems
      FROM cleaned
),
terms AS (
    SELECT CASE WHEN n <> ? THEN q ELSE q || ':*' END || alternatives AS term,
           regexp_replace(
               CASE WHEN n <> ? THEN q
                    ELSE regexp_replace(q, '''([^'']{{1,' || ?::integer || '}})[^'']*''$',
                                        '''\1*''')
                    END,
               '<[-0-9]+>', '&', 'g') || alternatives AS probe
      FROM given,
           LATERAL (SELECT coalesce(string_agg(' | ''' || s || '''', ''), '') AS alternatives
                      FROM unnest(stems) AS s) AS stemmed
     WHERE q <> ''
),
asked AS (
    SELECT string_agg('(' || term || ')', ' & ')::tsquery AS query,
           string_agg('(' || probe || ')', ' & ')::tsquery AS probe,
           ARRAY(SELECT unnest(stems) FROM given) AS stems
      FROM terms
),
newest AS (
    SELECT coalesce(min(brief_id), 0) AS low
      FROM (SELECT brief_id FROM brief_search ORDER BY brief_id DESC LIMIT ?) AS newest
)
SELECT query::text, probe::text, low, stems,
       (probe && format('%L | %L', '#' || (low - 1) / {ID_BLOCK},
                        '#' || (low - ?::bigint) / {ID_BLOCK})::tsquery)::text,
       set_config('plan_cache_mode', 'force_custom_plan', true),
       set_config('enable_seqscan', 'off', true),
       set_config('jit', 'off', true),
       set_config('max_parallel_workers_per_gather', '0', true)
  FROM asked, newest
""")
# Which briefs are read is fixed here, not left to the planner: it cannot tell a word in
# 4% of briefs (reading the newest backwards until 1,000 match reads 22,000 of them, 170
# ms at 100,000 briefs) from one in all (the GIN index then gives every one, 250 ms). The
# newest RECENT briefs are read and filtered (half a millisecond: their words are in the
# row, two briefs to a page). Only when they hold less than the page are older ones
# searched, and always through the GIN index (the planner counts briefbot_lexemes' COST
# for each brief it would read instead, storage/search_index.py): first the NEAR briefs
# just older, which the index finds among their blocks of ids whatever the planner
# guesses of the words' frequencies, then the rest. What the index finds holds every word
# (the last one's letters past the index's prefixes aside, which the row's words then
# check); only ids are sorted, and the page's rows read again for their title and summary
# words. `brief_id + 0` where no index should serve. Parameters, in order: the oldest of
# the newest briefs and the query; then twice what the GIN index is asked (among the
# blocks the first time), the query, the oldest of the newest and NEAR (and the oldest of
# the newest again the first time), limit and offset; then twice whether to place title
# and summary matches first (not for one letter alone) and the query; limit and offset.
_POSTGRES_SEARCH = portable(f"""
WITH recent AS MATERIALIZED (
    SELECT brief_id AS id, title_words, summary_words FROM brief_search
     WHERE brief_id >= ? AND document @@ ?::tsquery
),
near AS MATERIALIZED (
    SELECT brief_id AS id FROM brief_search
     WHERE briefbot_lexemes(document, brief_id) @@ ?::tsquery AND document @@ ?::tsquery
       AND brief_id >= ? - ?::bigint AND brief_id < ?
     ORDER BY brief_id + 0 DESC
     LIMIT greatest(0, ?::integer + ?::integer - (SELECT count(*) FROM recent))
),
far AS MATERIALIZED (
    SELECT brief_id AS id FROM brief_search
     WHERE briefbot_lexemes(document, brief_id) @@ ?::tsquery AND document @@ ?::tsquery
       AND brief_id + 0 < ? - ?::bigint
     ORDER BY brief_id + 0 DESC
     LIMIT greatest(0, ?::integer + ?::integer - (SELECT count(*) FROM recent)
                       - (SELECT count(*) FROM near))
),
found AS (
    SELECT id, title_words, summary_words FROM recent
    UNION ALL
    SELECT s.brief_id, s.title_words, s.summary_words
      FROM (SELECT id FROM near UNION ALL SELECT id FROM far) AS older
      JOIN brief_search AS s ON s.brief_id = older.id
),
best AS (
    SELECT id, CASE WHEN ?::boolean AND title_words @@ ?::tsquery THEN -10 ELSE 0 END
             + CASE WHEN ?::boolean AND summary_words @@ ?::tsquery THEN -4 ELSE 0 END
               AS score
      FROM found
     ORDER BY score, id DESC LIMIT ? OFFSET ?
)
{_HITS.format(key="brief_id")}""")

# Writing one brief's row, in the transaction that changes the brief.
_DELETE_ROW = {
    "sqlite": portable("DELETE FROM brief_search WHERE rowid = ?"),
    "postgresql": portable("DELETE FROM brief_search WHERE brief_id = ?"),
}
_INDEX_ROW = {
    "sqlite": portable(INDEX_ROWS + " AND b.id = ?"),
    "postgresql": portable(stemmed_index_rows("AND b.id = ?")),
}


def query_words(text: str) -> list[str]:
    """The words searched for: the first QUERY_WORDS of the first QUERY_CHARS characters,
    split where the index splits."""
    return WORD.findall(text[:QUERY_CHARS].translate(_SEPARATE))[:QUERY_WORDS]


def spellings(word: str) -> list[str]:
    """The ways a word may be written in the index: Russian writes yo mostly as ye, so a
    word with either is its spelling with ye throughout, then with yo for each ye in turn
    (yo stands once in a word), the first YO_SPELLINGS of them. PostgreSQL's unaccent folds
    yo to ye; SQLite's unicode61 removes the diacritics of Latin letters only."""
    plain = word.translate(_AS_YE)
    places = [n for n, letter in enumerate(plain) if letter in _YE][:YO_SPELLINGS]
    if not places:
        return [word]
    return [plain, *(plain[:n] + _YO + plain[n + 1 :] for n in places)]


def phrases(words: Sequence[str]) -> list[str]:
    """Each word as an FTS5 string, or its spellings as strings one of which must match,
    the last as a prefix. A word has no `"` (WORD matches none), so it needs no escaping
    inside its quotes."""
    quoted: list[str] = []
    for n, word in enumerate(words):
        star = "*" if n == len(words) - 1 else ""
        forms = [f'"{form}"{star}' for form in spellings(word)]
        quoted.append(forms[0] if len(forms) == 1 else f"({' OR '.join(forms)})")
    return quoted


def match_expression(words: Sequence[str]) -> str | None:
    """The FTS5 query for a reader's words, or None when there is no word to look for."""
    return " AND ".join(phrases(words)) or None


def hits(
    rows: Sequence[Sequence[Any]], words: Sequence[str], stems: Sequence[str] = ()
) -> list[SearchHit]:
    """Rows of (id, title, published_at, the five indexed columns) as hits with snippets."""
    return [
        SearchHit(
            id=int(r[0]),
            title=str(r[1]),
            published_at=from_db(r[2]),
            snippet=snippet([str(column or "") for column in r[3:]], words, stems),
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
        stems: list[str] = []
        if self._sql.dialect == "postgresql":
            rows, stems = await self._on_postgresql(words, limit, offset, placed=not alone)
        else:
            match = match_expression(words)
            if alone:
                rows = await self._sql.fetch_all(_SQLITE_NEWEST, (match, limit, offset))
            else:
                params = (match, match, match, limit, offset)
                rows = await self._sql.fetch_all(_SQLITE_PLACED, params)
        return hits(rows, words, stems)

    async def _on_postgresql(
        self, words: list[str], limit: int, offset: int, *, placed: bool
    ) -> tuple[list[Any], list[str]]:
        """The rows found, and the stems the words were looked for by too (snippets)."""
        last = len(words)
        stemmers = sorted(set(STEMMERS.values()))
        asked = (words, stemmers, last, last, last, PREFIX_LETTERS, RECENT, NEAR)
        async with self._sql.transaction() as tx:
            row = await tx.fetch_one(_POSTGRES_QUERY, asked)
            assert row is not None, "an aggregate gives one row"
            if row[0] is None:  # no word left once folded and cleaned
                return [], []
            query, probe, low, stems, probe_near = row[0], row[1], row[2], row[3], row[4]
            rows = await tx.fetch_all(
                _POSTGRES_SEARCH,
                _search_parameters(query, (probe_near, probe), low, limit, offset, placed),
            )
            return rows, list(stems)


def _search_parameters(
    query: str, probes: tuple[str, str], low: int, limit: int, offset: int, placed: bool
) -> tuple[Any, ...]:
    """_POSTGRES_SEARCH's parameters, in the order its comment gives: `probes` are what
    the GIN index is asked among the nearer briefs, then among the rest."""
    page = (limit, offset)
    near = (probes[0], query, low, NEAR, low, *page)
    far = (probes[1], query, low, NEAR, *page)
    return (low, query, *near, *far, placed, query, placed, query, *page)
