"""The search index's definition on both engines: the text it holds and how it splits
words (SQLite's FTS5 table, PostgreSQL's rows of tsvectors).

Kept apart from storage/search.py (which queries the index) so that the migrations can
build and fill the index without importing the queries.

On PostgreSQL the GIN index holds each brief's words and every word's prefixes of one to
PREFIX_LETTERS letters, as SQLite's index holds prefixes of one to eight, each prefix a
word of its own marked with a `*` no folded word has ("ce*" for "ceasefire"): a reader
still typing "ce" is searched for one entry of the index, which it skips through beside
the other words' entries, not the merge of every word starting with ce that `'ce':*` asks
of it (45 ms at 100,000 briefs). The prefixes are in the index only, not in the row, whose
words stay small enough to be read in place (storage/search.py reads them for the newest
briefs).
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

# Migration 12's words and prefixes of one to three letters, in the row's columns: kept as
# it was, as migration 12 must be. Migration 13 drops it.
PREFIXED_FUNCTION = """
CREATE FUNCTION briefbot_prefixed(t text) RETURNS tsvector LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT w || array_to_tsvector(ARRAY(
                 SELECT DISTINCT left(u.lexeme, n) || '*'
                   FROM unnest(w) AS u, generate_series(1, 3) AS n
                  WHERE length(u.lexeme) >= n))
            FROM briefbot_words(t) AS w $$
"""

# The longest prefix the GIN index holds as a word of its own (as SQLite's `prefix`). A
# last word of up to this many letters is looked up as one entry; a longer one by its
# first PREFIX_LETTERS letters, which start few words, and the row then checks the rest.
PREFIX_LETTERS = 8

# The index also knows which ID_BLOCK ids a brief's id is among ("#19" for 95,000 to
# 99,999), as a word of its own, so that the search can ask it for the matches among the
# briefs just older than the newest (storage/search.py) and have it skip the rest itself,
# whichever plan the planner makes of it.
ID_BLOCK = 5000

# What the GIN index holds for a row's words and id (migration 13): the words, without
# their positions, their prefixes and the id's block. Immutable, as an index's expression
# must be: a function of its arguments alone. PL/pgSQL, so that the planner never inlines
# it and heeds its COST: computed for a row it takes about half a millisecond, as long as
# a search should, so a plan that reads briefs one by one to compute it (rather than ask
# the index) must look as costly as it is. Changing it needs a migration that builds the
# index again.
LEXEMES_FUNCTION = f"""
CREATE FUNCTION briefbot_lexemes(words tsvector, id bigint) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 5000 AS $$
DECLARE
    lexemes text[] := tsvector_to_array(words);
BEGIN
    RETURN array_to_tsvector(
        lexemes
        || ARRAY(SELECT left(w, n) || '*'
                   FROM unnest(lexemes) AS w,
                        generate_series(1, least(length(w), {PREFIX_LETTERS})) AS n)
        || ('#' || (id / {ID_BLOCK})));
END $$
"""

# The GIN index (migration 13), built after the rows are written. Written straight to the
# index as each brief is published (fastupdate off): a pending list would be read whole by
# every search until the next vacuum.
LEXEMES_INDEX = """
CREATE INDEX brief_search_lexemes ON brief_search
    USING gin (briefbot_lexemes(document, brief_id)) WITH (fastupdate = off)
"""


def postgres_index_rows(
    where: str = "", words: str = "briefbot_words", *, by_language: bool = False
) -> str:
    """The search rows of the live briefs' current versions, `where` narrowing them (a
    constant of this package): migrations 13 and 14 fill the index with it. The title's
    words and the summary's are kept apart too, small enough to test without reading the
    whole document (storage/search.py ranks by them). `words` is the function that makes
    a text's words: migration 12's had the prefixes in the row (briefbot_prefixed); from
    14 it is given the version's language too (`by_language`: briefbot_indexed, STEMS_FUNCTIONS).
    Changing it needs a migration that fills the index again."""
    language = ", v.language" if by_language else ""

    def of(column: str) -> str:
        return f"{words}({column}, language)" if by_language else f"{words}({column})"

    return f"""
INSERT INTO brief_search (brief_id, title, summary, facts, sources, narratives, document,
                          title_words, summary_words)
