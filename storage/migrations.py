"""The schema, as an ordered list of migrations.

`PRAGMA user_version` holds how many migrations a database has had. Opening a database
applies the missing ones in order, each in its own transaction together with its
user_version bump, so a crash leaves the file at a version, never between two.
Never edit a released migration: append a new one.
"""

from __future__ import annotations

from collections.abc import Sequence

import aiosqlite

from storage.audio_schema import SQLITE_AUDIO, SQLITE_DRAFT_RECORDINGS
from storage.errors import SchemaTooNewError
from storage.languages_schema import SQLITE_LANGUAGES
from storage.matrix_schema import SQLITE_MATRIX
from storage.search_index import INDEX_ROWS, SEARCH_V3

Migration = tuple[str, ...]

# 1: briefs, their versions and contents, the audit trail, what each reader last opened.
_CORE: Migration = (
    """
    CREATE TABLE briefs (
        id INTEGER PRIMARY KEY,
        published_at INTEGER NOT NULL,
        retracted_at INTEGER,
        current_version INTEGER NOT NULL,
        FOREIGN KEY (id, current_version) REFERENCES brief_versions (brief_id, number)
            DEFERRABLE INITIALLY DEFERRED
    )
    """,
    "CREATE INDEX briefs_live ON briefs (published_at, id) WHERE retracted_at IS NULL",
    """
    CREATE TABLE brief_versions (
        id INTEGER PRIMARY KEY,
        brief_id INTEGER NOT NULL REFERENCES briefs (id),
        number INTEGER NOT NULL CHECK (number >= 1),
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by INTEGER,
        UNIQUE (brief_id, number)
    )
    """,
    """
    CREATE TABLE sources (
        version_id INTEGER NOT NULL REFERENCES brief_versions (id),
        number INTEGER NOT NULL,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        url TEXT,
        PRIMARY KEY (version_id, number),
        UNIQUE (version_id, position)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE facts (
        version_id INTEGER NOT NULL REFERENCES brief_versions (id),
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (version_id, position)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE fact_citations (
        version_id INTEGER NOT NULL,
        fact_position INTEGER NOT NULL,
        position INTEGER NOT NULL,
        source_number INTEGER NOT NULL,
        PRIMARY KEY (version_id, fact_position, position),
        FOREIGN KEY (version_id, fact_position) REFERENCES facts (version_id, position),
        FOREIGN KEY (version_id, source_number) REFERENCES sources (version_id, number)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE narratives (
        version_id INTEGER NOT NULL REFERENCES brief_versions (id),
        position INTEGER NOT NULL,
        label TEXT NOT NULL,
        outlet TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (version_id, position)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        brief_id INTEGER NOT NULL REFERENCES briefs (id),
        action TEXT NOT NULL CHECK (action IN ('publish', 'correct', 'retract')),
        actor INTEGER,
        at INTEGER NOT NULL,
        version INTEGER
    )
    """,
    "CREATE INDEX audit_by_brief ON audit (brief_id, id)",
    """
    CREATE TABLE readers (
        user_id INTEGER PRIMARY KEY,
        brief_id INTEGER NOT NULL REFERENCES briefs (id),
        updated_at INTEGER NOT NULL
    )
    """,
)

