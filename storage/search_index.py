"""The SQLite search index's definition: the text it holds and how it splits words.

Kept apart from storage/search.py (which queries the index) so that storage/migrations.py
can build and rebuild the index without importing the queries.
"""

from __future__ import annotations

# The text of each live brief's current version, by column: migrations 5 and 10 fill the
# index with it, and storage/search.py writes each brief's row with it. Changing it needs
# a new migration that builds the index again.
INDEX_ROWS = """
INSERT INTO brief_search (rowid, title, summary, facts, sources, narratives)
SELECT b.id, v.title, v.summary,
       (SELECT group_concat(f.text, char(10)) FROM facts AS f WHERE f.version_id = v.id),
       (SELECT group_concat(s.name || coalesce(' ' || s.url, ''), char(10))
          FROM sources AS s WHERE s.version_id = v.id),
       (SELECT group_concat(n.label || ' ' || n.outlet || ' ' || n.text, char(10))
          FROM narratives AS n WHERE n.version_id = v.id)
  FROM briefs AS b
  JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
 WHERE b.retracted_at IS NULL
"""

# Letters (Unicode category Lm) that are written as apostrophes: U+02BC, the Ukrainian
# apostrophe (as in the word for meat), U+02BB, the Hawaiian okina, and their look-alikes
# U+02B9, U+02BD and U+02C8. PostgreSQL's unaccent turns each into an ASCII apostrophe,
# which separates words there; here they separate words too, so that the Ukrainian word
# written with U+02BC, with an ASCII apostrophe or with U+2019 is the same two words on
# both engines.
APOSTROPHE_LETTERS = "\u02bc\u02bb\u02b9\u02bd\u02c8"

# 12: the index of migration 5 rebuilt (storage/search.py says why it is built so):
# apostrophe letters separate words; prefixes of one to eight letters are indexed, so a
# word being typed reads one entry, not the merged entries of every word it starts (580 ms
# for "t" at 100,000 briefs without it, 0.1 ms with it; 25 ms for "north"); and the index
# keeps the columns that hold a word, not its positions (`detail = column`).
SEARCH_V3: tuple[str, ...] = (
    "DROP TABLE brief_search",
    f"""
    CREATE VIRTUAL TABLE brief_search USING fts5 (
        title, summary, facts, sources, narratives,
        tokenize = "unicode61 remove_diacritics 2 separators '{APOSTROPHE_LETTERS}'",
        prefix = '1 2 3 4 5 6 7 8',
        detail = column
    )
    """,
    INDEX_ROWS,
)
