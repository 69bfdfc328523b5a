"""The PostgreSQL search index's rows: the text each holds and its words, by weight.

Kept apart from storage/postgres/search.py (which queries the index) so that migrations
can fill the index without importing the queries, as storage/search_index.py on SQLite.
"""

from __future__ import annotations


def index_rows(where: str = "") -> str:
    """The search rows of the live briefs' current versions, `where` narrowing them (a
    constant of this package): migration 12 fills the index with it, storage/postgres/
    search.py rewrites one brief's row with it. Weights A-D: title, summary, facts and
    narratives, sources; `heading` holds the title's and summary's words alone, small
    enough to test without reading the whole document (storage/postgres/search.py ranks
    by it). Changing it needs a migration that fills the index again."""
    return f"""
INSERT INTO brief_search (brief_id, title, summary, facts, sources, narratives, document,
                          heading)
SELECT id, title, summary, facts, sources, narratives,
       heading || setweight(briefbot_words(facts || ' ' || narratives), 'C')
       || setweight(briefbot_words(sources), 'D'),
       heading
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
       LATERAL (SELECT setweight(briefbot_words(title), 'A')
                       || setweight(briefbot_words(summary), 'B') AS heading) AS words
"""
