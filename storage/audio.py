"""Voice notes of briefs (migration 15, storage/audio_schema.py): the jobs that make them,
the audio itself, generated or recorded by an editor, and the copies sent to readers.

One repository on both engines (storage.sql.Sql). Only claiming a job differs: PostgreSQL
skips the job rows another replica is locking at that moment (FOR UPDATE SKIP LOCKED),
where SQLite's one writer runs the whole claim as one statement; both statements stand
here, picked by dialect. What each method promises is said on the Protocol,
storage.audio_interface.AudioStore.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.db import Row, to_db
from storage.models import AudioJob, AudioPart, BriefAudio, StoredAudioPart, VoiceCopy
from storage.sql import Dialect, Sql, SqlTx, portable

AUDIO_KINDS = ("generated", "recorded")
# What fail() may leave a job as: given up on, no voice for its language, or back in the
# queue for another attempt.
AUDIO_FAIL_STATUSES = ("failed", "none", "pending")
# An engine's error may be its whole stderr; a name is a Telegram user's, at most 129.
AUDIO_ERROR_CHARS = 1000
RECORDER_NAME_CHARS = 256
RECORDING_ENGINE = "editor"

_JOB_COLUMNS = "brief_id, version, status, attempts, last_error, owner, held_until, updated_at"

# A brief's newer version makes its older versions' unfinished jobs worthless.
_SUPERSEDE = portable(
    "DELETE FROM audio_jobs WHERE brief_id = ? AND version < ? AND status <> 'done'"
)
# Only for the current version of a live brief. Parameters: at, brief, version.
_WANT = portable(f"""
INSERT INTO audio_jobs ({_JOB_COLUMNS})
SELECT id, current_version, 'pending', 0, NULL, NULL, NULL, ? FROM briefs
 WHERE id = ? AND current_version = ? AND retracted_at IS NULL
ON CONFLICT (brief_id, version) DO NOTHING
""")

# The next job to make: the newest live brief's, pending, and not held or held no longer.
_NEXT = """
SELECT j.brief_id, j.version FROM audio_jobs AS j
  JOIN briefs AS b ON b.id = j.brief_id AND b.current_version = j.version
 WHERE j.status = 'pending' AND b.retracted_at IS NULL
   AND (j.held_until IS NULL OR j.held_until <= ?)
 ORDER BY b.published_at DESC, b.id DESC
 LIMIT 1
"""
# Parameters: owner, held_until, at, at on SQLite; at, owner, held_until, at on PostgreSQL.
_CLAIMS: dict[Dialect, str] = {
    "sqlite": portable(f"""
UPDATE audio_jobs SET owner = ?, held_until = ?, attempts = attempts + 1, updated_at = ?
 WHERE (brief_id, version) = ({_NEXT})
RETURNING brief_id, version, attempts
"""),
    "postgresql": portable(f"""
WITH next AS ({_NEXT} FOR UPDATE OF j SKIP LOCKED)
UPDATE audio_jobs AS a SET owner = ?, held_until = ?, attempts = a.attempts + 1,
                           updated_at = ?
  FROM next WHERE a.brief_id = next.brief_id AND a.version = next.version
RETURNING a.brief_id, a.version, a.attempts
"""),
}

# The job marked done, made if there was none, but only for the current version of a
# live brief, and only once: a row comes back to the one finish that did it. On
# PostgreSQL a second finish at the same moment waits for the first, then finds it done.
# Parameters: at, brief, version.
_DONE = portable(f"""
INSERT INTO audio_jobs ({_JOB_COLUMNS})
SELECT id, current_version, 'done', 0, NULL, NULL, NULL, ? FROM briefs
 WHERE id = ? AND current_version = ? AND retracted_at IS NULL
ON CONFLICT (brief_id, version) DO UPDATE SET
    status = 'done', last_error = NULL, owner = NULL, held_until = NULL,
    updated_at = excluded.updated_at
 WHERE audio_jobs.status <> 'done'
RETURNING brief_id
""")
# Parameters: status, error, at, brief, version.
_FAIL = portable(f"""
INSERT INTO audio_jobs ({_JOB_COLUMNS})
SELECT id, current_version, ?, 0, ?, NULL, NULL, ? FROM briefs
 WHERE id = ? AND current_version = ?
