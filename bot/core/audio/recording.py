"""An editor's own recording of a brief: an admin replies to the brief with a voice message
or an audio file, and it becomes that version's voice note in place of the generated one;
`/unrecord N` removes it, and readers get the generated one again.

A voice message is OGG/Opus already. An audio file in a format opusenc reads (WAV, AIFF,
FLAC) is converted in a child process; MP3 and M4A are not among them, and the admin is
asked for a voice message instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from pathlib import Path

from bot.core.audio.ogg import opus_duration
from bot.core.audio.synthesis import BITRATE_KBPS
from bot.core.chat import Reply
from bot.core.reading import Reason, Refusal, find_brief, parse_brief_id
from bot.core.rendering import Renderer
from storage import AudioPart, Storage, StoredBrief

# Converting a few minutes of WAV takes about a second; far longer is a stuck encoder.
CONVERT_TIME_LIMIT = 60.0
# What opusenc reads (its --help: "Wave, AIFF, FLAC, Ogg/FLAC, or raw PCM"), by first bytes.
_CONVERTIBLE = (b"RIFF", b"FORM", b"fLaC")


class NotConvertible(Exception):
    """Audio opusenc cannot read or failed to convert."""


async def take_recording(
    storage: Storage,
    renderer: Renderer,
    *,
    brief_id: int | None,
    data: bytes,
    by: int,
    by_name: str,
    file_id: str | None,
    opusenc: Path | None,
    at: datetime,
) -> Reply:
    """The recording kept as the brief's current version's voice note, and the admin told;
    or why not. `file_id`: the chat app's id that sends the same file again as a voice
    note (a voice message's), None for a converted file."""
    stored = await _live(storage, brief_id)
    if not isinstance(stored, StoredBrief):
        return Reply([renderer.render("listen_record_refused.html", why=stored, brief_id=brief_id)])
    if data.startswith(b"OggS"):
        ogg = data
    else:
        file_id = None
        try:
            ogg = await to_opus(data, opusenc)
        except NotConvertible:
            return Reply([renderer.render("listen_record_refused.html", why="format")])
    try:
        duration = opus_duration(ogg)
    except ValueError:
        return Reply([renderer.render("listen_record_refused.html", why="format")])
    await storage.audio.store_recording(
        stored.id,
        stored.version,
        AudioPart(ogg, duration),
        by=by,
        by_name=by_name,
        file_id=file_id,
        at=at,
    )
    text = renderer.render("listen_recorded.html", brief_id=stored.id, seconds=round(duration))
    return Reply([text])


async def remove_recording(storage: Storage, renderer: Renderer, args: list[str]) -> Reply:
    """`/unrecord N`: the brief's current version speaks with its generated voice again."""
    brief_id = parse_brief_id("unrecord", args)
    if brief_id is None or isinstance(brief_id, Refusal):
        return Reply([renderer.render("listen_unrecord_usage.html")])
    stored = await _live(storage, brief_id)
    if not isinstance(stored, StoredBrief):
        return Reply([renderer.render("listen_record_refused.html", why=stored, brief_id=brief_id)])
    removed = await storage.audio.remove_recording(stored.id, stored.version)
    text = renderer.render("listen_unrecorded.html", brief_id=stored.id, removed=removed)
    return Reply([text])


async def _live(storage: Storage, brief_id: int | None) -> StoredBrief | str:
    """The published brief, or why a recording cannot be its: "target" (no brief was
    replied to), "unknown", "withdrawn"."""
    if brief_id is None:
        return "target"
    found = await find_brief(storage, 0, brief_id)
    if isinstance(found, Refusal):
        return "withdrawn" if found.reason is Reason.WITHDRAWN else "unknown"
    return found


async def to_opus(data: bytes, opusenc: Path | None) -> bytes:
    """WAV, AIFF or FLAC as an OGG/Opus voice note; NotConvertible for anything else."""
    if opusenc is None or not data.startswith(_CONVERTIBLE):
        raise NotConvertible
    pipe = asyncio.subprocess.PIPE
    command = (str(opusenc), "--speech", "--bitrate", str(BITRATE_KBPS), "--quiet", "-", "-")
    try:
        process = await asyncio.create_subprocess_exec(
            *command, stdin=pipe, stdout=pipe, stderr=asyncio.subprocess.DEVNULL
        )
    except OSError:
        raise NotConvertible from None
    try:
        async with asyncio.timeout(CONVERT_TIME_LIMIT):
            ogg, _ = await process.communicate(data)
    except TimeoutError:
        raise NotConvertible from None
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    if process.returncode != 0:
        raise NotConvertible
    return ogg