# 2: subscriptions, the exactly-once delivery record, push runs.
_DELIVERY: Migration = (
    """
    CREATE TABLE subscribers (
        chat_id INTEGER PRIMARY KEY,
        delivery_time TEXT NOT NULL CHECK (delivery_time GLOB '[0-2][0-9]:[0-5][0-9]'),
        timezone TEXT NOT NULL,
        active INTEGER NOT NULL CHECK (active IN (0, 1)),
        blocked INTEGER NOT NULL CHECK (blocked IN (0, 1)),
        subscribed_at INTEGER NOT NULL,
        next_due_at INTEGER NOT NULL,
        last_delivered_at INTEGER,
        updated_at INTEGER NOT NULL
    )
    """,
    # due() reads only this index: the WHERE must repeat these terms word for word.
    """
    CREATE INDEX subscribers_due ON subscribers (next_due_at, chat_id)
        WHERE active = 1 AND blocked = 0
    """,
    """
    CREATE TABLE deliveries (
        brief_id INTEGER NOT NULL REFERENCES briefs (id),
        chat_id INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
        attempts INTEGER NOT NULL CHECK (attempts >= 1),
        message_ids TEXT NOT NULL CHECK (json_valid(message_ids)),
        last_error TEXT,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (brief_id, chat_id)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX deliveries_by_chat ON deliveries (chat_id, brief_id)",
    "CREATE INDEX deliveries_in_flight ON deliveries (brief_id, chat_id) WHERE status = 'sending'",
    """
    CREATE TABLE push_runs (
        id INTEGER PRIMARY KEY,
        brief_id INTEGER REFERENCES briefs (id),
        started_by INTEGER,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        sent INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL
    )
    """,
)

# 3: admins' uploaded-but-unpublished briefs. AUTOINCREMENT so the id on an old
# Publish button never names a later draft.
_DRAFTS: Migration = (
    """
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        admin_id INTEGER NOT NULL,
        chat_id INTEGER NOT NULL,
        brief TEXT NOT NULL CHECK (json_valid(brief)),
        warnings TEXT NOT NULL CHECK (json_valid(warnings)),
        correcting INTEGER REFERENCES briefs (id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    )
    """,
    "CREATE INDEX drafts_by_expiry ON drafts (expires_at)",
)

# 4: what the bot itself must remember across restarts, by name (its webhook secret, when
# it last showed it was alive). Small values, rarely written.
_STATE: Migration = (
    """
    CREATE TABLE bot_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
)

# 5: full-text search over the live briefs (storage/search.py), filled for those stored.
_SEARCH: Migration = (
    """
    CREATE VIRTUAL TABLE brief_search USING fts5 (
        title, summary, facts, sources, narratives,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
    )
    """,
    INDEX_ROWS,
)

