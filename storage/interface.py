"""What the bot may ask of storage, whichever database holds it: one Protocol per repository.

The repositories (storage/briefs.py...) satisfy these on both engines, through
storage.sql.Sql (storage.sqlite.SqliteSql, storage.postgres.db.PortableSql). tests/storage
runs the same tests on both. Each method's meaning is documented once, on the implementation named
beside it; a new method is added here and there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Protocol

from brief.model import Brief, Problem
from storage.models import (
    AudioPart,
    AuditEntry,
    BriefHeader,
    ChatLanguage,
    DeliveryRecord,
    Draft,
    InlineCopy,
    PastePart,
    PushRun,
    SearchHit,
    StaleDraft,
    StoredBrief,
    Subscriber,
    SubscriberCounts,
)


class BriefStore(Protocol):  # storage/briefs.py BriefRepo
    async def publish(self, brief: Brief, *, by: int | None, at: datetime) -> StoredBrief: ...
    async def get(self, brief_id: int) -> StoredBrief | None: ...
    async def latest(self) -> StoredBrief | None: ...
    async def correct(
        self, brief_id: int, brief: Brief, *, by: int | None, at: datetime
    ) -> StoredBrief | None: ...
    async def version(self, brief_id: int, version: int) -> StoredBrief | None: ...
    async def retract(
        self, brief_id: int, *, by: int | None, at: datetime
    ) -> StoredBrief | None: ...
    async def find_published(self, brief: Brief) -> StoredBrief | None: ...
    async def history(self, brief_id: int) -> list[AuditEntry]: ...
    async def count(self) -> int: ...
    async def newest(self, *, limit: int, offset: int = 0) -> list[BriefHeader]: ...
    async def published_since(self, since: datetime, *, limit: int = 100) -> list[BriefHeader]: ...


class ReaderStore(Protocol):  # storage/readers.py ReaderRepo
    async def set_last_opened(
        self, user_id: int, brief_id: int, *, at: datetime | None = None
    ) -> None: ...
    async def last_opened(self, user_id: int) -> int | None: ...


class DraftStore(Protocol):  # storage/drafts.py DraftRepo
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
    ) -> Draft: ...
    async def get(self, draft_id: int) -> Draft | None: ...
    async def discard(self, draft_id: int) -> bool: ...
    # The admin's unexpired drafts in the chat, newest first.
    async def open_drafts(self, admin_id: int, chat_id: int, *, at: datetime) -> list[Draft]: ...
    # An editor's recording kept with the draft (replacing one before) until it is
    # published; False when the draft is gone or expired. Ordered against a publish of
    # the same draft: kept before, it is published with it; after, the draft is gone.
    async def keep_recording(
        self,
        draft_id: int,
        part: AudioPart,
        *,
        by: int,
        by_name: str,
        file_id: str | None,
        at: datetime,
    ) -> bool: ...
    # A correction publishes only while its brief is at the draft's `based_on`, checked and
    # set in one statement; otherwise StaleDraft, nothing changed and the draft kept. The
    # recording kept with the draft becomes the published version's, in the same
    # transaction.
    async def publish(
        self, draft_id: int, *, by: int, at: datetime
    ) -> StoredBrief | StaleDraft | None: ...
    async def delete_expired(self, now: datetime) -> int: ...


class SubscriberStore(Protocol):  # storage/subscribers.py SubscriberRepo
    async def subscribe(
        self,
        chat_id: int,
        *,
        delivery_time: time,
        timezone: str,
        next_due_at: datetime,
        at: datetime,
    ) -> Subscriber: ...
    async def get(self, chat_id: int) -> Subscriber | None: ...
    async def unsubscribe(self, chat_id: int) -> bool: ...
    async def set_blocked(self, chat_id: int, blocked: bool, *, at: datetime) -> None: ...
    async def move_zone(self, chat_id: int, old: str, new: str, *, at: datetime) -> None: ...
    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None: ...
    async def due(
        self,
        now: datetime,
        *,
        limit: int,
        after_chat_id: int | None = None,
        after_due_at: datetime | None = None,
    ) -> list[Subscriber]: ...
    async def claim_due(
        self, now: datetime, *, limit: int, hold_until: datetime
    ) -> list[Subscriber]: ...
    async def reschedule(
        self, chat_id: int, *, next_due_at: datetime, delivered_at: datetime | None
    ) -> None: ...
    async def due_by(self, chat_id: int, at: datetime) -> None: ...
    async def active_chats(self, *, after_chat_id: int | None, limit: int) -> list[int]: ...
    async def counts(self) -> SubscriberCounts: ...


class ChatLanguageStore(Protocol):  # storage/languages.py ChatLanguageRepo
    """Each chat's language as storage keeps it, so that what is sent without an update
    (the daily push, corrections of pushed copies) is in the chat's language.

    `choose` keeps the language the chat chose (None clears it). `seen` keeps Telegram's
    language_code for the chat as given (cut to LANGUAGE_CODE_CHARS; None or empty clears
    it); unchanged, it writes nothing, so it is called when a chat subscribes or chooses,
    never at every update. Each is one statement; `at` becomes the row's changed_at only
    when a value changed. `get` never fails for an unknown chat: all None. Its `zone` is
    the chat's subscription's time zone, active or not, read in the same query. `of_chats`
    answers for every chat asked, in bounded batches. SubscriberStore.migrate moves a
    chat's row with its subscription; SubscriberStore.due and claim_due carry `chosen` and
    `seen` on each Subscriber, read in the same query.
    """

    async def choose(self, chat_id: int, language: str | None, *, at: datetime) -> None: ...
    async def seen(self, chat_id: int, telegram_code: str | None, *, at: datetime) -> None: ...
    async def get(self, chat_id: int) -> ChatLanguage: ...
    async def of_chats(self, chat_ids: Sequence[int]) -> dict[int, ChatLanguage]: ...


class DeliveryStore(Protocol):  # storage/deliveries.py DeliveryRepo
    async def claim(
        self, brief_id: int, chat_id: int, *, at: datetime, owner: str | None = None
    ) -> bool: ...
    async def claim_many(
        self, brief_id: int, chat_ids: Sequence[int], *, at: datetime, owner: str | None = None
    ) -> list[int]: ...
    async def mark_sent(
        self, brief_id: int, chat_id: int, message_ids: Sequence[int], *, at: datetime
    ) -> None: ...
    async def mark_sent_many(
        self, sent: Sequence[tuple[int, int, Sequence[int]]], *, at: datetime
    ) -> None: ...
    async def mark_failed(
        self, brief_id: int, chat_id: int, error: str, *, at: datetime, owner: str | None = None
    ) -> None: ...
    async def release_in_flight(self) -> int: ...
    async def still_held(
        self, owner: str, rows: Sequence[tuple[int, int]]
    ) -> list[tuple[int, int]] | None: ...
    async def release_held(self, owner: str) -> int: ...
    async def get(self, brief_id: int, chat_id: int) -> DeliveryRecord | None: ...
    async def sent_copies(self, brief_id: int) -> list[DeliveryRecord]: ...
    async def failed_for(
        self, chat_id: int, *, since: datetime, limit: int = 100
    ) -> list[BriefHeader]: ...
    async def undelivered(self, chat_id: int, brief_ids: Sequence[int]) -> list[int]: ...


class PushStore(Protocol):  # storage/pushes.py PushRepo
    async def begin(
        self,
        *,
        brief_id: int | None,
        by: int | None,
        total: int,
        at: datetime,
        owner: str | None = None,
        progress: tuple[int, int] | None = None,
    ) -> PushRun: ...
    async def take_over(self, owner: str) -> list[PushRun]: ...
    async def release(self, owner: str) -> int: ...
    async def finish(
        self,
        push_id: int,
        *,
        sent: int,
        failed: int,
        skipped: int,
        at: datetime,
        owner: str | None = None,
    ) -> PushRun | None: ...
    async def last(self) -> PushRun | None: ...
    async def unfinished(self) -> list[PushRun]: ...


class ReplicaStore(Protocol):  # storage/replicas.py ReplicaRepo
    async def join(self, replica_id: str, *, lease: timedelta) -> None: ...
    async def beat(self, replica_id: str, *, lease: timedelta) -> bool: ...
    async def take_for_dead(self, *, grace: timedelta) -> list[str]: ...
    async def leave(self, replica_id: str) -> None: ...
    async def forget_all_but(self, replica_id: str) -> int: ...


class SendBudgetStore(Protocol):  # storage/postgres/send_budget.py PgSendBudget (no SQLite twin)
    async def slots(self, count: int, interval: float) -> tuple[float, float]: ...
    async def pause(self, seconds: float) -> None: ...
    async def chat_turn(self, chat_id: int, interval: float) -> float: ...
    async def forget_turns(self) -> int: ...


class StateStore(Protocol):  # storage/state.py StateRepo
    async def get(self, key: str) -> tuple[str, datetime] | None: ...
    async def put(self, key: str, value: str, *, at: datetime | None = None) -> None: ...
    async def put_if_absent(self, key: str, value: str, *, at: datetime | None = None) -> str: ...


class SearchStore(Protocol):  # storage/search.py SearchRepo
    async def search(self, text: str, *, limit: int = 5, offset: int = 0) -> list[SearchHit]: ...


class ChannelStore(Protocol):  # storage/channels.py ChannelRepo
    async def configure(self, chat_id: int, *, at: datetime) -> datetime: ...
    async def known(self) -> dict[int, datetime]: ...
    async def due(
        self, chat_id: int, *, since: datetime, attempts: int, limit: int = 50
    ) -> list[int]: ...


class InlineCopyStore(Protocol):  # storage/inline.py InlineCopyRepo
    async def record(
        self, inline_message_id: str, brief_id: int, user_id: int, *, at: datetime
    ) -> bool: ...
    async def of_brief(self, brief_id: int) -> list[InlineCopy]: ...
    async def count(self) -> int: ...


class CorrectionStore(Protocol):  # storage/pending.py CorrectionRepo
    async def set(self, chat_id: int, brief_id: int, *, at: datetime) -> None: ...
    async def take(self, chat_id: int, *, since: datetime) -> int | None: ...
    async def delete_expired(self, before: datetime) -> int: ...


class PasteStore(Protocol):  # storage/pending.py PasteRepo
    async def add(
        self,
        chat_id: int,
        part: PastePart,
        *,
        at: datetime,
        forget_before: datetime,
        keep_up_to: int,
    ) -> int | None: ...
    async def take(self, chat_id: int, *, last: int) -> list[PastePart]: ...
    async def delete_stale(self, before: datetime) -> int: ...


class UpdateStore(Protocol):  # storage/updates.py UpdateRepo
    async def first_time(self, update_id: int, *, at: datetime) -> bool: ...
    async def forget_before(self, before: datetime) -> int: ...
