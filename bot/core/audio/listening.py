"""A reader listens: `/listen [N]` and the Listen button send the brief's voice note (each
part of it, for a long brief), with its title as caption; or say why there is none yet.

The file is uploaded once: the id the chat app answers with is kept with the part, and
every later send reuses it. Each voice note sent is kept as a copy, so a correction or a
withdrawal reaches it (bot/core/publishing/corrections.py edits its caption).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.buttons import listen_button
from bot.core.chat import CopyAt, Messenger, Reply, VoiceNote
from bot.core.reading import Refusal, find_brief, parse_brief_id, render_refusal
from bot.core.rendering import Renderer
from storage import BriefAudio, Storage, StoredBrief

# Why a brief has no voice note to send; each worded by templates/listen_unavailable.html.
_MAKING = "making"  # wanted and not made yet
_NO_VOICE = "no_voice"  # the bot has no voice for the brief's language
_FAILED = "failed"  # the engine failed: the log says why
_OFF = "off"  # AUDIO=off, and no editor recorded it


async def listen_by_command(
    messenger: Messenger,
    storage: Storage,
    renderer: Renderer,
    *,
    chat_id: int,
    reader_id: int,
    args: list[str],
    making: bool,
    at: datetime,
) -> Reply | None:
    """`/listen` (the reader's current brief, like /facts) or `/listen 12`; see listen."""
    brief_id = parse_brief_id("listen", args)
    if isinstance(brief_id, Refusal):
        return render_refusal(renderer, brief_id)
    return await listen(
        messenger,
        storage,
        renderer,
        chat_id=chat_id,
        reader_id=reader_id,
        brief_id=brief_id,
        making=making,
        at=at,
    )


async def listen(
    messenger: Messenger,
    storage: Storage,
    renderer: Renderer,
    *,
    chat_id: int,
    reader_id: int,
    brief_id: int | None,
    making: bool,
    at: datetime,
) -> Reply | None:
    """The brief's voice note sent to `chat_id` (None: nothing more to say), or what to
    answer instead: why the brief cannot be shown, or why it has no voice note yet.
    `making`: this bot makes voice notes (AUDIO is on)."""
    found = await find_brief(storage, reader_id, brief_id)
    if isinstance(found, Refusal):
        return render_refusal(renderer, found)
    await storage.readers.set_last_opened(reader_id, found.id)
    audio = await storage.audio.current(found.id, found.version)
    if audio is None or not audio.parts:
        why = _why_none(audio, making)
        if why == _MAKING and audio is None:  # not wanted yet: published before audio was on
            await storage.audio.want(found.id, found.version, at=at)
        text = renderer.render("listen_unavailable.html", brief_id=found.id, why=why)
        return Reply([text])
    await _send_parts(messenger, storage, renderer, chat_id, found, audio, at)
    return None


def _why_none(audio: BriefAudio | None, making: bool) -> str:
    status = audio.status if audio is not None else None
    if status == "none":
        return _NO_VOICE
    if status == "failed":
        return _FAILED
    return _MAKING if making else _OFF


async def _send_parts(
    messenger: Messenger,
    storage: Storage,
    renderer: Renderer,
    chat_id: int,
    stored: StoredBrief,
    audio: BriefAudio,
    at: datetime,
) -> None:
    """Each part in order, until the chat refuses one; its file id kept, the copy recorded."""
    total = len(audio.parts)
    for number, part in enumerate(audio.parts, start=1):
        caption = renderer.render(
            "listen_caption.html",
            title=stored.brief.title,
            number=number,
            total=total,
            recorded_by=audio.recorded_by_name if audio.kind == "recorded" else None,
        )
        note = VoiceNote(part.data, part.file_id, part.duration, caption)
        sent = await messenger.send_voice(chat_id, note)
        if sent is None:
            return
        if sent.file_id != part.file_id:
            await storage.audio.remember_file_id(
                stored.id, stored.version, audio.kind or "generated", part.part, sent.file_id
            )
        await storage.audio.record_copy(
            stored.id, chat_id, sent.message_id, version=stored.version, at=at
        )


async def voice_copies(storage: Storage, stored: StoredBrief) -> Sequence[CopyAt]:
    """Voice notes readers were sent of an older version (all of them, once withdrawn)."""
    withdrawn = stored.retracted_at is not None
    return [
        CopyAt(copy.chat_id, copy.message_id)
        for copy in await storage.audio.copies(stored.id)
        if withdrawn or copy.version < stored.version
    ]


def corrected_voice_look(renderer: Renderer, stored: StoredBrief) -> Reply:
    """A voice note of an older version: a short note, and Listen for the new recording."""
    text = renderer.render("listen_corrected.html", title=stored.brief.title)
    return Reply([text], ((listen_button(renderer, stored.id),),))
