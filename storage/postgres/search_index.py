"""The PostgreSQL search index's rows: the text each holds and its words.

Kept apart from storage/postgres/search.py (which queries the index) so that migrations
can fill the index without importing the queries, as storage/search_index.py on SQLite.

A word's prefixes of one to PREFIX_LETTERS letters are in the index as words of their own,
marked with a `*` no folded word has ("ce*" for "ceasefire"), as SQLite's index holds
prefixes: a reader still typing "ce" is then searched for one entry of the GIN index,
which it can skip through beside the other words' entries, not the merge of every word
starting with ce that `'ce':*` asks of it (45 ms at 100,000 briefs). Longer prefixes
start few words and are searched with `:*`.
"""

from __future__ import annotations

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


def index_rows(where: str = "") -> str:
    """The search rows of the live briefs' current versions, `where` narrowing them (a
    constant of this package): migration 12 fills the index with it, storage/postgres/
    search.py rewrites one brief's row with it. The title's words and the summary's are
    kept apart too, small enough to test without reading the whole document (storage/
    postgres/search.py ranks by them). Changing it needs a migration that fills the index
    again."""
    return f"""
INSERT INTO brief_search (brief_id, title, summary, facts, sources, narratives, document,
                          title_words, summary_words)
SELECT id, title, summary, facts, sources, narratives,
       title_words || summary_words || briefbot_prefixed(facts || ' ' || narratives)
       || briefbot_prefixed(sources),
       title_words, summary_words
  FROM (SELECT b.id, v.title, v.summary,
               coalesce((SELECT string_agg(f.text, E'\\n' ORDER BY f.position)
                           FROM facts AS f WHERE f.version_id = v.id), '') AS facts,
               coalesce((SELECT string_agg(s.name || coalesce(' ' || s.url, ''), E'\\n'
                                           ORDER BY s.position)
                           FROM sources AS s WHERE s.version_id = v.id), '') AS sources,
               coalesce((SELECT string_agg(n.label || ' ' || n.outlet || ' ' || n.text, E'\\n'
                                           ORDER BY n.position)
                           FROM narratives AS n WHERE n.version_id = v.id), '') AS narratives
          FROM briefs AS b
          JOIN brief_versions AS v ON v.brief_id = b.id AND v.number = b.current_version
         WHERE b.retracted_at IS NULL {where}) AS live,
       LATERAL (SELECT briefbot_prefixed(title) AS title_words,
                       briefbot_prefixed(summary) AS summary_words) AS words
"""