SELECT id, title, summary, facts, sources, narratives,
       title_words || summary_words || {of("facts || ' ' || narratives")}
       || {of("sources")},
       title_words, summary_words
  FROM (SELECT b.id, v.title, v.summary{language},
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
       LATERAL (SELECT {of("title")} AS title_words,
                       {of("summary")} AS summary_words) AS words
"""


# Migration 13 on PostgreSQL (storage/postgres/schema.py): the prefixes, of one to eight
# letters now, in the GIN index only, not in the row, and the row's words kept in its page,
# not in the TOAST table (the search reads them for the newest briefs: a page for two
# briefs, where it read four pages for each). The rows written again, then the index.
POSTGRES_SEARCH_V3: tuple[str, ...] = (
    "DROP INDEX brief_search_document",
    "TRUNCATE brief_search",
    """
    ALTER TABLE brief_search ALTER COLUMN document SET STORAGE MAIN,
                             ALTER COLUMN title_words SET STORAGE MAIN,
                             ALTER COLUMN summary_words SET STORAGE MAIN
    """,
    "DROP FUNCTION briefbot_prefixed",
    LEXEMES_FUNCTION,
    postgres_index_rows(),
    LEXEMES_INDEX,
    "ANALYZE brief_search",
)


def stemmed_index_rows(where: str = "") -> str:
    """postgres_index_rows as from migration 14 (storage/search.py writes a brief's row
    with it): each text's words with their stems in the brief's language."""
    return postgres_index_rows(where, "briefbot_indexed", by_language=True)


# The search rows of every live brief written into the empty table, and only then the GIN
# index built over them (migration 14, `briefbot copy-db`): several times faster than
# writing each row through the index.
POSTGRES_REFILL: tuple[str, ...] = (
    "DROP INDEX brief_search_lexemes",
    stemmed_index_rows(),
    LEXEMES_INDEX,
)

# The PostgreSQL text search configuration that stems a brief's words, by its language
# (the language part of Brief.language's tag); a search stems a reader's words in each
# (storage/search.py), as it does not know which language they are in. Ukrainian has no
# configuration in PostgreSQL: its briefs' words are indexed as written (case and
# diacritics folded), as are those of any language not here. Changing it needs a
# migration that fills the index again.
STEMMERS = {"en": "english", "es": "spanish", "ru": "russian"}

_STEMMER_CASES = " ".join(
    f"WHEN '{code}' THEN '{config}'::regconfig" for code, config in STEMMERS.items()
)

# Migration 14: what the index holds of a text in a language: its words, folded and
# cleaned as before, and beside them their stems in the language's configuration that
# differ from them ("vote" for "votes", "carril" for "carriles", "бюджет" for "бюджету"),
# without positions (a search asks no phrase of them) and without the stop words the
# configuration drops (the words themselves keep them). Stemmed once folded, as the
# reader's words are: the stemmers read words without their diacritics alike.
STEMS_FUNCTIONS: tuple[str, ...] = (
    f"""
    CREATE FUNCTION briefbot_stemmer(language text) RETURNS regconfig
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT CASE split_part(language, '-', 1) {_STEMMER_CASES}
                     ELSE 'simple'::regconfig END $$
    """,
    """
    CREATE FUNCTION briefbot_indexed(t text, language text) RETURNS tsvector
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT words || ts_delete(strip(to_tsvector(briefbot_stemmer(language), c)),
                                        tsvector_to_array(words))
                FROM briefbot_clean(t) AS c, to_tsvector('simple', c) AS words $$
    """,
)


# Migration 14 on PostgreSQL: a text's words folded and cleaned by one function,
# briefbot_clean, for the index and for a reader's words alike (storage/search.py), with a
# collation that knows every script. A database made with the C locale (initdb
# --locale=C, a common choice) lowers letters and tells them from other characters in
# ASCII only: no Cyrillic, Greek or Arabic word was lowered, and `[[:alnum:]]` took none
# of their letters for one, so none was indexed or found. There ICU's root collation is
# used; a server without ICU is warned. Then every brief's words indexed with their
# stems in its language (STEMS_FUNCTIONS), the index filled again.
POSTGRES_FOLDING: tuple[str, ...] = (
    """
    DO $$ DECLARE
        serves boolean := lower('Ж') = 'ж' AND 'ж' ~ '^[[:alnum:]]$';
        icu boolean := EXISTS (SELECT FROM pg_collation WHERE collname = 'und-x-icu');
        chosen text := CASE WHEN serves OR NOT icu THEN 'default' ELSE 'und-x-icu' END;
    BEGIN
        IF NOT serves AND NOT icu THEN
            RAISE WARNING 'the database''s locale (%) knows letters in ASCII only, and '
                'the server has no ICU: search will not find words in other scripts',
                current_setting('lc_ctype');
        END IF;
        EXECUTE format(
            'CREATE FUNCTION briefbot_clean(t text) RETURNS text LANGUAGE sql STABLE '
            'PARALLEL SAFE AS %L',
            format('SELECT regexp_replace(lower(briefbot_fold(t) COLLATE %I), %L, %L, %L)',
                   chosen, '[^[:alnum:]]+', ' ', 'g'));
        CREATE OR REPLACE FUNCTION briefbot_words(t text) RETURNS tsvector
            LANGUAGE sql STABLE PARALLEL SAFE
            AS 'SELECT to_tsvector(''simple'', briefbot_clean(t))';
    END $$
    """,
    *STEMS_FUNCTIONS,
    "TRUNCATE brief_search",
    *POSTGRES_REFILL,
    "ANALYZE brief_search",
)