# 6: the messages users sent with the bot's inline mode, as Telegram names them (with
# inline feedback on), so a correction or a withdrawal reaches each (storage/inline.py).
_INLINE_COPIES: Migration = (
    """
    CREATE TABLE inline_copies (
        inline_message_id TEXT PRIMARY KEY,
        brief_id INTEGER NOT NULL REFERENCES briefs (id),
        user_id INTEGER NOT NULL,
        chosen_at INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
    "CREATE INDEX inline_copies_by_brief ON inline_copies (brief_id)",
)

# 7: what an admin's chat is in the middle of, kept here rather than in one process's
# memory so that any replica (or the bot after a restart) carries it on: a pending
# /correct, and the parts of a paste received so far (storage/pending.py). And the
# webhook updates taken lately, so one Telegram sends twice is handled once
# (storage/updates.py). Parts are numbered by arrival (id), ordered by message_id.
_PENDING: Migration = (
    """
    CREATE TABLE pending_corrections (
        chat_id INTEGER PRIMARY KEY,
        brief_id INTEGER NOT NULL REFERENCES briefs (id),
        set_at INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
    "CREATE INDEX pending_corrections_by_age ON pending_corrections (set_at)",
    """
    CREATE TABLE paste_parts (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        links TEXT NOT NULL CHECK (json_valid(links)),
        size INTEGER NOT NULL CHECK (size >= 0),
        received_at INTEGER NOT NULL,
        UNIQUE (chat_id, message_id)
    )
    """,
    "CREATE INDEX paste_parts_by_age ON paste_parts (received_at)",
    """
    CREATE TABLE handled_updates (
        update_id INTEGER PRIMARY KEY,
        handled_at INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
    "CREATE INDEX handled_updates_by_age ON handled_updates (handled_at)",
)

# 8: the bot's running processes (replicas), each seen at its heartbeat, and who holds
# what: the sends a process claimed and the pushes it runs, so that the work of one that
# stopped beating is taken over by another (bot/core/replicas/replica.py), and where each
# push reports its progress, so the one that takes it over edits the same message.
_REPLICAS: Migration = (
    """
    CREATE TABLE replicas (
        id TEXT PRIMARY KEY,
        started_at INTEGER NOT NULL,
        seen_at INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
    "ALTER TABLE deliveries ADD COLUMN owner TEXT",
    "ALTER TABLE push_runs ADD COLUMN owner TEXT",
    "ALTER TABLE push_runs ADD COLUMN progress_chat_id INTEGER",
    "ALTER TABLE push_runs ADD COLUMN progress_message_id INTEGER",
)

# 9: the version a correcting draft was made from: it publishes only while that is current
# (storage/drafts.py). An older draft gets the version current when it was made.
_DRAFT_BASIS: Migration = (
    "ALTER TABLE drafts ADD COLUMN based_on INTEGER",
    """UPDATE drafts SET based_on = coalesce((SELECT max(v.number) FROM brief_versions AS v
        WHERE v.brief_id = drafts.correcting AND v.created_at <= drafts.created_at), 1)
       WHERE correcting IS NOT NULL""",
)

# 10: once the index rebuilt with apostrophe letters separating words and one-letter
# prefixes; 12 builds it as it is now, and a database older than 10 is built once, by 12.
_SUPERSEDED: Migration = ()

# 11: each replica's lease, until when (microseconds on the database's clock, never a
# replica's) it may send what it claimed; renewed at each heartbeat (bot/core/replicas/replica.py).
# A replica of an older briefbot has none (0): taken for dead once a newer one beats.
_LEASES: Migration = ("ALTER TABLE replicas ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0",)

# 13: PostgreSQL's search index rebuilt (storage/search_index.py, POSTGRES_SEARCH_V3);
# SQLite's stays as 12 built it.
_POSTGRES_ONLY: Migration = ()

# 14: each brief version's language and each chat's (storage/languages_schema.py).
# 15: each brief version's voice notes, the jobs making them, the copies sent to readers
# (storage/audio_schema.py).
# 16: what the Matrix adapter keeps: the integer ids of Matrix names and of the events the
# bot sent, events taken, the sync's position and lease, what rooms were told
# (storage/matrix_schema.py).
# 17: an editor's recording kept with a draft, in reply to its preview (storage/drafts.py).
MIGRATIONS: tuple[Migration, ...] = (
    *(_CORE, _DELIVERY, _DRAFTS, _STATE, _SEARCH, _INLINE_COPIES, _PENDING, _REPLICAS),
    *(_DRAFT_BASIS, _SUPERSEDED, _LEASES, SEARCH_V3, _POSTGRES_ONLY, SQLITE_LANGUAGES),
    SQLITE_AUDIO,
    SQLITE_MATRIX,
    SQLITE_DRAFT_RECORDINGS,
)
LATEST_VERSION = len(MIGRATIONS)


async def user_version(conn: aiosqlite.Connection) -> int:
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


async def apply_migrations(
    conn: aiosqlite.Connection,
    *,
    target: int = LATEST_VERSION,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> int:
    """Bring the database up to `target`; returns the version it ends at.

    `conn` must be in autocommit mode with no transaction open.
    """
    for number in range(1, target + 1):
        await _apply_one(conn, number, migrations[number - 1])
    version = await user_version(conn)
    if version > len(migrations):
        raise SchemaTooNewError(
            f"it was written by a newer briefbot (schema version {version}; "
            f"this one knows up to {len(migrations)})"
        )
    return version


async def _apply_one(conn: aiosqlite.Connection, number: int, migration: Migration) -> None:
    # IMMEDIATE, and the version read inside the transaction, so two processes opening a
    # new file at once apply each migration exactly once.
    await conn.execute("BEGIN IMMEDIATE")
    try:
        if await user_version(conn) >= number:
            await conn.execute("ROLLBACK")
            return
        for statement in migration:
            await conn.execute(statement)
        problems = list(await conn.execute_fetchall("PRAGMA foreign_key_check"))
        if problems:
            raise RuntimeError(f"migration {number} broke foreign keys: {problems[:5]}")
        # PRAGMA takes no parameters; `number` is an int from this module.
        await conn.execute(f"PRAGMA user_version = {number:d}")
        await conn.execute("COMMIT")
    except BaseException:
        await conn.rollback()
        raise
