"""Drafts: an admin's uploaded-but-unpublished brief, shown as a preview until acted on."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from brief.model import Brief
from storage.briefs import correct_in, publish_in
from storage.codec import brief_from_json, brief_to_json
from storage.db import Database, Row, from_db, to_db
from storage.models import Draft, StoredBrief

_COLUMNS = "id, admin_id, chat_id, brief, warnings, correcting, created_at, expires_at"


def _draft(row: Row) -> Draft:
    return Draft(
        id=row[0],
        admin_id=row[1],
        chat_id=row[2],
        brief=brief_from_json(row[3]),
        warnings=tuple(str(w) for w in json.loads(row[4])),
        correcting=row[5],
        created_at=from_db(row[6]),
        expires_at=from_db(row[7]),
    )


class DraftRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        *,
        admin_id: int,
        chat_id: int,
        brief: Brief,
        warnings: Sequence[str],
        correcting: int | None,
        at: datetime,
        expires_at: datetime,
    ) -> Draft:
        """A new draft. `correcting` must name an existing brief (else ConstraintError)."""
        rows = await self._db.write_returning(
            """INSERT INTO drafts
                    (admin_id, chat_id, brief, warnings, correcting, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (
                admin_id,
                chat_id,
                brief_to_json(brief),
                json.dumps(list(warnings), ensure_ascii=False),
                correcting,
                to_db(at),
                to_db(expires_at),
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
        )

    async def get(self, draft_id: int) -> Draft | None:
        """The draft, expired or not (compare expires_at); None once published or discarded."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM drafts WHERE id = ?", (draft_id,))
        return None if row is None else _draft(row)

    async def discard(self, draft_id: int) -> bool:
        return await self._db.write("DELETE FROM drafts WHERE id = ?", (draft_id,)) > 0

    async def publish(self, draft_id: int, *, by: int, at: datetime) -> StoredBrief | None:
        """Publish the draft (or correct the brief it corrects) and delete it, in one transaction.

        None when the draft is gone or expired at `at`; an expired draft is deleted too.
        Two concurrent calls for one draft publish it once: the second finds it gone.
        """
        async with self._db.transaction() as conn:
            rows = list(
                await conn.execute_fetchall(
                    f"DELETE FROM drafts WHERE id = ? RETURNING {_COLUMNS}", (draft_id,)
                )
            )
            if not rows:
                return None
            draft = _draft(rows[0])
            if draft.expires_at <= at:
                return None
            if draft.correcting is not None:
                return await correct_in(conn, draft.correcting, draft.brief, by=by, at=at)
            return await publish_in(conn, draft.brief, by=by, at=at)

    async def delete_expired(self, now: datetime) -> int:
        return await self._db.write("DELETE FROM drafts WHERE expires_at <= ?", (to_db(now),))
