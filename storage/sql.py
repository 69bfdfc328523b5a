"""The SQL layer both engines share: one placeholder style, one call shape, transactions.

A repository whose SQL reads alike on SQLite and PostgreSQL takes a `Sql`: storage.db's
SqliteSql on SQLite, storage.postgres.db.PortableSql on PostgreSQL. Where a statement
truly differs between them, the repository keeps both side by side and picks one by
`Sql.dialect`.

Statements are written with `?` placeholders, one parameter each, in order. On PostgreSQL
each `?` becomes `$1, $2...`; a `?` inside a string literal, a quoted identifier or a
comment is left as it is. What cannot be rewritten safely is refused with
UnportableSqlError, on both engines alike, so a statement that would only break on
PostgreSQL fails on SQLite's tests too: numbered (`?1`) or named (`:name`, `@name`)
parameters, PostgreSQL's own (`$1`) or dollar quoting, a `?` that reads as an operator
(PostgreSQL's JSON `?`, `?|`, `?&`), an unterminated literal or comment. `portable(sql)`
checks a statement at import: repositories wrap their module-level SQL in it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]


class UnportableSqlError(ValueError):
    """A statement the shared layer cannot run alike on both engines (see the module)."""


class SqlTx(Protocol):
    """What a transaction of the shared layer offers: the same calls as Sql, all inside it."""

    async def write(self, sql: str, params: tuple[Any, ...] = ()) -> int: ...
    async def write_returning(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]: ...
    async def fetch_all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]: ...
    async def fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> Any | None: ...
    async def executemany(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None: ...


class Sql(SqlTx, Protocol):
    """What a repository serving both engines needs. Each call outside `transaction()` is
    a statement of its own, committed at once; `executemany` runs all its rows in one
    transaction. Rows are read by position. `now`: the database's clock as a time column
    reads it (storage.db.SQLITE_NOW, storage.postgres.db.POSTGRES_NOW); `dialect`: which
    engine, for the statements that differ."""

    now: str
    dialect: Dialect

    async def fetch_one_shared(self, sql: str, params: tuple[Any, ...] = ()) -> Any | None:
        """fetch_one, where identical reads at the same time may be answered by one query
        (storage.db.Database.fetch_one_shared); a plain fetch_one where they are not."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[SqlTx]:
        """One transaction: committed if the block ends normally, rolled back otherwise
        (a constraint broken inside it is a ConstraintError)."""
        ...


# What the scanner stops at: a literal or quoted identifier, a comment, or a character
# that may be a parameter or part of one. `[` is not among them: SQLite's [name] quoting
# is not used here, and on PostgreSQL it is an array (`?::bigint[]`).
_TOKEN = re.compile(r"""'|"|--|/\*|\?|\$|:|@|`""")
_CLOSE = {"'": "'", '"': '"', "`": "`"}
_NAME_START = re.compile(r"[A-Za-z_]")
# Words after which a `?` is a value (else `x ? 'key'` is PostgreSQL's JSON operator).
_BEFORE_VALUE = frozenset(
    (
        "select", "where", "and", "or", "not", "limit", "offset", "then", "else", "when",
        "values", "set", "by", "in", "is", "like", "between", "case", "returning", "on",
        "as", "distinct", "from", "having", "coalesce", "match",
    )
)  # fmt: skip
_PREVIOUS_WORD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*$")


def _refuse(sql: str, at: int, why: str) -> UnportableSqlError:
    line = sql.count("\n", 0, at) + 1
    snippet = sql[max(0, at - 20) : at + 20].replace("\n", " ")
    return UnportableSqlError(f"{why} (line {line}, near {snippet!r}) in: {sql.strip()[:200]}")


def _skip_quoted(sql: str, start: int, close: str) -> int:
    """The index after the literal or identifier opening at `start` (a doubled closing
    character stands for itself)."""
    at = start + 1
    while True:
        end = sql.find(close, at)
        if end < 0:
            raise _refuse(sql, start, "unterminated quoted text")
        if sql.startswith(close * 2, end):
            at = end + 2
            continue
        return end + 1


def _skip_comment(sql: str, start: int) -> int:
    if sql.startswith("--", start):
        end = sql.find("\n", start)
        return len(sql) if end < 0 else end + 1
    end = sql.find("*/", start + 2)
    if end < 0:
        raise _refuse(sql, start, "unterminated comment")
    if "/*" in sql[start + 2 : end]:
        raise _refuse(sql, start, "nested comment (the engines read it differently)")
    return end + 2


def _check_question(sql: str, at: int) -> None:
    after = sql[at + 1 : at + 2]
    if after.isdigit():
        raise _refuse(sql, at, "numbered parameter ?NNN: write one ? per parameter")
    if after in ("|", "&", "?"):
        raise _refuse(sql, at, f"operator ?{after} (PostgreSQL's JSON): not a parameter")
    word = _PREVIOUS_WORD.search(sql, 0, at)
    if word is not None and word.group(1).lower() not in _BEFORE_VALUE:
        raise _refuse(sql, at, f"a ? after {word.group(1)!r} reads as an operator, not a value")
    if sql[:at].rstrip().endswith((")", "'", '"', "]")):
        raise _refuse(sql, at, "a ? after a value reads as an operator, not a parameter")


def _placeholders(sql: str) -> list[int]:
    """Where each `?` parameter stands; UnportableSqlError for what cannot be placed."""
    found: list[int] = []
    at = 0
    while (match := _TOKEN.search(sql, at)) is not None:
        start, token = match.start(), match.group()
        if token in _CLOSE:
            if token == "`":
                raise _refuse(sql, start, "` quotes names on SQLite only: use double quotes")
            if token == "'" and re.search(r"(?<![A-Za-z0-9_])[Ee]$", sql[:start]):
                raise _refuse(sql, start, "E'' (PostgreSQL's escape string): use a parameter")
            at = _skip_quoted(sql, start, _CLOSE[token])
        elif token in ("--", "/*"):
            at = _skip_comment(sql, start)
        elif token == "?":
            _check_question(sql, start)
            found.append(start)
            at = start + 1
        elif token == "$":
            raise _refuse(sql, start, "$ (a PostgreSQL parameter or dollar quoting): use ?")
        elif token == ":" and sql.startswith("::", start):
            at = start + 2  # PostgreSQL's cast
        elif _NAME_START.match(sql, start + 1):
            raise _refuse(sql, start, f"named parameter {token}name: use ?")
        else:
            at = start + 1
    return found


@functools.lru_cache(maxsize=512)
def portable(sql: str) -> str:
    """`sql` unchanged, once checked to run alike on both engines (UnportableSqlError)."""
    _placeholders(sql)
    return sql


@functools.lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """`sql` with its `?` parameters as PostgreSQL's $1, $2... (UnportableSqlError as
    portable())."""
    pieces: list[str] = []
    last = 0
    for number, at in enumerate(_placeholders(sql), start=1):
        pieces += [sql[last:at], f"${number}"]
        last = at + 1
    pieces.append(sql[last:])
    return "".join(pieces)
