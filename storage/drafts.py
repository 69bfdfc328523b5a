"""Drafts: an admin's uploaded-but-unpublished brief, shown as a preview until acted on.

One repository on both engines (storage.sql.Sql): a draft's brief and warnings are JSON
text in, and read back as text on both. A warning is kept as its message and params, so
the preview is worded in the language of whoever reads it (storage.codec).

An editor's recording sent in reply to the preview waits in the draft's row (migration 17,
storage/audio_schema.py) and becomes the published version's recording in the publish's
transaction, or goes with the draft when it is discarded or expires."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from brief.model import Brief, Problem
from storage.audio import RECORDER_NAME_CHARS, Recording, store_recording_in
from storage.briefs import BriefRepo
from storage.codec import brief_from_json, brief_to_json, problems_from_json, problems_to_json
from storage.db import Row, from_db, to_db
from storage.models import AudioPart, Draft, StaleDraft, StoredBrief
from storage.sql import Sql, SqlTx, portable

_COLUMNS = (
    "id, admin_id, chat_id, CAST(brief AS TEXT), CAST(warnings AS TEXT), correcting,"
    " created_at, expires_at, based_on, recorded_by_name"
)
# What publishing reads of the recording, after _COLUMNS.
_RECORDING = "recording, recording_seconds, recording_file_id, recorded_by, recorded_at"
# Parameters: data, seconds, file_id, by, by_name, at, draft, now.
_KEEP_RECORDING = portable("""
UPDATE drafts SET recording = ?, recording_seconds = ?, recording_file_id = ?, recorded_by = ?,
                  recorded_by_name = ?, recorded_at = ?
 WHERE id = ? AND expires_at > ?
