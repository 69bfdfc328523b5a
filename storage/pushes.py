"""Push runs: one row per broadcast an admin (or the schedule) started, with its tally.

Its SQL reads alike on both engines: the same class serves SQLite and, through
storage.postgres.db.PortableSql, PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from storage.db import Row, from_db, from_db_opt, to_db
from storage.models import PushRun
from storage.sql import Sql

_COLUMNS = (
    "id, brief_id, started_by, started_at, finished_at, sent, failed, skipped, total, owner,"
    " progress_chat_id, progress_message_id"
)


def _push_run(row: Row) -> PushRun:
    return PushRun(
        id=row[0],
        brief_id=row[1],
        started_by=row[2],
        started_at=from_db(row[3]),
        finished_at=from_db_opt(row[4]),
        sent=row[5],
        failed=row[6],
        skipped=row[7],
        total=row[8],
        owner=row[9],
        progress=None if row[10] is None else (int(row[10]), int(row[11])),
    )


class PushRepo:
    def __init__(self, db: Sql) -> None:
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
        """A new run, held by `owner` (the replica that runs it); `progress` is the
        (chat_id, message_id) of the message that reports on it."""
        chat, message = progress or (None, None)
        rows = await self._db.write_returning(
            f"""INSERT INTO push_runs
                    (brief_id, started_by, started_at, total, owner, progress_chat_id,
                     progress_message_id)
                VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}""",
            (brief_id, by, to_db(at), total, owner, chat, message),
        )
        return _push_run(rows[0])

    async def release(self, owner: str) -> int:
        """`owner`'s unfinished runs are nobody's: the next take_over gives each to a
        replica (a replica that lost its lease gives up what it ran)."""
        return await self._db.write(
            "UPDATE push_runs SET owner = NULL WHERE owner = ? AND finished_at IS NULL", (owner,)
        )

    async def take_over(self, owner: str) -> list[PushRun]:
        """Unfinished runs whose owner is not a registered replica (storage/replicas.py:
        taken for dead, or it left), or none, become `owner`'s, oldest first: the runs it
        must carry on. Two replicas asking at once never both get one."""
        rows = await self._db.write_returning(
            f"""UPDATE push_runs SET owner = ?
                WHERE finished_at IS NULL
                  AND (owner IS NULL OR owner NOT IN (SELECT id FROM replicas))
                RETURNING {_COLUMNS}""",
            (owner,),
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
        """Record the tally; raises LookupError for an unknown push_id. With `owner`, only
        while the run is still that replica's: None when another took it over."""
        rows = await self._db.write_returning(
            f"""UPDATE push_runs SET sent = ?, failed = ?, skipped = ?, finished_at = ?
                WHERE id = ? AND (CAST(? AS TEXT) IS NULL OR owner = ?)
                RETURNING {_COLUMNS}""",
            (sent, failed, skipped, to_db(at), push_id, owner, owner),
        )
        if rows:
            return _push_run(rows[0])
        if owner is not None and await self._db.fetch_one(
            "SELECT 1 FROM push_runs WHERE id = ?", (push_id,)
        ):
            return None
        raise LookupError(f"no push run {push_id}")

    async def last(self) -> PushRun | None:
        """The most recently started run."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM push_runs ORDER BY id DESC LIMIT 1")
        return None if row is None else _push_run(row)

    async def unfinished(self) -> list[PushRun]:
        """Runs a stop left without a tally, oldest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM push_runs WHERE finished_at IS NULL ORDER BY id"
        )
        return [_push_run(r) for r in rows]
