"""Full-text search over the briefs readers can see, with SQLite FTS5.

One row per live brief (rowid = brief id) holds the text of its current version, column
by column, so titles can weigh more than facts. Diacritics are ignored (`remove_diacritics
2`: "Kyïv" finds "Kyiv"), and prefixes of two and three letters are indexed, so a word
still being typed is found fast. The row is written in the same transaction as the
publication or correction that changes the brief, and deleted with its withdrawal, so a
search never finds what a reader could not open.

A reader's words are never handed to FTS5's query language: each becomes a quoted string
(so `NEAR`, `AND`, `*`, `"` and `title:` are only words), all must match, and the last one
matches as a prefix, as a reader still typing expects.

Ranking is bm25 over the newest CANDIDATES matching briefs: a query of common words that
matches tens of thousands of briefs would otherwise score every one of them (over 100 ms
at 100,000 briefs). For news, the best of the latest thousand is the answer wanted.
"""

from __future__ import annotations

import re

import aiosqlite

from storage.db import Database, from_db
from storage.migrations import INDEX_ROWS
from storage.models import SearchHit
from storage.snippets import snippet

# bm25 weights, in column order: a word in the title counts most, then the summary.
_WEIGHTS = "10.0, 4.0, 1.0, 0.5, 1.0"
CANDIDATES = 1000
# A reader's query beyond these is not read: no one searches with more.
QUERY_CHARS = 200
QUERY_WORDS = 12
# As FTS5's unicode61 tokenizer splits text: letters and digits; `_` separates.
WORD = re.compile(r"[^\W_]+")
# The snippet is made here rather than by FTS5's snippet(): that needs the match evaluated
# again for each row shown, which doubles the time of a query of common words.
_SEARCH = f"""
WITH best AS (
    SELECT id, score FROM (
        SELECT rowid AS id, bm25(brief_search, {_WEIGHTS}) AS score
          FROM brief_search WHERE brief_search MATCH ?
         ORDER BY rowid DESC LIMIT {CANDIDATES})
     ORDER BY score, id DESC LIMIT ? OFFSET ?
)
SELECT best.id, v.title, b.published_at, s.title, s.summary, s.facts, s.narratives, s.sources
  FROM best
  JOIN brief_search AS s ON s.rowid = best.id
  JOIN briefs AS b ON b.id = best.id
  JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
 ORDER BY best.score, best.id DESC
"""


def query_words(text: str) -> list[str]:
    """The words searched for: the first QUERY_WORDS of the first QUERY_CHARS characters."""
    return WORD.findall(text[:QUERY_CHARS])[:QUERY_WORDS]


def match_expression(words: list[str]) -> str | None:
    """The FTS5 query for a reader's words, or None when there is no word to look for."""
    if not words:
        return None
    # A word has no `"` (WORD matches none), so it needs no escaping inside its quotes.
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


async def index_in(conn: aiosqlite.Connection, brief_id: int) -> None:
    """Make the brief's row match its current version (none if withdrawn), in the caller's
    transaction."""
    await conn.execute("DELETE FROM brief_search WHERE rowid = ?", (brief_id,))
    await conn.execute(INDEX_ROWS + " AND b.id = ?", (brief_id,))


class SearchRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def search(self, text: str, *, limit: int = 5, offset: int = 0) -> list[SearchHit]:
        """The live briefs matching every word, best first, from the `offset`th; [] when
        the text has no word."""
        words = query_words(text)
        expression = match_expression(words)
        if expression is None:
            return []
        rows = await self._db.fetch_all(_SEARCH, (expression, limit, offset))
        return [
            SearchHit(
                id=int(r[0]),
                title=str(r[1]),
                published_at=from_db(r[2]),
                snippet=snippet([str(column or "") for column in r[3:]], words),
            )
            for r in rows
        ]
