"""Migration 15 on both engines: a voice note for every brief version (storage/audio.py);
migration 17: an editor's recording kept with a draft until it is published.

`brief_audio`: the audio of a brief version, one row per voice note (`part` 0..n-1: a long
brief is split into several), of either kind: 'generated' by an engine, or 'recorded' by
an editor, which readers get instead while it is there. `file_id` is Telegram's once a
part was uploaded, so later sends reuse it. Rows are never changed but for the file_id; a
correction is a new version, with audio of its own.

`audio_jobs`: the versions whose audio is wanted, and how far it got: 'pending' (to be
made; while a replica makes it, `owner` and `held_until` say who and until when: after
that, another takes it again), 'done', 'failed' (`last_error` says why) or 'none' (no
voice for the brief's language). `attempts` counts the claims.

`voice_copies`: each voice note sent to a reader, by its message, so that a correction or
a retraction reaches it.

The audio's bytes are SQLite BLOBs (in the file, so its backup copies them) and
PostgreSQL's bytea, stored out of line and uncompressed (Opus does not compress).
Durations are SQLite REAL and PostgreSQL DOUBLE PRECISION (its REAL has 24 bits), so rows
copy across unchanged.

Migration 17: a draft's `recording` columns hold a recording sent in reply to its preview
(storage/drafts.py): a draft has no version yet for `brief_audio` to name, so the recording
waits in the draft's own row, goes with it when it is discarded or expires, and becomes the
published version's 'recorded' audio in the publish's transaction. All NULL, or all set
but `recording_file_id` (NULL for a converted file).
"""

from __future__ import annotations

_AUDIO = """
CREATE TABLE brief_audio (
    brief_id {id} NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('generated', 'recorded')),
    part INTEGER NOT NULL CHECK (part >= 0),
    data {blob} NOT NULL,
    duration_seconds {real} NOT NULL CHECK (duration_seconds >= 0),
    engine TEXT NOT NULL,
    file_id TEXT,
    recorded_by {id},
    recorded_by_name TEXT,
    created_at {id} NOT NULL,
    PRIMARY KEY (brief_id, version, kind, part),
    FOREIGN KEY (brief_id, version) REFERENCES brief_versions (brief_id, number)
)
"""

_JOBS = """
CREATE TABLE audio_jobs (
    brief_id {id} NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed', 'none')),
    attempts INTEGER NOT NULL CHECK (attempts >= 0),
    last_error TEXT,
    owner TEXT,
    held_until {id},
    updated_at {id} NOT NULL,
    PRIMARY KEY (brief_id, version),
    FOREIGN KEY (brief_id, version) REFERENCES brief_versions (brief_id, number)
){rowid}
"""

_COPIES = """
CREATE TABLE voice_copies (
    chat_id {id} NOT NULL,
    message_id {id} NOT NULL,
    brief_id {id} NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('generated', 'recorded')),
    sent_at {id} NOT NULL,
    PRIMARY KEY (chat_id, message_id),
    FOREIGN KEY (brief_id, version) REFERENCES brief_versions (brief_id, number)
){rowid}
"""

_INDEXES = (
    # claim_next looks among the pending jobs only.
    "CREATE INDEX audio_jobs_pending ON audio_jobs (brief_id, version) WHERE status = 'pending'",
    "CREATE INDEX voice_copies_by_brief ON voice_copies (brief_id)",
)

# brief_audio keeps its rowid on SQLite: WITHOUT ROWID suits small rows, not blobs.
SQLITE_AUDIO: tuple[str, ...] = (
    _AUDIO.format(id="INTEGER", blob="BLOB", real="REAL"),
    _JOBS.format(id="INTEGER", rowid=" WITHOUT ROWID"),
    _COPIES.format(id="INTEGER", rowid=" WITHOUT ROWID"),
    *_INDEXES,
)

POSTGRES_AUDIO: tuple[str, ...] = (
    _AUDIO.format(id="BIGINT", blob="BYTEA", real="DOUBLE PRECISION"),
    "ALTER TABLE brief_audio ALTER COLUMN data SET STORAGE EXTERNAL",
    _JOBS.format(id="BIGINT", rowid=""),
    _COPIES.format(id="BIGINT", rowid=""),
    *_INDEXES,
)

_DRAFT_RECORDING = (
    "ALTER TABLE drafts ADD COLUMN recording {blob}",
    "ALTER TABLE drafts ADD COLUMN recording_seconds {real} CHECK (recording_seconds >= 0)",
    "ALTER TABLE drafts ADD COLUMN recording_file_id TEXT",
    "ALTER TABLE drafts ADD COLUMN recorded_by {id}",
    "ALTER TABLE drafts ADD COLUMN recorded_by_name TEXT",
    "ALTER TABLE drafts ADD COLUMN recorded_at {id}",
)

SQLITE_DRAFT_RECORDINGS: tuple[str, ...] = tuple(
    statement.format(id="INTEGER", blob="BLOB", real="REAL") for statement in _DRAFT_RECORDING
)

POSTGRES_DRAFT_RECORDINGS: tuple[str, ...] = (
    *(
        statement.format(id="BIGINT", blob="BYTEA", real="DOUBLE PRECISION")
        for statement in _DRAFT_RECORDING
    ),
    "ALTER TABLE drafts ALTER COLUMN recording SET STORAGE EXTERNAL",
)
