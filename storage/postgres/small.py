"""Drafts, push runs, readers and bot state on PostgreSQL: storage/drafts.py,
storage/pushes.py, storage/readers.py and storage/state.py, method for method."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from brief.model import Brief
from storage.codec import brief_to_json
from storage.db import from_db, to_db
from storage.drafts import _draft
from storage.models import Draft, PushRun, StoredBrief
from storage.postgres.briefs import correct_in, publish_in
from storage.postgres.db import PgDatabase
from storage.pushes import _COLUMNS as _PUSH_RUN
from storage.pushes import _push_run

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


class PgPushRepo:
    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    async def begin(
        self,
        *,
        brief_id: int | None,
        by: int | None,
        total: int,
        at: datetime,
        owner: str | None = None,
        progress: tuple[int, int] | None = None,
    ) -> PushRun:
        chat, message = progress or (None, None)
        rows = await self._db.write_returning(
            f"""INSERT INTO push_runs
                    (brief_id, started_by, started_at, total, owner, progress_chat_id,
                     progress_message_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {_PUSH_RUN}""",
            brief_id,
            by,
            to_db(at),
            total,
            owner,
            chat,
            message,
        )
        return _push_run(rows[0])

    async def release(self, owner: str) -> int:
        return await self._db.write(
            "UPDATE push_runs SET owner = NULL WHERE owner = $1 AND finished_at IS NULL", owner
        )

    async def take_over(self, owner: str, *, alive_since: datetime) -> list[PushRun]:
        # Two replicas running this at once: the second waits on the row lock, finds the
        # owner now alive, and leaves the row.
        rows = await self._db.write_returning(
            f"""UPDATE push_runs SET owner = $1
                WHERE finished_at IS NULL
                  AND (owner IS NULL
                       OR owner NOT IN (SELECT id FROM replicas WHERE seen_at >= $2))
                RETURNING {_PUSH_RUN}""",
            owner,
            to_db(alive_since),
        )
        return sorted((_push_run(r) for r in rows), key=lambda run: run.id)

    async def finish(
        self,
        push_id: int,
        *,
        sent: int,
        failed: int,
        skipped: int,
        at: datetime,
        owner: str | None = None,
    ) -> PushRun | None:
        rows = await self._db.write_returning(
            f"""UPDATE push_runs SET sent = $1, failed = $2, skipped = $3, finished_at = $4
                WHERE id = $5 AND ($6::text IS NULL OR owner = $6) RETURNING {_PUSH_RUN}""",
            sent,
            failed,
            skipped,
            to_db(at),
            push_id,
            owner,
        )
        if rows:
            return _push_run(rows[0])
        if owner is not None and await self._db.fetch_one(
            "SELECT 1 FROM push_runs WHERE id = $1", push_id
        ):
            return None
        raise LookupError(f"no push run {push_id}")

    async def last(self) -> PushRun | None:
        row = await self._db.fetch_one(
            f"SELECT {_PUSH_RUN} FROM push_runs ORDER BY id DESC LIMIT 1"
        )
        return None if row is None else _push_run(row)

    async def unfinished(self) -> list[PushRun]:
        rows = await self._db.fetch_all(
            f"SELECT {_PUSH_RUN} FROM push_runs WHERE finished_at IS NULL ORDER BY id"
        )
        return [_push_run(r) for r in rows]


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


class PgStateRepo:
    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    async def get(self, key: str) -> tuple[str, datetime] | None:
        row = await self._db.fetch_one(
            "SELECT value, updated_at FROM bot_state WHERE key = $1", key
        )
        return None if row is None else (str(row[0]), from_db(int(row[1])))

    async def put(self, key: str, value: str, *, at: datetime | None = None) -> None:
        await self._db.write(
            """INSERT INTO bot_state (key, value, updated_at) VALUES ($1, $2, $3)
               ON CONFLICT (key) DO UPDATE
               SET value = excluded.value, updated_at = excluded.updated_at""",
            key,
            value,
            to_db(at if at is not None else datetime.now(UTC)),
        )

    async def put_if_absent(self, key: str, value: str, *, at: datetime | None = None) -> str:
        await self._db.write(
            "INSERT INTO bot_state (key, value, updated_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (key) DO NOTHING",
            key,
            value,
            to_db(at if at is not None else datetime.now(UTC)),
        )
        # Read after the insert committed: a racing insert that won is committed too.
        kept = await self.get(key)
        assert kept is not None, "just written, and nothing deletes state"
        return kept[0]