ON CONFLICT (brief_id, version) DO UPDATE SET
    status = excluded.status, last_error = excluded.last_error, owner = NULL,
    held_until = NULL, updated_at = excluded.updated_at
 WHERE audio_jobs.status <> 'done'
""")

_DROP_KIND = portable("DELETE FROM brief_audio WHERE brief_id = ? AND version = ? AND kind = ?")
_AUDIO_COLUMNS = """brief_id, version, kind, part, data, duration_seconds, engine, file_id,
                    recorded_by, recorded_by_name, created_at"""
_ADD_GENERATED = portable(
    f"INSERT INTO brief_audio ({_AUDIO_COLUMNS}) VALUES (?, ?, 'generated', ?, ?, ?, ?, NULL,"
    " NULL, NULL, ?)"
)
# Parameters: data, duration, file_id, by, by_name, at, brief, version.
_ADD_RECORDING = portable(f"""
INSERT INTO brief_audio ({_AUDIO_COLUMNS})
SELECT brief_id, number, 'recorded', 0, ?, ?, '{RECORDING_ENGINE}', ?, ?, ?, ?
  FROM brief_versions WHERE brief_id = ? AND number = ?
""")

# The recording if the version has one, else what was generated; with the job's status,
# in one statement (so one snapshot), and a row with no audio when there is none.
_CURRENT = portable("""
SELECT j.status, a.kind, a.part, a.data, a.duration_seconds, a.file_id, a.engine,
       a.recorded_by_name
  FROM (SELECT CAST(? AS BIGINT) AS brief_id, CAST(? AS INTEGER) AS version) AS q
  LEFT JOIN audio_jobs AS j ON j.brief_id = q.brief_id AND j.version = q.version
  LEFT JOIN brief_audio AS a ON a.brief_id = q.brief_id AND a.version = q.version
   AND a.kind = CASE WHEN EXISTS (
           SELECT 1 FROM brief_audio AS r
            WHERE r.brief_id = q.brief_id AND r.version = q.version AND r.kind = 'recorded')
       THEN 'recorded' ELSE 'generated' END
 ORDER BY a.part
""")

_MISSING = portable("""
SELECT b.id, b.current_version FROM briefs AS b
 WHERE b.retracted_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM audio_jobs AS j
                    WHERE j.brief_id = b.id AND j.version = b.current_version)
   AND NOT EXISTS (SELECT 1 FROM brief_audio AS a
                    WHERE a.brief_id = b.id AND a.version = b.current_version)
 ORDER BY b.published_at DESC, b.id DESC
 LIMIT ?
""")

# A message recorded again (edited to carry another version) is the same copy, updated.
# Parameters: chat, message, kind, at, brief, version.
_COPY = portable("""
INSERT INTO voice_copies (chat_id, message_id, brief_id, version, kind, sent_at)
SELECT ?, ?, brief_id, number, ?, ? FROM brief_versions WHERE brief_id = ? AND number = ?
ON CONFLICT (chat_id, message_id) DO UPDATE SET
    brief_id = excluded.brief_id, version = excluded.version, kind = excluded.kind,
    sent_at = excluded.sent_at
""")


@dataclass(frozen=True, slots=True)
class Recording:
    """An editor's recording, as stored with a version or with a draft (storage/drafts.py)."""

    part: AudioPart
    by: int
    by_name: str
    file_id: str | None
    at: datetime


async def store_recording_in(tx: SqlTx, brief_id: int, version: int, recording: Recording) -> bool:
    """The version's recording, in place of any before it, inside `tx`: False (and nothing
    stored) when there is no such version."""
    part = recording.part
    params = (
        part.data,
        part.duration,
        recording.file_id,
        recording.by,
        recording.by_name[:RECORDER_NAME_CHARS],
        to_db(recording.at),
    )
    await tx.write(_DROP_KIND, (brief_id, version, "recorded"))
    return await tx.write(_ADD_RECORDING, (*params, brief_id, version)) > 0


def _check_kind(kind: str) -> None:
    if kind not in AUDIO_KINDS:
        raise ValueError(f"audio kind {kind!r}: one of {AUDIO_KINDS}")


def _brief_audio(rows: Sequence[Row]) -> BriefAudio | None:
    """current()'s answer from _CURRENT's rows (either engine's)."""
    if not rows:
        return None
    status, kind = rows[0][0], rows[0][1]
    if kind is None and status is None:
        return None
    parts = tuple(
        StoredAudioPart(part=int(r[2]), data=bytes(r[3]), duration=float(r[4]), file_id=r[5])
        for r in rows
        if r[1] is not None
    )
    return BriefAudio(
        kind=kind, parts=parts, engine=rows[0][6], recorded_by_name=rows[0][7], status=status
    )


