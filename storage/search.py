"""Full-text search over the briefs readers can see, with SQLite FTS5.

One row per live brief (rowid = brief id) holds the text of its current version, column
by column, so titles can weigh more than facts. Diacritics are ignored (`remove_diacritics
2`: "Kyïv" finds "Kyiv"), and prefixes of one, two and three letters are indexed, so a
word still being typed is found fast. The row is written in the same transaction as the
publication or correction that changes the brief, and deleted with its withdrawal, so a
search never finds what a reader could not open.

A reader's words are never handed to FTS5's query language: each becomes a quoted string
(so `NEAR`, `AND`, `*`, `"` and `title:` are only words), all must match, and the last one
matches as a prefix, as a reader still typing expects.

Ranking is bm25 over the newest CANDIDATES matching briefs: a query of common words that
matches tens of thousands of briefs would otherwise score every one of them. For news, the
best of the latest thousand is the answer wanted. But bm25 first counts, over the whole
index, the briefs holding each word of the query (17-35 ms for "of the" at 100,000 briefs,
however few it then scores), so a word is only ranked by when it is in at most COMMON
briefs, which is counted first, cheaply. Other words filter: a word in most briefs tells
them apart little. With no word left to rank by, title matches come first, then summary
matches, newest first. A one-letter last word (a reader's first keystroke of it) filters
but does not rank either: "every word starting with t" is in nearly every brief. Alone, it
lists the newest briefs with such a word, as the newest are listed before a reader types.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import aiosqlite

from storage.db import Database, from_db
from storage.models import SearchHit
from storage.search_index import APOSTROPHE_LETTERS, INDEX_ROWS
from storage.snippets import snippet

# bm25 weights, in column order: a word in the title counts most, then the summary.
_WEIGHTS = "10.0, 4.0, 1.0, 0.5, 1.0"
CANDIDATES = 1000
# A word in more briefs than this filters but does not rank: bm25 would first count every
# brief holding it (8 ms for a word in all of 100,000 briefs, and a query may have 12);
# counting up to this many costs 0.5 ms, and such a word tells briefs apart little.
COMMON = 5000
# A reader's query beyond these is not read: no one searches with more.
QUERY_CHARS = 200
QUERY_WORDS = 12
# As FTS5's unicode61 tokenizer splits text: letters and digits; `_` and the apostrophe
# letters (storage/search_index.py) separate.
WORD = re.compile(r"[^\W_]+")
_SEPARATE = str.maketrans(dict.fromkeys(APOSTROPHE_LETTERS, " "))
_HITS = """
SELECT best.id, v.title, b.published_at, s.title, s.summary, s.facts, s.narratives, s.sources
  FROM best
  JOIN brief_search AS s ON s.rowid = best.id
  JOIN briefs AS b ON b.id = best.id
  JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
 ORDER BY best.score, best.id DESC
