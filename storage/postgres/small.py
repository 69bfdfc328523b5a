"""Drafts and readers on PostgreSQL: storage/drafts.py and storage/readers.py, method for
method."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from brief.model import Brief
from storage.codec import brief_to_json
from storage.db import from_db, to_db
from storage.drafts import _draft
from storage.models import Draft, StoredBrief
from storage.postgres.briefs import correct_in, publish_in
from storage.postgres.db import PgDatabase

_DRAFT = "id, admin_id, chat_id, brief::text, warnings::text, correcting, created_at, expires_at"


class PgDraftRepo:
    def __init__(self, db: PgDatabase) -> None:
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
        rows = await self._db.write_returning(
            """INSERT INTO drafts
                    (admin_id, chat_id, brief, warnings, correcting, created_at, expires_at)
                VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7) RETURNING id""",
            admin_id,
            chat_id,
            brief_to_json(brief),
            json.dumps(list(warnings), ensure_ascii=False),
            correcting,
            to_db(at),
            to_db(expires_at),
        )
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
        row = await self._db.fetch_one(f"SELECT {_DRAFT} FROM drafts WHERE id = $1", draft_id)
        return None if row is None else _draft(row)

    async def discard(self, draft_id: int) -> bool:
        return await self._db.write("DELETE FROM drafts WHERE id = $1", draft_id) > 0

    async def publish(self, draft_id: int, *, by: int, at: datetime) -> StoredBrief | None:
        async with self._db.transaction() as conn:
            row = await conn.fetchrow(
                f"DELETE FROM drafts WHERE id = $1 RETURNING {_DRAFT}", draft_id
            )
            if row is None:
                return None
            draft = _draft(row)
            if draft.expires_at <= at:
                return None
            if draft.correcting is not None:
                return await correct_in(conn, draft.correcting, draft.brief, by=by, at=at)
            return await publish_in(conn, draft.brief, by=by, at=at)

    async def delete_expired(self, now: datetime) -> int:
        return await self._db.write("DELETE FROM drafts WHERE expires_at <= $1", to_db(now))


class PgReaderRepo:
    """As storage/readers.py, but read through: no memory of what each reader opened.
    With several replicas a reader's updates reach any of them, and what one remembered
    would be stale once another wrote. Each press costs one short statement instead."""

    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    async def set_last_opened(
        self, user_id: int, brief_id: int, *, at: datetime | None = None
    ) -> None:
        # The WHERE keeps updated_at (when the reader moved to this brief) and writes
        # nothing when the reader opens the same brief again.
        await self._db.write(
            """INSERT INTO readers (user_id, brief_id, updated_at) VALUES ($1, $2, $3)
               ON CONFLICT (user_id) DO UPDATE
               SET brief_id = excluded.brief_id, updated_at = excluded.updated_at
               WHERE readers.brief_id <> excluded.brief_id""",
            user_id,
            brief_id,
            to_db(at if at is not None else datetime.now(UTC)),
        )

    async def last_opened(self, user_id: int) -> int | None:
        row = await self._db.fetch_one("SELECT brief_id FROM readers WHERE user_id = $1", user_id)
        return None if row is None else int(row[0])
