"""An editor's own recording of a brief: an admin replies to the brief with a voice message
or an audio file, and it becomes that version's voice note in place of the generated one;
`/unrecord N` removes it, and readers get the generated one again. A reply to the preview of
a draft not yet published is kept with the draft, and becomes the recording of the version
its publication makes (a new brief's first, or a correction's); a discarded or expired
draft takes its recording with it.

A voice message is OGG/Opus already. An audio file in a format opusenc reads (WAV, AIFF,
FLAC) is converted in a child process; MP3 and M4A are not among them, and the admin is
asked for a voice message instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.core.audio.ogg import opus_duration
from bot.core.audio.synthesis import BITRATE_KBPS
from bot.core.chat import Reply
from bot.core.reading import Reason, Refusal, find_brief, parse_brief_id
from bot.core.rendering import Renderer
from storage import AudioPart, Draft, Storage, StoredBrief

# Converting a few minutes of WAV takes about a second; far longer is a stuck encoder.
CONVERT_TIME_LIMIT = 60.0
# What opusenc reads (its --help: "Wave, AIFF, FLAC, Ogg/FLAC, or raw PCM"), by first bytes.
_CONVERTIBLE = (b"RIFF", b"FORM", b"fLaC")


class NotConvertible(Exception):
    """Audio opusenc cannot read or failed to convert."""


@dataclass(frozen=True, slots=True)
class Replied:
    """What the chat app read of the message a recording replies to: the briefs and drafts
    its buttons and links name, in order, and its first line (a brief's or a preview's
    title)."""

    briefs: Sequence[int] = ()
    drafts: Sequence[int] = ()
    first_line: str = ""


async def take_recording(
    storage: Storage,
    renderer: Renderer,
    *,
    replied: Replied,
    chat_id: int,
    data: bytes,
    by: int,
    by_name: str,
    file_id: str | None,
    opusenc: Path | None,
    at: datetime,
) -> Reply:
    """The recording kept as the voice note of the brief replied to (its current version),
    or with the draft whose preview was replied to, and the admin told; or why not.
    `file_id`: the chat app's id that sends the same file again as a voice note (a voice
    message's), None for a converted file."""
    found = await recorded_target(storage, replied, admin_id=by, chat_id=chat_id, at=at)
    target = await _live(storage, found) if isinstance(found, int) else found
    if isinstance(target, str):
        return _refused(renderer, target, found if isinstance(found, int) else None)
    if not data.startswith(b"OggS"):
        file_id = None  # the file sent is not the voice note kept
        try:
            data = await to_opus(data, opusenc)
        except NotConvertible:
            return _refused(renderer, "format")
    try:
        part = AudioPart(data, opus_duration(data))
    except ValueError:
        return _refused(renderer, "format")
    seconds = round(part.duration)
    if isinstance(target, Draft):
        kept = await storage.drafts.keep_recording(
            target.id, part, by=by, by_name=by_name, file_id=file_id, at=at
        )
        if not kept:  # discarded, published or expired since it was found
            return _refused(renderer, "draft_gone")
        text = renderer.render("listen_recorded.html", draft=target.brief, seconds=seconds)
        return Reply([text])
    await storage.audio.store_recording(
        target.id, target.version, part, by=by, by_name=by_name, file_id=file_id, at=at
    )
    text = renderer.render("listen_recorded.html", brief_id=target.id, seconds=seconds)
    return Reply([text])


async def recorded_target(
    storage: Storage, replied: Replied, *, admin_id: int, chat_id: int, at: datetime
) -> int | Draft | str:
    """What a recording in reply to `replied` is for: a brief (its id), a draft, or why
    neither ("target": nothing the bot can tell; "draft_gone": a preview whose draft was
    discarded or has expired; "ambiguous": the admin has several drafts of that title).

    A draft the preview's buttons name, if it is still the admin's; a brief the buttons
    or links name; else the admin's draft in this chat titled as the message's first line
    (a preview's summary has no buttons), else the latest brief so titled (a preview just
    published, its buttons gone)."""
    title = replied.first_line.strip()
    for draft_id in replied.drafts:
        draft = await storage.drafts.get(draft_id)
        if draft is not None and (draft.admin_id, draft.chat_id) == (admin_id, chat_id):
            return draft
    if replied.briefs:
        return replied.briefs[0]
    drafts = await storage.drafts.open_drafts(admin_id, chat_id, at=at) if title else []
    titled = [draft for draft in drafts if draft.brief.title.strip() == title]
    if len(titled) > 1:
        return "ambiguous"
    if titled:
        return titled[0]
    latest = await storage.briefs.latest()
    if title and latest is not None and latest.brief.title.strip() == title:
        return latest.id
    return "draft_gone" if replied.drafts else "target"


def _refused(renderer: Renderer, why: str, brief_id: int | None = None) -> Reply:
    return Reply([renderer.render("listen_record_refused.html", why=why, brief_id=brief_id)])


async def remove_recording(storage: Storage, renderer: Renderer, args: list[str]) -> Reply:
    """`/unrecord N`: the brief's current version speaks with its generated voice again."""
    brief_id = parse_brief_id("unrecord", args)
    if brief_id is None or isinstance(brief_id, Refusal):
        return Reply([renderer.render("listen_unrecord_usage.html")])
    stored = await _live(storage, brief_id)
    if not isinstance(stored, StoredBrief):
        return _refused(renderer, stored, brief_id)
    removed = await storage.audio.remove_recording(stored.id, stored.version)
    text = renderer.render("listen_unrecorded.html", brief_id=stored.id, removed=removed)
    return Reply([text])


async def _live(storage: Storage, brief_id: int) -> StoredBrief | str:
    """The published brief, or why a recording cannot be its: "unknown", "withdrawn"."""
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
