"""One way to open storage, whichever database the settings name.

SQLite (a DATABASE_PATH) is migrated on open, as it always was: one process owns the file.
PostgreSQL (a DATABASE_URL) never is: `briefbot migrate` migrates it, once, before the
replicas start, and opening refuses a schema older than this briefbot needs.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path

from storage import Storage
from storage.postgres import PgStorage, migrate_schema
from storage.postgres.urls import redacted
from storage.sole import SoleServer


@dataclass(frozen=True, slots=True)
class DatabaseLocation:
    """The SQLite file at `path`, or, when `url` is set, the PostgreSQL database there."""

    path: Path = Path("briefbot.db")
    url: str | None = None

    def __str__(self) -> str:  # the password never reaches a message
        return str(self.path) if self.url is None else redacted(self.url)

    @property
    def setting(self) -> str:
        """The setting that names it, for messages."""
        return "DATABASE_PATH" if self.url is None else "DATABASE_URL"


async def open_storage(location: DatabaseLocation, *, read_only: bool = False) -> Storage:
    """Storage on the location's database. Read-only opens it as it is, for looking only
    (SQLite refuses every write; an SQLite file must exist). Raises UnusableDatabaseError,
    saying why, when the database cannot serve."""
    if location.url is not None:
        return await PgStorage.connect(location.url, read_only=read_only)
    if read_only:
        return await Storage.open_read_only(location.path)
    return await Storage.open(location.path)


def sole_server(location: DatabaseLocation) -> contextlib.AbstractContextManager[object]:
    """Held by `briefbot run` for its life: the SQLite file's lock (storage.sole), which
    raises DatabaseInUseError while another process holds it. Nothing on PostgreSQL, which
    replicas share by design."""
    if location.url is not None:
        return contextlib.nullcontext()
    return SoleServer(location.path)


async def migrate_database(location: DatabaseLocation) -> tuple[int, int]:
    """Apply the missing migrations: (the schema version before, the version after)."""
    before, after, _ = await migrate_with_backup(location)
    return before, after


async def migrate_with_backup(location: DatabaseLocation) -> tuple[int, int, Path | None]:
    """migrate_database, with the backup of an SQLite file written before migrating it (if
    one was: storage.backup.back_up_before_migrating) as a third value."""
    if location.url is not None:
        return (*await migrate_schema(location.url), None)
    before = 0
    if await asyncio.to_thread(location.path.is_file):
        async with await Storage.open_read_only(location.path) as storage:
            before = storage.schema_version
    async with await Storage.open(location.path) as storage:
        return before, storage.schema_version, storage.migration_backup
