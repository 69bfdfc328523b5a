"""The search index's definition on both engines: the text it holds and how it splits
words (SQLite's FTS5 table, PostgreSQL's rows of tsvectors).

Kept apart from storage/search.py (which queries the index) so that the migrations can
build and fill the index without importing the queries.

On PostgreSQL, a word's prefixes of one to PREFIX_LETTERS letters are in the index as
words of their own, marked with a `*` no folded word has ("ce*" for "ceasefire"), as
SQLite's index holds prefixes: a reader still typing "ce" is then searched for one entry
of the GIN index, which it can skip through beside the other words' entries, not the
merge of every word starting with ce that `'ce':*` asks of it (45 ms at 100,000 briefs).
Longer prefixes start few words and are searched with `:*`.
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

# The longest prefix indexed as a word of its own: the 3 in PREFIXED_FUNCTION below.
PREFIX_LETTERS = 3

# A text's words (storage/postgres/migrations.py's briefbot_words: folded and split as on
# SQLite) and their prefixes, created by migration 12. Changing it needs a migration that
# fills the index again.
PREFIXED_FUNCTION = """
CREATE FUNCTION briefbot_prefixed(t text) RETURNS tsvector LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT w || array_to_tsvector(ARRAY(
                 SELECT DISTINCT left(u.lexeme, n) || '*'
                   FROM unnest(w) AS u, generate_series(1, 3) AS n
                  WHERE length(u.lexeme) >= n))
            FROM briefbot_words(t) AS w $$
"""


def postgres_index_rows(where: str = "") -> str:
    """The search rows of the live briefs' current versions, `where` narrowing them (a
    constant of this package): migration 12 fills the index with it, storage/search.py
    rewrites one brief's row with it. The title's words and the summary's are kept apart
    too, small enough to test without reading the whole document (storage/search.py ranks
    by them). Changing it needs a migration that fills the index again."""
    return f"""
INSERT INTO brief_search (brief_id, title, summary, facts, sources, narratives, document,
                          title_words, summary_words)
SELECT id, title, summary, facts, sources, narratives,
       title_words || summary_words || briefbot_prefixed(facts || ' ' || narratives)
       || briefbot_prefixed(sources),
       title_words, summary_words
  FROM (SELECT b.id, v.title, v.summary,
               coalesce((SELECT string_agg(f.text, chr(10) ORDER BY f.position)
                           FROM facts AS f WHERE f.version_id = v.id), '') AS facts,
               coalesce((SELECT string_agg(s.name || coalesce(' ' || s.url, ''), chr(10)
                                           ORDER BY s.position)
                           FROM sources AS s WHERE s.version_id = v.id), '') AS sources,
               coalesce((SELECT string_agg(n.label || ' ' || n.outlet || ' ' || n.text, chr(10)
                                           ORDER BY n.position)
                           FROM narratives AS n WHERE n.version_id = v.id), '') AS narratives
          FROM briefs AS b
          JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
         WHERE b.retracted_at IS NULL {where}) AS live,
       LATERAL (SELECT briefbot_prefixed(title) AS title_words,
                       briefbot_prefixed(summary) AS summary_words) AS words
"""
