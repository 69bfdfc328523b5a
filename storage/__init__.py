"""Everything that speaks SQL: one SQLite file, typed async repositories over it.

Open with `await Storage.open(path)` (creates the file and migrates it), close with
`await storage.close()`. One Storage is shared by every coroutine of the process; another
process may open the same file at the same time. Times in and out are timezone-aware;
they are stored as integer microseconds since the Unix epoch (UTC) and come back in UTC.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType

from storage.audio import AudioRepo
from storage.audio_interface import AudioStore
from storage.backup import BackupError, BackupTargetError, MigrationBackupError
from storage.briefs import BriefRepo
from storage.channels import ChannelRepo
from storage.db import Database
from storage.deliveries import DeliveryRepo
from storage.drafts import DraftRepo
from storage.errors import (
    ConstraintError,
    SchemaTooNewError,
    SchemaTooOldError,
    StorageError,
    UnusableDatabaseError,
    UnwritableDatabaseError,
)
from storage.inline import InlineCopyRepo
from storage.interface import (
    BriefStore,
    ChannelStore,
    ChatLanguageStore,
    CorrectionStore,
    DeliveryStore,
    DraftStore,
    InlineCopyStore,
    PasteStore,
    PushStore,
    ReaderStore,
    ReplicaStore,
    SearchStore,
    SendBudgetStore,
    StateStore,
    SubscriberStore,
    UpdateStore,
)
from storage.languages import ChatLanguageRepo
from storage.matrix import MatrixRepo
from storage.matrix_interface import MatrixStore
from storage.models import (
    AudioJob,
    AudioPart,
    AuditEntry,
    BriefAudio,
    BriefHeader,
    ChatLanguage,
    ConnectionSettings,
    DeliveryRecord,
    Draft,
    InlineCopy,
    PastePart,
    PushRun,
    SearchHit,
    StaleDraft,
    StoredAudioPart,
    StoredBrief,
    Subscriber,
    SubscriberCounts,
    VoiceCopy,
)
from storage.pending import CorrectionRepo, PasteRepo
from storage.pushes import PushRepo
from storage.readers import ReaderRepo
from storage.replicas import ReplicaRepo
from storage.search import SearchRepo
from storage.sql import Sql
from storage.sqlite import SqliteSql
from storage.state import StateRepo
from storage.subscribers import SubscriberRepo
from storage.updates import UpdateRepo


class Storage:
    """The SQLite database; storage.postgres.PgStorage is the same for PostgreSQL, and
    storage.opening.open_storage opens whichever a DatabaseLocation names."""

    # What the bot uses, whichever backend: storage/interface.py.
    briefs: BriefStore
    readers: ReaderStore
    drafts: DraftStore
    subscribers: SubscriberStore
    deliveries: DeliveryStore
    pushes: PushStore
    state: StateStore
    search: SearchStore
    channels: ChannelStore
    inline_copies: InlineCopyStore
    corrections: CorrectionStore
    pastes: PasteStore
    updates: UpdateStore
    replicas: ReplicaStore
    languages: ChatLanguageStore
    audio: AudioStore
    matrix: MatrixStore

    # Whether several `briefbot run` may serve this database at once: replicas need
    # PostgreSQL. An SQLite file is served by one bot process (other processes such as
    # `briefbot import` only publish), so what only that process does may stay in memory.
    shared_by_replicas = False
    # Telegram's limits as one budget for every replica (bot/core/budget/shared.py); None here,
    # where the one bot process keeps them in memory.
    send_budget: SendBudgetStore | None = None

    def __init__(self, db: Database) -> None:
        self._db = db
        # One bot process per file (`briefbot run` holds storage.sole's lock on it): a lock
        # in memory excludes all that may run.
        self._exclusive = asyncio.Lock()
        self._open_repositories(SqliteSql(db))

    def _open_repositories(self, sql: Sql) -> None:
        """Every repository, on `sql`: each serves both engines."""
        self.search = search = SearchRepo(sql)
        # The search index is kept in step in the transaction that changes a brief.
        self.briefs = briefs = BriefRepo(sql, search.index_in)
        # What each reader opened stays in memory only where one process writes the table.
        self.readers = ReaderRepo(sql, remember=not self.shared_by_replicas)
        self.drafts = DraftRepo(sql, briefs)
        # What a chat speaks in stays in memory only where one process writes the tables;
        # a subscription's change of zone makes it read again.
        self.languages = languages = ChatLanguageRepo(sql, remember=not self.shared_by_replicas)
        self.subscribers = SubscriberRepo(sql, languages.forget)
        self.deliveries = DeliveryRepo(sql)
        self.pushes = PushRepo(sql)
        self.state = StateRepo(sql)
        self.channels = ChannelRepo(sql)
        self.inline_copies = InlineCopyRepo(sql)
        self.corrections = CorrectionRepo(sql)
        self.pastes = PasteRepo(sql)
        self.updates = UpdateRepo(sql)
        self.replicas = ReplicaRepo(sql)
        self.audio = AudioRepo(sql)
        self.matrix = MatrixRepo(sql)

    @classmethod
    async def open(cls, path: str | os.PathLike[str]) -> Storage:
        """Open (creating if needed) the database file and apply missing migrations.

        Raises UnusableDatabaseError when the file cannot serve: its folder is missing, it
        is a folder, not SQLite, read-only, or from a newer briefbot.
        """
        return cls(await Database.open(path))

    @classmethod
    async def open_read_only(cls, path: str | os.PathLike[str]) -> Storage:
        """An existing database as it is, for looking only: nothing is migrated or written
        (SQLite refuses every write). Raises UnusableDatabaseError as open() does, and when
        the file does not exist. At schema_version 0 (an empty file) it has no tables.
        """
        return cls(await Database.open_read_only(path))

    async def close(self) -> None:
        await self._db.close()

    async def ping(self) -> None:
        """Return once the database answers a query; StorageError when it cannot."""
        await self._db.ping()

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        """Run the block while no other block holding `name` runs, in any process serving
        this database (on PostgreSQL, an advisory lock: a replica that dies lets go)."""
        async with self._exclusive:
            yield

    async def __aenter__(self) -> Storage:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def schema_version(self) -> int:
        return self._db.schema_version

    @property
    def migration_backup(self) -> Path | None:
        """The backup opening wrote beside the file before migrating it, if it did."""
        return self._db.migration_backup

    async def backup(self, target: Path, *, overwrite: bool = False) -> None:
        """Write a checked, consistent copy of the database to `target`.

        Raises BackupTargetError when the target cannot take it (its folder is missing or
        not writable, or the file exists and `overwrite` is false), BackupError otherwise.
        """
        await self._db.backup(target, overwrite=overwrite)

    async def settings(self) -> tuple[ConnectionSettings, ConnectionSettings]:
        """The pragmas in force on the (writer, reader) connections."""
        return await self._db.settings()


__all__ = [
    "AudioJob",
    "AudioPart",
    "AudioRepo",
    "AuditEntry",
    "BackupError",
    "BackupTargetError",
    "BriefAudio",
    "BriefHeader",
    "BriefRepo",
    "ChannelRepo",
    "ChatLanguage",
    "ChatLanguageRepo",
    "ConnectionSettings",
    "ConstraintError",
    "DeliveryRecord",
    "DeliveryRepo",
    "Draft",
    "DraftRepo",
    "InlineCopy",
    "InlineCopyRepo",
    "MatrixRepo",
    "MigrationBackupError",
    "PastePart",
    "PushRepo",
    "PushRun",
    "ReaderRepo",
    "SchemaTooNewError",
    "SchemaTooOldError",
    "SearchHit",
    "SearchRepo",
    "StaleDraft",
    "StateRepo",
    "Storage",
    "StorageError",
    "StoredAudioPart",
    "StoredBrief",
    "Subscriber",
    "SubscriberCounts",
    "SubscriberRepo",
    "UnusableDatabaseError",
    "UnwritableDatabaseError",
    "VoiceCopy",
]
