"""The core's Messenger (bot/core/chat.py) over Matrix: how the core sends, notifies and
edits in Matrix rooms.

Every send waits for its turn in the Matrix budget (a Pacer of its own: the homeserver's
limits are not Telegram's), and an M_LIMIT_EXCEEDED pauses Matrix sends alone for as long
as the homeserver asked. A room's and an event's names are the core's integer ids through
storage.matrix. A room that refuses the bot (it left, was kicked, may not write) is an
answer, logged, never an exception.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from mautrix.client import ClientAPI
from mautrix.errors import MatrixConnectionError, MatrixRequestError
from mautrix.types import EventID, RoomID

from bot.core.budget.pacing import Pacer
from bot.core.chat import CopyAt, Edit, Keyboard, Reply, SentVoice, VoiceNote
from bot.matrix.client import RateLimited, send_message
from bot.matrix.text import message_content, replacement
from storage import Storage
from storage.cache import LRU

log = logging.getLogger(__name__)
_T = TypeVar("_T")
# M_LIMIT_EXCEEDED answers honoured for one message before it is given up.
SEND_WAITS = 5
UPLOADS_KEPT = 256  # voice notes' uploads remembered: a day's briefs, a few parts each
# What refuses for good: the room is gone or forbids the bot; anything else may pass later.
_REFUSALS = ("M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_TOKEN", "M_BAD_JSON", "M_TOO_LARGE")


class _Refusal(Exception):
    """The homeserver will not take this message: sending it again would fail the same."""


class _Busy(Exception):
    """Not now (rate limited too often, a timeout, a server error): it may work later."""


class MatrixMessenger:
    def __init__(self, client: ClientAPI, storage: Storage, pacer: Pacer) -> None:
        self._client = client
        self._storage = storage
        self._pacer = pacer
        # Each voice note's content URI once uploaded, by the audio's hash. In memory: after
        # a restart (or on another replica) a note is uploaded once more, then sent by it.
        self._uploads: LRU[bytes, str] = LRU(UPLOADS_KEPT)

    async def send(self, chat_id: int, reply: Reply) -> list[int] | None:
        room = await self._room(chat_id)
        if room is None:
            return None
        sent: list[int] = []
        last = len(reply.texts) - 1
        for index, text in enumerate(reply.texts):
            content = message_content(text, reply.keyboard if index == last else None)
            message_id = await self._sent(chat_id, room, content, "reply")
            if message_id is None:
                return None
            sent.append(message_id)
        return sent

    async def notify(self, chat_id: int, text: str) -> None:
        room = await self._room(chat_id)
        if room is not None:
            await self._sent(chat_id, room, message_content(text, notice=True), "notice")

    async def send_voice(self, chat_id: int, note: VoiceNote) -> SentVoice | None:
        room = await self._room(chat_id)
        if room is None:
            return None
        key = hashlib.sha256(note.data).digest()
        uri = self._uploads.get(key)
        if uri is None:
            try:
                uri = await self._paced(chat_id, lambda: self._upload(note.data))
            except (_Refusal, _Busy) as error:
                log.warning("voice note not uploaded for %s: %s", room, error)
                return None
            self._uploads.put(key, uri)
        caption = message_content(note.caption, note.keyboard)
        content = {
            "msgtype": "m.audio",
            "body": caption["body"],
            "format": caption["format"],
            "formatted_body": caption["formatted_body"],
            "filename": "brief.ogg",
            "url": uri,
            "info": {
                "mimetype": "audio/ogg",
                "size": len(note.data) or None,
                "duration": round(note.duration * 1000),
            },
            # MSC3245: shown as a voice message (a waveform, played inline) by Element.
            "org.matrix.msc3245.voice": {},
            "org.matrix.msc1767.audio": {"duration": round(note.duration * 1000)},
        }
        content["info"] = {k: v for k, v in content["info"].items() if v is not None}
        message_id = await self._sent(chat_id, room, content, "voice note")
        # The core keeps one file id per part, Telegram's: the same one is given back, so
        # that a Matrix send never overwrites it (the upload is remembered here instead).
        return None if message_id is None else SentVoice(message_id, note.file_id or "")

    async def _upload(self, data: bytes) -> str:
        uri = await self._client.upload_media(
            data, mime_type="audio/ogg", filename="brief.ogg", size=len(data)
        )
        return str(uri)

    async def edit(self, at: CopyAt, text: str, keyboard: Keyboard | None) -> Edit:
        return await self._replace(at, message_content(text, keyboard))

    async def edit_caption(self, at: CopyAt, caption: str, keyboard: Keyboard | None) -> Edit:
        # A voice note's caption is its body: a text edit of it keeps the audio.
        return await self._replace(at, message_content(caption, keyboard))

    def app_of(self, chat_id: int | None) -> str | None:
        return None  # beside Telegram's, bot/routing.py names both

    async def delete(self, at: CopyAt) -> bool:
        found = await self._event(at)
        if found is None:
            return False
        room, event = found
        try:
            await self._paced(at.chat_id, lambda: self._client.redact(room, EventID(event)))
        except (_Refusal, _Busy) as error:
            log.info("event %s in %s not redacted: %s", event, room, error)
            return False
        return True

    async def _replace(self, at: CopyAt, content: dict[str, Any]) -> Edit:
        found = await self._event(at)
        if found is None:
            return Edit.FAILED
        room, event = found
        edit = replacement(event, content)
        try:
            await self._paced(
                at.chat_id,
                lambda: send_message(self._client, room, edit),
            )
        except _Refusal as error:
            log.info("event %s in %s not edited: %s", event, room, error)
            return Edit.FAILED
        except _Busy as error:
            log.info("event %s in %s not edited now: %s", event, room, error)
            return Edit.BUSY
        return Edit.EDITED

    async def _sent(
        self, chat_id: int, room: RoomID, content: dict[str, Any], what: str
    ) -> int | None:
        """The message's id; None (logged) when the room refused it or it could not go."""
        try:
            event = await self._paced(
                chat_id,
                lambda: send_message(self._client, room, content),
            )
        except (_Refusal, _Busy) as error:
            log.warning("%s not sent to %s: %s", what, room, error)
            return None
        return await self._storage.matrix.remember_event(chat_id, str(event))

    async def _paced(self, chat_id: int | None, request: Callable[[], Awaitable[_T]]) -> _T:
        """The request, in its turn; the homeserver's "wait" obeyed up to SEND_WAITS times.
        _Refusal or _Busy for what cannot be done now."""
        for _ in range(SEND_WAITS + 1):
            await self._pacer.acquire(chat_id, urgent=True)
            try:
                return await request()
            except RateLimited as error:
                self._pacer.pause(error.retry_after, chat_id)
            except MatrixRequestError as error:
                if getattr(error, "errcode", None) in _REFUSALS or 400 <= _status(error) < 500:
                    raise _Refusal(str(error)) from None
                raise _Busy(str(error)) from None
            except (MatrixConnectionError, TimeoutError, OSError) as error:
                raise _Busy(f"{type(error).__name__}: {error}") from None
        raise _Busy("rate limited by the homeserver")

    async def _room(self, chat_id: int) -> RoomID | None:
        name = await self._storage.matrix.name_of(chat_id)
        if name is None or not name.startswith("!"):
            log.warning("no Matrix room has id %s", chat_id)
            return None
        return RoomID(name)

    async def _event(self, at: CopyAt) -> tuple[RoomID, str] | None:
        if at.chat_id is None or at.message_id is None:
            return None
        room = await self._room(at.chat_id)
        event = await self._storage.matrix.event_of(at.chat_id, at.message_id)
        if room is None or event is None:
            return None
        return room, event


def _status(error: MatrixRequestError) -> int:
    status = getattr(error, "http_status", 0)
    return status if isinstance(status, int) else 0
