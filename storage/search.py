"""Full-text search over the briefs readers can see, with SQLite FTS5.

One row per live brief (rowid = brief id) holds the text of its current version, column
by column, so titles can weigh more than facts. Diacritics are ignored (`remove_diacritics
2`: "Kyïv" finds "Kyiv"), and prefixes of one to eight letters are indexed, so a word
still being typed is found fast. The row is written in the same transaction as the
publication or correction that changes the brief, and deleted with its withdrawal, so a
search never finds what a reader could not open.

A reader's words are never handed to FTS5's query language: each becomes a quoted string
(so `NEAR`, `AND`, `*`, `"` and `title:` are only words), all must match, and the last one
matches as a prefix, as a reader still typing expects.

Ranking is over the newest CANDIDATES matching briefs: for news, the best of the latest
thousand is the answer wanted. Briefs with every word in the title come first, then those
with every word in the summary, each newest first. The index keeps which columns hold a
word, not where in them (`detail = column`), and that is why: what a search costs is
reading the newest matches backwards, bounded by the window, never counting a word over
the whole index as bm25 must (17-35 ms for "of the" at 100,000 briefs), nor walking a
common prefix's positions across every brief (10 ms for "t" after two rarer words). The
index is smaller for it, eight prefix lengths included. Snippets are made in Python
(storage/snippets.py), so no position is ever needed. A one-letter word alone lists the
newest briefs with a word starting with it, as the newest are listed before a reader
types.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import aiosqlite

from storage.db import Database, from_db
from storage.models import SearchHit
from storage.search_index import APOSTROPHE_LETTERS, INDEX_ROWS
from storage.snippets import snippet

CANDIDATES = 1000
# A reader's query beyond these is not read: no one searches with more.
QUERY_CHARS = 200
QUERY_WORDS = 12
# As FTS5's unicode61 tokenizer splits text: letters and digits; `_` and the apostrophe
# letters (storage/search_index.py) separate. Each word is then one token of the index, as
# it must be: with `detail = column` a quoted string of two tokens is a phrase, which FTS5
# refuses (tests/storage/test_search_text.py checks every letter and digit).
WORD = re.compile(r"[^\W_]+")
_SEPARATE = str.maketrans(dict.fromkeys(APOSTROPHE_LETTERS, " "))
# The snippet is made here rather than by FTS5's snippet(), which needs every position.
_HITS = """
SELECT best.id, v.title, b.published_at, s.title, s.summary, s.facts, s.narratives, s.sources
  FROM best
  JOIN brief_search AS s ON s.rowid = best.id
  JOIN briefs AS b ON b.id = best.id
  JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
 ORDER BY best.score, best.id DESC
"""
# The newest briefs matching every word (?1), materialized (as what is built on them) so
# that FTS5 runs each query once, not once per row.
_CANDIDATES = f"""
WITH candidates AS MATERIALIZED (
    SELECT rowid AS id FROM brief_search WHERE brief_search MATCH ?1
     ORDER BY rowid DESC LIMIT {CANDIDATES}
),"""
# The candidates, those with every word in the title first, then those with them in the
# summary, newest first; a brief with them in both comes before either.
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
     GROUP BY c.id ORDER BY score, c.id DESC LIMIT ?2 OFFSET ?3
)
{_HITS}"""
# Only a one-letter word: the newest briefs with a word starting with it, as the newest
# are listed before a reader types.
_NEWEST = f"""
WITH best AS (
    SELECT rowid AS id, 0 AS score FROM brief_search WHERE brief_search MATCH ?1
     ORDER BY rowid DESC LIMIT ?2 OFFSET ?3
)
{_HITS}"""


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
        alone = len(words) == 1 and len(words[0]) == 1
        statement = _NEWEST if alone else _PLACED
        rows = await self._db.fetch_all(statement, (match_expression(words), limit, offset))
        return hits(rows, words)