""")


def _draft(row: Row) -> Draft:
    return Draft(
        id=row[0],
        admin_id=row[1],
        chat_id=row[2],
        brief=brief_from_json(row[3]),
        warnings=problems_from_json(row[4]),
        correcting=row[5],
        created_at=from_db(row[6]),
        expires_at=from_db(row[7]),
        based_on=row[8],
        recorded_by_name=row[9],
    )


def _recording(draft: Draft, row: Row) -> Recording | None:
    """The recording kept with the draft (_RECORDING's columns after _COLUMNS), if any."""
    data, seconds, file_id, by, at = row[10:15]
    if data is None:
        return None
    part = AudioPart(bytes(data), float(seconds))
    return Recording(part, int(by), draft.recorded_by_name or "", file_id, from_db(at))


class Stale(Exception):
    """Raised inside a publish's transaction to undo it, the draft's deletion with it: a
    signal, caught by the publish, never seen outside storage."""

    def __init__(self, refused: StaleDraft) -> None:
        super().__init__(refused)
        self.refused = refused


def check_basis(draft: Draft, current: int | None) -> None:
    """After a correction was refused: raise Stale when the brief is live at `current`,
    another version than the draft was made from (else it is missing or withdrawn)."""
    if draft.correcting is None or draft.based_on is None or current is None:
        return
    if current != draft.based_on:
        raise Stale(StaleDraft(draft.correcting, draft.based_on, current))


def require_basis(correcting: int | None, based_on: int | None) -> None:
    if correcting is not None and based_on is None:
        raise ValueError("a correction records the version it was made from (based_on)")


class DraftRepo:
    """`briefs` publishes a draft inside the transaction that deletes it."""

    def __init__(self, db: Sql, briefs: BriefRepo) -> None:
        self._db = db
        self._briefs = briefs

    async def create(
        self,
        *,
        admin_id: int,
        chat_id: int,
        brief: Brief,
        warnings: Sequence[Problem],
        correcting: int | None,
        at: datetime,
        expires_at: datetime,
        based_on: int | None = None,
    ) -> Draft:
        """A new draft. `correcting` must name an existing brief (else ConstraintError), and
        comes with `based_on`, the version the correction was made from."""
        require_basis(correcting, based_on)
        rows = await self._db.write_returning(
            """INSERT INTO drafts (admin_id, chat_id, brief, warnings, correcting, created_at,
                                   expires_at, based_on)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (
                admin_id,
                chat_id,
                brief_to_json(brief),
                problems_to_json(warnings),
                correcting,
                to_db(at),
                to_db(expires_at),
                based_on,
            ),
        )
        # The brief as given, not decoded again from what was just written: for a brief of
        # thousands of facts that would hold the event loop for a tenth of a second.
        return Draft(
            id=rows[0][0],
            admin_id=admin_id,
            chat_id=chat_id,
            brief=brief,
            warnings=tuple(warnings),
            correcting=correcting,
            created_at=from_db(to_db(at)),
            expires_at=from_db(to_db(expires_at)),
            based_on=based_on,
        )

    async def get(self, draft_id: int) -> Draft | None:
        """The draft, expired or not (compare expires_at); None once published or discarded."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM drafts WHERE id = ?", (draft_id,))
        return None if row is None else _draft(row)

    async def discard(self, draft_id: int) -> bool:
        return await self._db.write("DELETE FROM drafts WHERE id = ?", (draft_id,)) > 0

    async def open_drafts(self, admin_id: int, chat_id: int, *, at: datetime) -> list[Draft]:
        """The admin's drafts in that chat not expired at `at`, newest first."""
        rows = await self._db.fetch_all(
            f"""SELECT {_COLUMNS} FROM drafts
                 WHERE admin_id = ? AND chat_id = ? AND expires_at > ?
                 ORDER BY id DESC""",
            (admin_id, chat_id, to_db(at)),
        )
        return [_draft(row) for row in rows]

    async def keep_recording(
        self,
        draft_id: int,
        part: AudioPart,
        *,
        by: int,
        by_name: str,
        file_id: str | None,
        at: datetime,
    ) -> bool:
        """The recording kept with the draft, in place of one before; False when the draft
        is gone or expired at `at`. Against a publish of the draft at the same moment, one
        of the two comes first: a recording kept before is published with it, one after
        finds the draft gone."""
        params = (part.data, part.duration, file_id, by, by_name[:RECORDER_NAME_CHARS])
        written = await self._db.write(_KEEP_RECORDING, (*params, to_db(at), draft_id, to_db(at)))
        return written > 0

    async def publish(
        self, draft_id: int, *, by: int, at: datetime
    ) -> StoredBrief | StaleDraft | None:
        """Publish the draft (or correct the brief it corrects) and delete it, in one transaction.

        None when the draft is gone or expired at `at` (an expired draft is deleted too), or
        the brief it corrects is gone or withdrawn. StaleDraft, and nothing changed, the
        draft kept, when the brief is no longer at the version the correction was made
        from: compared and set in the correcting statement itself. Two concurrent calls for
        one draft publish it once: the second finds it gone.
        """
        try:
            async with self._db.transaction() as tx:
                row = await tx.fetch_one(
                    f"DELETE FROM drafts WHERE id = ? RETURNING {_COLUMNS}, {_RECORDING}",
                    (draft_id,),
                )
                if row is None:
                    return None
                draft = _draft(row)
                stored = await self._publish_in(tx, draft, by, at)
                recording = _recording(draft, row)
                if stored is not None and recording is not None:
                    await store_recording_in(tx, stored.id, stored.version, recording)
                return stored
        except Stale as stale:
            return stale.refused

    async def _publish_in(
        self, tx: SqlTx, draft: Draft, by: int, at: datetime
    ) -> StoredBrief | None:
        """Inside the transaction that deleted the draft."""
        if draft.expires_at <= at:
            return None
        if draft.correcting is None:
            return await self._briefs.publish_in(tx, draft.brief, by=by, at=at)
        stored = await self._briefs.correct_in(
            tx, draft.correcting, draft.brief, by=by, at=at, expected=draft.based_on
        )
        if stored is None:
            row = await tx.fetch_one(
                "SELECT current_version FROM briefs WHERE id = ? AND retracted_at IS NULL",
                (draft.correcting,),
            )
            check_basis(draft, None if row is None else int(row[0]))
        return stored

    async def delete_expired(self, now: datetime) -> int:
        return await self._db.write("DELETE FROM drafts WHERE expires_at <= ?", (to_db(now),))
