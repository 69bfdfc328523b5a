"""The seam between the core and a chat app: what the core shows, and what it asks of the app.

The core decides what a reader sees: which texts (rendered from `templates/`, in the small
HTML subset every chat app the bot speaks displays: b, i, a, code, blockquote) and which
buttons, each named by what it does (`ShowPart`, `ShareBrief`, ...). A chat app's adapter
decides how: Telegram's adapter (bot/telegram/) turns an action into callback data, a deep
link or an inline-mode switch, and sends through the Bot API. A second messaging app is a
second adapter implementing `Messenger` and encoding the same actions; no core module
changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from enum import Enum
from typing import Literal, Protocol, TypeAlias, get_args

Part: TypeAlias = Literal["summary", "facts", "sources", "narratives"]
PARTS: tuple[Part, ...] = get_args(Part)
# SQLite's largest integer: a larger number names no brief and must not reach a query.
MAX_BRIEF_ID = 2**63 - 1
DraftStep: TypeAlias = Literal["publish", "discard"]
SettingsStep: TypeAlias = Literal["on", "off", "time", "zone"]


def brief_number(text: str) -> int | None:
    """A brief id as a reader writes it (`12`, `#12`) or as an app's button data holds it;
    None for anything else."""
    digits = text.removeprefix("#")
    # The length first: int() refuses thousands of digits with an exception of its own.
    if len(digits) > len(str(MAX_BRIEF_ID)):
        return None
    if digits.isascii() and digits.isdigit() and 0 < int(digits) <= MAX_BRIEF_ID:
        return int(digits)
    return None


@dataclass(frozen=True, slots=True)
class ShowPart:
    """A press shows this part of the brief, here."""

    brief_id: int
    part: Part


@dataclass(frozen=True, slots=True)
class OpenPart:
    """Opens the part in a private chat with the bot: for a copy in a chat where the bot
    cannot answer a press (a channel, a group it is not in)."""

    brief_id: int
    part: Part


@dataclass(frozen=True, slots=True)
class ShareBrief:
    """Lets the reader pick a chat and send the brief there, through the bot."""

    brief_id: int


@dataclass(frozen=True, slots=True)
class ShareLink:
    """Shares a link to the brief, with its title, without the bot (from a channel)."""

    brief_id: int
    title: str


@dataclass(frozen=True, slots=True)
class ArchivePage:
    """Shows that page of the archive (0 is the newest), in place."""

    page: int


@dataclass(frozen=True, slots=True)
class DraftChoice:
    """An admin publishes or discards a draft."""

    draft_id: int
    step: DraftStep


@dataclass(frozen=True, slots=True)
class SettingsChoice:
    """A change under a chat's subscription settings: start, stop, a delivery time or a
    time zone."""

    step: SettingsStep
    clock: time | None = None  # for "time"
    zone_index: int | None = None  # for "zone": an index into subscribing.SETTINGS_ZONES


@dataclass(frozen=True, slots=True)
class LanguageChoice:
    """A chat chooses the language the bot speaks to it; None: back to its app's language."""

    language: str | None


@dataclass(frozen=True, slots=True)
class Listen:
    """Sends the brief's voice note, here; `linked`: opens it in a private chat with the bot
    instead, for a copy in a chat where the bot cannot answer a press (a channel)."""

    brief_id: int
    linked: bool = False


Action: TypeAlias = (
    ShowPart
    | OpenPart
    | ShareBrief
    | ShareLink
    | ArchivePage
    | DraftChoice
    | SettingsChoice
    | LanguageChoice
    | Listen
)


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: Action


Keyboard: TypeAlias = tuple[tuple[Button, ...], ...]
"""Rows of buttons, under a message."""


@dataclass(frozen=True, slots=True)
class Reply:
    """Messages to send in order; the keyboard goes under the last one."""

    texts: Sequence[str]
    keyboard: Keyboard | None = None


@dataclass(frozen=True, slots=True)
class CopyAt:
    """Where a message the bot sent is: in a chat, or (Telegram's inline mode) only by the
    id the app gave it."""

    chat_id: int | None = None
    message_id: int | None = None
    inline_message_id: str | None = None


@dataclass(frozen=True, slots=True)
class VoiceNote:
    """A voice note to send: OGG/Opus bytes, or the app's own id for the same file when it
    has one (sent before), with a caption and buttons."""

    data: bytes
    file_id: str | None
    duration: float  # seconds
    caption: str
    keyboard: Keyboard | None = None


@dataclass(frozen=True, slots=True)
class SentVoice:
    """A voice note as the app took it: its message, and the id that sends the same file
    again without uploading it."""

    message_id: int
    file_id: str


class Edit(Enum):
    """What became of an edit."""

    EDITED = "edited"
    UNCHANGED = "unchanged"  # the message already shows this text
    BUSY = "busy"  # the app asked to wait, or did not answer in time: may work later
    FAILED = "failed"  # deleted, too old, the reader blocked the bot, rights taken away


class Messenger(Protocol):
    """What the core asks of a chat app. A chat that refuses the bot as any chat may
    (blocked it, removed it, does not let it write) is an answer, logged by the adapter,
    never an exception: it is nobody's fault to report."""

    async def send(self, chat_id: int, reply: Reply) -> list[int] | None:
        """The messages' ids, in order; None when the chat refused them."""

    async def notify(self, chat_id: int, text: str) -> None:
        """A notice to an admin that must not fail its caller: what cannot be delivered is
        logged as a warning (an admin who blocked the bot misses every report)."""

    async def edit(self, at: CopyAt, text: str, keyboard: Keyboard | None) -> Edit:
        """The message at `at` shows `text` and `keyboard` now, if it can."""

    async def send_voice(self, chat_id: int, note: VoiceNote) -> SentVoice | None:
        """The voice note sent (by its file id when it has one); None when the chat
        refused it."""

    async def edit_caption(self, at: CopyAt, caption: str, keyboard: Keyboard | None) -> Edit:
        """The media message at `at` (a voice note) has `caption` and `keyboard` now."""

    async def delete(self, at: CopyAt) -> bool:
        """The message at `at` is gone from its chat; False when the app keeps it (too old
        to delete, rights taken away, already gone)."""

    def app_of(self, chat_id: int | None) -> str | None:
        """The name of the app the chat is in when the bot speaks in several (the admin's
        report counts each app's copies apart); None when it speaks in one."""
