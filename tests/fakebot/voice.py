"""Voice notes: sendVoice and editMessageCaption as Telegram answers them, and the voice and
audio messages users send (an editor replying to a brief with their own recording).

sendVoice (core.telegram.org/bots/api#sendvoice): "your audio must be in an .OGG file
encoded with OPUS, or in .MP3 format, or in .M4A format (other formats may be sent as Audio
or Document)"; "Bots can currently send voice messages of up to 50 MB in size". The voice is
an upload, a file_id Telegram issued before (sent again without an upload, as the same file,
with the duration it was stored with) or an HTTP URL.

Where the fake is stricter than Telegram, it says so in the refusal: an upload that is not
OGG/Opus (mono, whole), MP3 or M4A is refused, where Telegram would deliver it as a plain
file rather than a playable voice note; a file_id of another kind of file (a document, an
audio file) is refused; a URL is refused, as Telegram refuses one it cannot fetch, since
the fake fetches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp.web import FileField

from tests.fakebot.errors import ApiError, bad_request
from tests.fakebot.markup import check_reply_markup
from tests.fakebot.model import FakeFile, FakeUser, SentMessage
from tests.fakebot.ogg import check_ogg_opus
from tests.fakebot.text import CAPTION, format_text
from tests.fakebot.world import MethodImpl, World

MAX_UPLOAD_BYTES = 50_000_000  # "up to 50 MB", as python-telegram-bot's FILESIZE_UPLOAD
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


@dataclass(frozen=True)
class SentVoice:
    """One voice note the bot sent: the message (its current state), the file's bytes, and
    whether this send uploaded them (False: sent again by file_id)."""

    message: SentMessage
    content: bytes
    uploaded: bool

    @property
    def file_id(self) -> str:
        return str((self.message.voice or {})["file_id"])


def audio_kind(content: bytes) -> tuple[str, int]:
    """The MIME type Telegram gives a voice note of these bytes, and its length in seconds
    when the file says (Ogg); ValueError naming what is wrong."""
    if content.startswith(b"OggS"):
        info = check_ogg_opus(content)
        if info.channels != 1:
            raise ValueError(f"{info.channels} audio channels; a voice note has one")
        return "audio/ogg", int(info.seconds + 0.5)
    if content.startswith(b"ID3") or (
        len(content) > 1 and content[0] == 0xFF and content[1] >= 0xE0
    ):
        return "audio/mpeg", 0
    if content[4:8] == b"ftyp":
        return "audio/mp4", 0
    raise ValueError("neither Ogg, MP3 nor M4A")


class VoiceNotes:
    def __init__(self, world: World) -> None:
        self.world = world
        self.sends: list[SentVoice] = []

    def implementations(self) -> dict[str, MethodImpl]:
        return {"sendVoice": self.send_voice, "editMessageCaption": self.edit_message_caption}

    async def send_voice(self, params: dict[str, Any]) -> Any:
        world = self.world
        chat = world.writable_chat(params["chat_id"], "sendVoice")
        if chat.user is not None and chat.user.voice_messages_forbidden:
            raise bad_request("VOICE_MESSAGES_FORBIDDEN")
        caption, entities = format_text(
            params.get("caption", ""),
            params.get("parse_mode"),
            params.get("caption_entities"),
            CAPTION,
        )
        world.check_common_send(params, chat)
        stored, uploaded = self._voice_file(params["voice"], params.get("duration"))
        sent = world.captioned(chat, params, caption, entities, voice=voice_json(stored))
        world.record_sent(sent)
        self.sends.append(SentVoice(sent, stored.content, uploaded))
        return world.message_json(sent)

    def _voice_file(self, voice: FileField | str, duration: int | None) -> tuple[FakeFile, bool]:
        if isinstance(voice, str):
            return self._known_file(voice), False
        content = voice.file.read()
        if not content:
            raise bad_request("file must be non-empty")
        if len(content) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        try:
            mime_type, seconds = audio_kind(content)
        except ValueError as wrong:
            raise bad_request(
                f"the fake Bot API server refuses this voice note: {wrong}; Telegram plays "
                "OGG/Opus (one channel), MP3 or M4A as a voice note and would deliver this "
                "as a plain file"
            ) from None
        seconds = seconds if duration is None else duration
        return self.world.add_file(
            content, voice.filename, mime_type, kind="voice", duration=seconds
        ), True

    def _known_file(self, file_id: str) -> FakeFile:
        if file_id.startswith("attach://"):
            raise bad_request("wrong remote file identifier specified: can't use attach:// here")
        if file_id.startswith(("http://", "https://")):
            # Telegram's words for a URL it cannot fetch; the fake fetches nothing.
            raise bad_request("failed to get HTTP URL content")
        stored = self.world.files.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != "voice":
            # What Telegram does with a document's file_id in sendVoice is not documented
            # (it keeps a file's kind): the fake refuses rather than guess.
            raise bad_request("type of file mismatch")
        return stored

    async def edit_message_caption(self, params: dict[str, Any]) -> Any:
        world = self.world
        sent = world.editable(params)
        if not sent.has_media:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = format_text(
            params.get("caption", ""),
            params.get("parse_mode"),
            params.get("caption_entities"),
            CAPTION,
        )
        markup = params.get("reply_markup")
        if markup is not None:
            check_reply_markup(markup, inline_only=True)
        if caption == sent.text and entities == sent.entities and markup == sent.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        sent.html, sent.text, sent.entities = params.get("caption"), caption, entities
        sent.parse_mode, sent.reply_markup = params.get("parse_mode"), markup
        sent.edits += 1
        world.sent_changed.set()
        return world.message_json(sent)

    # -- test side: what users send ----------------------------------------------------------

    def voice_message(self, content: bytes, duration: int | None) -> dict[str, Any]:
        """The `voice` of a user's recording: Telegram's apps record OGG/Opus only."""
        try:
            mime_type, seconds = audio_kind(content)
        except ValueError as wrong:
            raise AssertionError(f"a user's voice message is OGG/Opus: {wrong}") from None
        if mime_type != "audio/ogg":
            raise AssertionError("a user's voice message is OGG/Opus, as Telegram's apps record")
        seconds = seconds if duration is None else duration
        stored = self.world.add_file(content, None, mime_type, kind="voice", duration=seconds)
        return {"voice": voice_json(stored)}

    def audio_message(
        self,
        content: bytes,
        file_name: str,
        mime_type: str,
        duration: int,
        title: str | None,
        performer: str | None,
    ) -> dict[str, Any]:
        """The `audio` of a music file a user sends (an MP3, say), as Telegram shows it."""
        stored = self.world.add_file(content, file_name, mime_type, kind="audio", duration=duration)
        audio: dict[str, Any] = {
            **stored.to_api(),
            "duration": duration,
            "file_name": file_name,
            "mime_type": mime_type,
        }
        if title is not None:
            audio["title"] = title
        if performer is not None:
            audio["performer"] = performer
        return {"audio": audio}

    def reply_json(
        self, user: FakeUser, chat_id: int, target: SentMessage | dict[str, Any]
    ) -> dict[str, Any]:
        """The `reply_to_message` of a reply to `target`: a message of the bot's (as the
        server keeps it), or a user's (an update or its message). Telegram does not nest a
        replied message's own reply_to_message."""
        if isinstance(target, SentMessage):
            current = self.world.messages.get((target.chat_id, target.message_id))
            if current is None or current.deleted or current.chat_id != chat_id:
                raise AssertionError(f"user {user.id} cannot reply to message {target.message_id}")
            return self.world.message_json(current)
        message = target.get("message") or target.get("edited_message") or target
        key = (message["chat"]["id"], message["message_id"])
        if key[0] != chat_id or key not in self.world.user_messages:
            raise AssertionError(f"user {user.id} cannot reply to message {key}: not there")
        replied = self.world.user_messages[key]
        return {k: v for k, v in replied.items() if k != "reply_to_message"}


def voice_json(stored: FakeFile) -> dict[str, Any]:
    return {**stored.to_api(), "duration": stored.duration, "mime_type": stored.mime_type}
