"""The voice notes' store, as the bot uses it: storage/audio.py's AudioRepo serves it on
both engines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from storage.models import AudioJob, AudioPart, BriefAudio, VoiceCopy


class AudioStore(Protocol):  # storage/audio.py AudioRepo
    """Each brief version's voice notes, the jobs that make them, the copies readers got.

    Jobs. `want` asks for the audio of a brief's version: a pending job, made once (a
    second call changes nothing, whatever the job's state; True only when it made one),
    only for the current version of a live brief. It drops, in the same transaction, the
    unfinished jobs of the brief's older versions (superseded). `claim_next` takes the
    pending job of the newest brief (by publication) not held by anyone, holding it for
    `owner` until `at + hold`, counting the attempt, in one statement: one replica claims
    a job at a time (PostgreSQL skips a job another replica is claiming that moment); a
    job whose holder died is taken again once its hold has passed, by `at` as the claimer
    reads it. Jobs of retracted briefs, or of versions no longer current, are never
    handed out.

    `finish` stores the parts (numbered 0..n-1 in the given order) and marks the job
    done, in one transaction. It does so once: False, and nothing written, when the job
    is done already (a second replica finishing after the first's hold ran out), or the
    version is no longer the brief's current one, or the brief was retracted. `fail`
    records why a job could not be done, with `status` "failed", "none" (no voice for the
    language) or "pending" (back in the queue at once, for another attempt; its attempts
    kept); a job already done stays done. Both end the job's hold, and make the job if
    there was none (for the current version).

    `missing`: live briefs' current versions with no audio and no job, newest first, for
    the backfill at start (ids only).

    Audio. `store_recording` makes an editor's recording the version's audio (replacing
    an earlier recording; part 0; engine "editor"; False when there is no such version);
    `remove_recording` removes it (False when there was none), and the generated audio is
    heard again. `current` is what readers of the version get, read in one statement: the
    recording if there is one, else the generated parts, with their bytes (the chosen
    kind's only); with no audio, a BriefAudio with no parts and the job's status; None
    when there is neither audio nor a job. `remember_file_id` keeps Telegram's file_id of
    an uploaded part, for later sends.

    Copies. `record_copy` keeps a voice note sent to a reader (a message recorded again,
    edited to carry another version, is updated; nothing is kept for an unknown version);
    `copies` lists a brief's, oldest first.
    """

    async def want(self, brief_id: int, version: int, *, at: datetime) -> bool: ...
    async def claim_next(self, owner: str, *, at: datetime, hold: timedelta) -> AudioJob | None: ...
    async def finish(
        self,
        brief_id: int,
        version: int,
        parts: Sequence[AudioPart],
        *,
        engine: str,
        at: datetime,
    ) -> bool: ...
    async def fail(
        self, brief_id: int, version: int, reason: str, *, status: str = "failed", at: datetime
    ) -> None: ...
    async def missing(self, limit: int) -> list[tuple[int, int]]: ...
    async def store_recording(
        self,
        brief_id: int,
        version: int,
        part: AudioPart,
        *,
        by: int,
        by_name: str,
        file_id: str | None,
        at: datetime,
    ) -> bool: ...
    async def remove_recording(self, brief_id: int, version: int) -> bool: ...
    async def current(self, brief_id: int, version: int) -> BriefAudio | None: ...
    async def remember_file_id(
        self, brief_id: int, version: int, kind: str, part: int, file_id: str
    ) -> None: ...
    async def record_copy(
        self,
        brief_id: int,
        chat_id: int,
        message_id: int,
        *,
        version: int,
        at: datetime,
        kind: str = "generated",
    ) -> None: ...
    async def copies(self, brief_id: int) -> list[VoiceCopy]: ...
