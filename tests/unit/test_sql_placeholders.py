"""The shared SQL layer's one placeholder style (storage/sql.py): `?` rewritten as $n where
it is a parameter, left alone where it is text, and refused where it cannot be placed."""

import re

import pytest

from storage.sql import UnportableSqlError, numbered, portable


def test_each_question_mark_is_numbered_in_order() -> None:
    sql = "UPDATE t SET a = ?, b = ? WHERE c = ? AND d IN (?, ?) LIMIT ?"
    assert numbered(sql) == "UPDATE t SET a = $1, b = $2 WHERE c = $3 AND d IN ($4, $5) LIMIT $6"


def test_a_statement_without_parameters_is_unchanged() -> None:
    assert numbered("SELECT 1") == "SELECT 1"


def test_question_mark_in_a_string_literal_stays() -> None:
    sql = "SELECT id FROM t WHERE title = 'why?' AND id = ?"
    assert numbered(sql) == "SELECT id FROM t WHERE title = 'why?' AND id = $1"


def test_doubled_quote_does_not_end_the_literal() -> None:
    sql = "SELECT 'it''s ?', ? FROM t"
    assert numbered(sql) == "SELECT 'it''s ?', $1 FROM t"


def test_question_mark_in_a_quoted_identifier_stays() -> None:
    assert numbered('SELECT "odd?name" FROM t WHERE id = ?') == (
        'SELECT "odd?name" FROM t WHERE id = $1'
    )


def test_question_marks_in_comments_stay() -> None:
    sql = "SELECT a -- really?\nFROM t /* which? */ WHERE id = ?"
    assert numbered(sql) == "SELECT a -- really?\nFROM t /* which? */ WHERE id = $1"


def test_postgres_cast_is_not_a_named_parameter() -> None:
    assert numbered("SELECT ?::jsonb") == "SELECT $1::jsonb"


def test_postgres_array_types_stay() -> None:
    assert numbered("SELECT x FROM unnest(?::bigint[], ?::text[]) AS x") == (
        "SELECT x FROM unnest($1::bigint[], $2::text[]) AS x"
    )


def test_portable_returns_the_statement_as_written() -> None:
    sql = "SELECT 'a?' FROM t WHERE id = ?"
    assert portable(sql) is sql


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("SELECT * FROM t WHERE a = ?1 AND b = ?1", "numbered parameter"),
        ("SELECT * FROM t WHERE a = ?12", "numbered parameter"),
        ("SELECT * FROM t WHERE a = :chat", "named parameter :name"),
        ("SELECT * FROM t WHERE a = @chat", "named parameter @name"),
        ("SELECT * FROM t WHERE a = $1", "PostgreSQL parameter"),
        ("SELECT * FROM t WHERE a = ? AND b = $2", "PostgreSQL parameter"),
        ("SELECT $$?$$", "dollar quoting"),
        ("SELECT * FROM t WHERE data ? 'key'", "reads as an operator"),
        ("SELECT * FROM t WHERE data->'k' ? 'key'", "after a value"),
        ("SELECT * FROM t WHERE data ?| array['a']", "operator ?|"),
        ("SELECT * FROM t WHERE data ?& array['a']", "operator ?&"),
        ("SELECT * FROM t WHERE a = 'open", "unterminated quoted text"),
        ("SELECT * FROM t /* open", "unterminated comment"),
        ("SELECT * FROM t /* a /* b */ ? */", "nested comment"),
        ("SELECT * FROM t WHERE a = E'\\'?'", "escape string"),
        ("SELECT `a` FROM t WHERE b = ?", "on SQLite only"),
    ],
)
def test_what_cannot_be_rewritten_safely_is_refused(sql: str, why: str) -> None:
    with pytest.raises(UnportableSqlError, match=re.escape(why)):
        portable(sql)
    with pytest.raises(UnportableSqlError, match=re.escape(why)):
        numbered(sql)


def test_the_refusal_says_where() -> None:
    with pytest.raises(UnportableSqlError, match=r"line 2, near .*:chat"):
        portable("SELECT *\nFROM t WHERE a = :chat")
