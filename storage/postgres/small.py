"""Drafts on PostgreSQL: storage/drafts.py, method for method."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from brief.model import Brief
from storage.codec import brief_to_json
from storage.db import from_db, to_db
from storage.drafts import Stale, _draft, check_basis, require_basis
from storage.models import Draft, StaleDraft, StoredBrief
from storage.postgres.briefs import correct_in, publish_in
from storage.postgres.db import PgDatabase

_DRAFT = (
    "id, admin_id, chat_id, brief::text, warnings::text, correcting, created_at, expires_at,"
    " based_on"
)


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
        based_on: int | None = None,
    ) -> Draft:
        require_basis(correcting, based_on)
        rows = await self._db.write_returning(
            """INSERT INTO drafts (admin_id, chat_id, brief, warnings, correcting, created_at,
                                   expires_at, based_on)
                VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, $8) RETURNING id""",
            admin_id,
            chat_id,
            brief_to_json(brief),
            json.dumps(list(warnings), ensure_ascii=False),
            correcting,
            to_db(at),
            to_db(expires_at),
            based_on,
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
            based_on=based_on,
        )

    async def get(self, draft_id: int) -> Draft | None:
        row = await self._db.fetch_one(f"SELECT {_DRAFT} FROM drafts WHERE id = $1", draft_id)
        return None if row is None else _draft(row)

    async def discard(self, draft_id: int) -> bool:
        return await self._db.write("DELETE FROM drafts WHERE id = $1", draft_id) > 0

    async def publish(
        self, draft_id: int, *, by: int, at: datetime
    ) -> StoredBrief | StaleDraft | None:
        try:
            async with self._db.transaction() as conn:
                row = await conn.fetchrow(
                    f"DELETE FROM drafts WHERE id = $1 RETURNING {_DRAFT}", draft_id
                )
                return None if row is None else await _publish_in(conn, _draft(row), by, at)
        except Stale as stale:
            return stale.refused

    async def delete_expired(self, now: datetime) -> int:
        return await self._db.write("DELETE FROM drafts WHERE expires_at <= $1", to_db(now))


async def _publish_in(conn: Any, draft: Draft, by: int, at: datetime) -> StoredBrief | None:
    """As storage/drafts.py's: inside the transaction that deleted the draft."""
    if draft.expires_at <= at:
        return None
    if draft.correcting is None:
        return await publish_in(conn, draft.brief, by=by, at=at)
    stored = await correct_in(
        conn, draft.correcting, draft.brief, by=by, at=at, expected=draft.based_on
    )
    if stored is None:
        current = await conn.fetchval(
            "SELECT current_version FROM briefs WHERE id = $1 AND retracted_at IS NULL",
            draft.correcting,
        )
        check_basis(draft, None if current is None else int(current))
    return stored