"""
# The snippet is made here rather than by FTS5's snippet(): that needs the match evaluated
# again for each row shown, which doubles the time of a query of common words.
_RANKED = f"""
WITH best AS (
    SELECT id, score FROM (
        SELECT rowid AS id, bm25(brief_search, {_WEIGHTS}) AS score
          FROM brief_search WHERE brief_search MATCH ?1
         ORDER BY rowid DESC LIMIT {CANDIDATES})
     ORDER BY score, id DESC LIMIT ?3 OFFSET ?4
)
{_HITS}"""
# The newest briefs matching every word (?1), materialized (as what is built on them) so
# that FTS5 runs each query once, not once per row.
_CANDIDATES = f"""
WITH candidates AS MATERIALIZED (
    SELECT rowid AS id FROM brief_search WHERE brief_search MATCH ?1
     ORDER BY rowid DESC LIMIT {CANDIDATES}
),"""
# Those scored by bm25 over the words that rank (?2): all but a one-letter last word and
# the common ones.
_FILTERED = f"""{_CANDIDATES}
scored AS MATERIALIZED (
    SELECT rowid AS id, bm25(brief_search, {_WEIGHTS}) AS score
      FROM brief_search
     WHERE brief_search MATCH ?2 AND rowid >= (SELECT min(id) FROM candidates)
),
best AS (
    SELECT id, score FROM scored JOIN candidates USING (id)
     ORDER BY score, id DESC LIMIT ?3 OFFSET ?4
)
{_HITS}"""
# No word to rank by: the newest, those with every word in the title first, then those
# with them in the summary (the weights bm25 gives these columns).
_PLACED = f"""{_CANDIDATES}
placed AS MATERIALIZED (
    SELECT rowid AS id, -10.0 AS score FROM brief_search
     WHERE brief_search MATCH 'title : (' || ?1 || ')'
       AND rowid >= (SELECT min(id) FROM candidates)
    UNION ALL
    SELECT rowid AS id, -4.0 AS score FROM brief_search
     WHERE brief_search MATCH 'summary : (' || ?1 || ')'
       AND rowid >= (SELECT min(id) FROM candidates)
),
best AS (
    SELECT c.id, coalesce(sum(p.score), 0) AS score
      FROM candidates AS c LEFT JOIN placed AS p USING (id)
     GROUP BY c.id ORDER BY score, c.id DESC LIMIT ?3 OFFSET ?4
)
{_HITS}"""
# Only a one-letter word: the newest briefs with a word starting with it, as the newest
# are listed before a reader types (?2 unused).
_NEWEST = f"""
WITH best AS (
    SELECT rowid AS id, 0 AS score FROM brief_search WHERE brief_search MATCH ?1
     ORDER BY rowid DESC LIMIT ?3 OFFSET ?4
)
{_HITS}"""
# How many briefs hold each phrase of ?1 (a JSON array), counting no further than ?2.
_COUNTS = """
SELECT (SELECT count(*) FROM (SELECT 1 FROM brief_search WHERE brief_search MATCH j.value
                               LIMIT ?2))
  FROM json_each(?1) AS j ORDER BY j.key
"""


def query_words(text: str) -> list[str]:
    """The words searched for: the first QUERY_WORDS of the first QUERY_CHARS characters,
    split where the index splits."""
    return WORD.findall(text[:QUERY_CHARS].translate(_SEPARATE))[:QUERY_WORDS]


def short_last(words: Sequence[str]) -> bool:
    """Whether the last word is one letter, found as a prefix but not ranked by."""
    return bool(words) and len(words[-1]) == 1


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


def search_statement(words: Sequence[str], counts: Sequence[int]) -> tuple[str, str, str | None]:
    """The statement for a reader's words, each held by counts[i] briefs (up to past
    COMMON), with its ?1 (every word) and ?2 (the words ranked by, when not all)."""
    quoted = phrases(words)
    last = len(quoted) - 1 if short_last(words) else len(quoted)
    ranked = [p for i, p in enumerate(quoted) if i != last and counts[i] <= COMMON]
    every = " ".join(quoted)
    if last == 0:
        return _NEWEST, every, None
    if len(ranked) == len(quoted):
        return _RANKED, every, None
    return (_FILTERED, every, " ".join(ranked)) if ranked else (_PLACED, every, None)


async def index_in(conn: aiosqlite.Connection, brief_id: int) -> None:
    """Make the brief's row match its current version (none if withdrawn), in the caller's
    transaction."""
    await conn.execute("DELETE FROM brief_search WHERE rowid = ?", (brief_id,))
    await conn.execute(INDEX_ROWS + " AND b.id = ?", (brief_id,))


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
    def __init__(self, db: Database) -> None:
        self._db = db

    async def search(self, text: str, *, limit: int = 5, offset: int = 0) -> list[SearchHit]:
        """The live briefs matching every word, best first, from the `offset`th; [] when
        the text has no word."""
        words = query_words(text)
        if not words:
            return []
        counts = [0]  # a one-letter word alone is not ranked: no need to count
        if not (len(words) == 1 and short_last(words)):
            counted = await self._db.fetch_all(_COUNTS, (json.dumps(phrases(words)), COMMON + 1))
            counts = [int(r[0]) for r in counted]
        statement, every, ranked = search_statement(words, counts)
        rows = await self._db.fetch_all(statement, (every, ranked, limit, offset))
        return hits(rows, words)
