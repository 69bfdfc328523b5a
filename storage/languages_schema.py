"""Migration 14 on both engines: languages. Each brief version's own language (the
language its structural words are in, brief.model.Brief.language), and each chat's: the
one it chose and the one Telegram last gave for it, so that what is sent without an
update to read them from (the daily push, corrections of pushed copies) is in the chat's
language (storage/languages.py).

A chat's row: `chosen` NULL when it chose none (or cleared its choice), `seen` NULL when
Telegram gave no language_code, `changed_at` when either last changed. No row is the same
as both NULL.
"""

from __future__ import annotations

_VERSION_LANGUAGE = "ALTER TABLE brief_versions ADD COLUMN language TEXT NOT NULL DEFAULT 'en'"

SQLITE_LANGUAGES: tuple[str, ...] = (
    _VERSION_LANGUAGE,
    """
    CREATE TABLE chat_languages (
        chat_id INTEGER PRIMARY KEY,
        chosen TEXT,
        seen TEXT,
        changed_at INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
)

POSTGRES_LANGUAGES: tuple[str, ...] = (
    _VERSION_LANGUAGE,
    """
    CREATE TABLE chat_languages (
        chat_id BIGINT PRIMARY KEY,
        chosen TEXT,
        seen TEXT,
        changed_at BIGINT NOT NULL
    )
    """,
)
