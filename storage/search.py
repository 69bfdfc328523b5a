"""Full-text search over the briefs readers can see, with SQLite FTS5.

One row per live brief (rowid = brief id) holds the text of its current version, column
by column, so titles can weigh more than facts. Diacritics are ignored (`remove_diacritics
2`: "Kyïv" finds "Kyiv"). The row is written in the same transaction as the publication
or correction that changes the brief, and deleted with its withdrawal, so a search never
finds what a reader could not open.

A reader's words are never handed to FTS5's query language: each becomes a quoted string
(so `NEAR`, `AND`, `*`, `"` and `title:` are only words), all must match, and the last one
matches as a prefix, as a reader still typing expects.
"""

from __future__ import annotations

import re

import aiosqlite

from storage.db import Database, from_db
from storage.migrations import INDEX_ROWS
from storage.models import SearchHit

# bm25 weights, in column order: a word in the title counts most, then the summary.
_WEIGHTS = "10.0, 4.0, 1.0, 0.5, 1.0"
# Around each match in the snippet; the brief format refuses control characters, so these
# never occur in a brief's text, and the template turns them into bold after escaping.
MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_TOKENS = 12
# A reader's query beyond these is not read: no one searches with more.
QUERY_CHARS = 200
QUERY_WORDS = 12
_WORD = re.compile(r"\w+")
_SEARCH = f"""
SELECT s.rowid, v.title, b.published_at,
       snippet(brief_search, -1, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_TOKENS})
  FROM brief_search AS s
  JOIN briefs AS b ON b.id = s.rowid
  JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
 WHERE brief_search MATCH ?
 ORDER BY bm25(brief_search, {_WEIGHTS}), b.id DESC
 LIMIT ?
"""


def match_expression(text: str) -> str | None:
    """The FTS5 query for a reader's words, or None when there is no word to look for."""
    words = _WORD.findall(text[:QUERY_CHARS])[:QUERY_WORDS]
    if not words:
        return None
    # \w never matches `"`, so a word needs no escaping inside its quotes.
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

    async def search(self, text: str, *, limit: int = 5) -> list[SearchHit]:
        """The live briefs matching every word, best first; [] when there is no word."""
        expression = match_expression(text)
        if expression is None:
            return []
        rows = await self._db.fetch_all(_SEARCH, (expression, limit))
        return [
            SearchHit(id=int(r[0]), title=str(r[1]), published_at=from_db(r[2]), snippet=str(r[3]))
            for r in rows
        ]