class AudioRepo:
    def __init__(self, db: Sql) -> None:
        self._db = db

    async def want(self, brief_id: int, version: int, *, at: datetime) -> bool:
        async with self._db.transaction() as tx:
            await tx.write(_SUPERSEDE, (brief_id, version))
            made = await tx.write(_WANT, (to_db(at), brief_id, version))
        return made > 0

    async def claim_next(self, owner: str, *, at: datetime, hold: timedelta) -> AudioJob | None:
        now, until = to_db(at), to_db(at + hold)
        if self._db.dialect == "sqlite":
            params: tuple[object, ...] = (owner, until, now, now)
        else:
            params = (now, owner, until, now)
        rows = await self._db.write_returning(_CLAIMS[self._db.dialect], params)
        if not rows:
            return None
        return AudioJob(brief_id=int(rows[0][0]), version=int(rows[0][1]), attempts=rows[0][2])

    async def finish(
        self,
        brief_id: int,
        version: int,
        parts: Sequence[AudioPart],
        *,
        engine: str,
        at: datetime,
    ) -> bool:
        if not parts:
            raise ValueError("finish() needs at least one part: fail() says there is none")
        when = to_db(at)
        async with self._db.transaction() as tx:
            if not await tx.write_returning(_DONE, (when, brief_id, version)):
                return False
            await tx.write(_DROP_KIND, (brief_id, version, "generated"))
            await tx.executemany(
                _ADD_GENERATED,
                (
                    (brief_id, version, number, part.data, part.duration, engine, when)
                    for number, part in enumerate(parts)
                ),
            )
        return True

    async def fail(
        self,
        brief_id: int,
        version: int,
        reason: str,
        *,
        status: str = "failed",
        at: datetime,
    ) -> None:
        if status not in AUDIO_FAIL_STATUSES:
            raise ValueError(f"a failed job's status {status!r}: one of {AUDIO_FAIL_STATUSES}")
        reason = reason[:AUDIO_ERROR_CHARS]
        await self._db.write(_FAIL, (status, reason, to_db(at), brief_id, version))

    async def missing(self, limit: int) -> list[tuple[int, int]]:
        rows = await self._db.fetch_all(_MISSING, (limit,))
        return [(int(r[0]), int(r[1])) for r in rows]

    async def store_recording(
        self,
        brief_id: int,
        version: int,
        part: AudioPart,
        *,
        by: int,
        by_name: str,
        file_id: str | None,
        at: datetime,
    ) -> bool:
        recording = Recording(part, by, by_name, file_id, at)
        async with self._db.transaction() as tx:
            return await store_recording_in(tx, brief_id, version, recording)

    async def remove_recording(self, brief_id: int, version: int) -> bool:
        return await self._db.write(_DROP_KIND, (brief_id, version, "recorded")) > 0

    async def current(self, brief_id: int, version: int) -> BriefAudio | None:
        return _brief_audio(await self._db.fetch_all(_CURRENT, (brief_id, version)))

    async def remember_file_id(
        self, brief_id: int, version: int, kind: str, part: int, file_id: str
    ) -> None:
        _check_kind(kind)
        await self._db.write(
            """UPDATE brief_audio SET file_id = ?
                WHERE brief_id = ? AND version = ? AND kind = ? AND part = ?""",
            (file_id, brief_id, version, kind, part),
        )

    async def record_copy(
        self,
        brief_id: int,
        chat_id: int,
        message_id: int,
        *,
        version: int,
        at: datetime,
        kind: str = "generated",
    ) -> None:
        _check_kind(kind)
        await self._db.write(_COPY, (chat_id, message_id, kind, to_db(at), brief_id, version))

    async def copies(self, brief_id: int) -> list[VoiceCopy]:
        rows = await self._db.fetch_all(
            """SELECT chat_id, message_id, version, kind FROM voice_copies
                WHERE brief_id = ? ORDER BY sent_at, chat_id, message_id""",
            (brief_id,),
        )
        return [VoiceCopy(chat_id=r[0], message_id=r[1], version=r[2], kind=r[3]) for r in rows]
