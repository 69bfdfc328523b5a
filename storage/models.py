"""What storage hands back: frozen dataclasses, never rows.

Every datetime here is timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from brief.model import Brief, Problem


@dataclass(frozen=True, slots=True)
class StoredBrief:
    id: int
    brief: Brief
    version: int
    published_at: datetime
    updated_at: datetime | None  # when this version was written, for versions after the first
    retracted_at: datetime | None


@dataclass(frozen=True, slots=True)
class BriefHeader:
    id: int
    title: str
    published_at: datetime


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: int
    title: str
    published_at: datetime
    # Plain text around the best match, each matched word between search.MARK_START and
    # MARK_END: escape it before showing it.
    snippet: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    brief_id: int
    action: str  # "publish" | "correct" | "retract"
    actor: int | None
    at: datetime
    version: int | None


@dataclass(frozen=True, slots=True)
class Draft:
    id: int
    admin_id: int
    chat_id: int
    brief: Brief
    warnings: tuple[Problem, ...]
    correcting: int | None
    created_at: datetime
    expires_at: datetime
    # The version of `correcting` the correction was made from: publishing it is refused
    # once another version has taken its place (StaleDraft). None for a new brief.
    based_on: int | None = None
    # Who recorded the voice note kept with it (DraftStore.keep_recording), if anyone: it
    # becomes the published version's recording.
    recorded_by_name: str | None = None


@dataclass(frozen=True, slots=True)
class StaleDraft:
    """A correction refused: it was made from version `based_on` of the brief, which is
    now at version `current`. Nothing was published and the draft is kept."""

    brief_id: int
    based_on: int
    current: int


@dataclass(frozen=True, slots=True)
class Subscriber:
    chat_id: int
    delivery_time: time
    timezone: str
    active: bool
    blocked: bool
    subscribed_at: datetime
    next_due_at: datetime
    last_delivered_at: datetime | None
    # The chat's language (storage/languages.py): the one it chose, and Telegram's
    # language_code last seen for it. Read with the subscription by due() and claim_due(),
    # so that the push writes in it; None elsewhere, and where the chat has none.
    chosen_language: str | None = None
    seen_language: str | None = None


@dataclass(frozen=True, slots=True)
class ChatLanguage:
    """What storage knows of a chat's language (storage/languages.py); all None for a chat
    it knows nothing of."""

    chosen: str | None  # the language the chat chose (/language), a code the bot ships
    seen: str | None  # Telegram's language_code, as last seen for it ("pt-br")
    zone: str | None  # the time zone of its subscription, whether active or not


@dataclass(frozen=True, slots=True)
class SubscriberCounts:
    active: int  # subscribed and reachable
    blocked: int  # the bot is blocked in the chat, whatever the subscription
    inactive: int  # unsubscribed and not blocked


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    brief_id: int
    chat_id: int
    status: str  # "sending" | "sent" | "failed"
    attempts: int
    message_ids: tuple[int, ...]
    last_error: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class InlineCopy:
    """A brief's summary a user sent into some chat through inline mode."""

    inline_message_id: str
    brief_id: int
    user_id: int
    chosen_at: datetime


@dataclass(frozen=True, slots=True)
class PushRun:
    id: int
    brief_id: int | None
    started_by: int | None
    started_at: datetime
    finished_at: datetime | None
    sent: int
    failed: int
    skipped: int
    total: int
    owner: str | None = None  # the replica running it (bot/core/replicas/replica.py)
    progress: tuple[int, int] | None = None  # (chat_id, message_id) reporting on it


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """The pragmas a connection actually runs with, as SQLite reports them."""

    journal_mode: str
    foreign_keys: bool
    synchronous: int  # 1 = NORMAL
    busy_timeout_ms: int


@dataclass(frozen=True, slots=True)
class PastePart:
    """One message of a paste a client cut into several, as received."""

    message_id: int
    text: str
    links: tuple[tuple[str, str], ...]  # (anchor text, url), in the message's order


@dataclass(frozen=True, slots=True)
class AudioPart:
    """One voice note to store: OGG/Opus bytes and how long they play."""

    data: bytes
    duration: float  # seconds


@dataclass(frozen=True, slots=True)
class AudioJob:
    """A brief version whose voice note is to be made, as claim_next hands it out."""

    brief_id: int
    version: int
    attempts: int  # claims so far, this one included


@dataclass(frozen=True, slots=True)
class StoredAudioPart:
    part: int  # 0..n-1: a long brief is several voice notes, sent in this order
    data: bytes
    duration: float  # seconds
    file_id: str | None  # Telegram's, once uploaded: later sends reuse it


@dataclass(frozen=True, slots=True)
class BriefAudio:
    """What readers of a brief version get to hear (storage/audio.py AudioRepo.current)."""

    kind: str | None  # "recorded" | "generated"; None while there is no audio
    parts: tuple[StoredAudioPart, ...]  # empty while there is no audio
    engine: str | None  # "piper" | "espeak-ng" | "editor"...
    recorded_by_name: str | None  # who recorded it, for a recording
    # The version's job: "pending" | "done" | "failed" | "none" (no voice for its
    # language); None when no audio was ever wanted for it (a recording may still be here).
    status: str | None

    @property
    def ready(self) -> bool:
        return bool(self.parts)


@dataclass(frozen=True, slots=True)
class VoiceCopy:
    """A voice note sent to a reader: a correction or retraction reaches it."""

    chat_id: int
    message_id: int
    version: int
    kind: str = "generated"  # which audio it carries: "generated" | "recorded"
