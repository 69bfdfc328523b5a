"""The copies of a brief sent with inline mode, kept in step with the brief.

Telegram tells the bot which inline message each chosen result became only with inline
feedback on (BotFather: /setinlinefeedback) and only for results with a keyboard (every
one of ours has one). Those are recorded (storage.inline_copies); a correction or a
withdrawal edits them with every other copy (bot/core/publishing/corrections.py, kind INLINE).
Copies sent while feedback was off are unknown to the bot and stay as they were.
"""

from __future__ import annotations

from bot.core.chat import CopyAt, Messenger
from bot.core.publishing.corrections import INLINE, refresh_copy
from bot.core.rendering import Renderer
from storage import InlineCopy, Storage, StoredBrief


async def bring_up_to_date(
    messenger: Messenger, renderer: Renderer, stored: StoredBrief, copy: InlineCopy
) -> None:
    """A copy just chosen from an answer older than the brief's current version (Telegram
    keeps answers for a while): edited as the correction or withdrawal edited the others."""
    at = CopyAt(inline_message_id=copy.inline_message_id)
    await refresh_copy(messenger, renderer, stored, INLINE, at)


async def record_chosen(
    storage: Storage, messenger: Messenger, renderer: Renderer, copy: InlineCopy, version: int
) -> None:
    """A result a user sent (`version`: the brief's version the answer showed): recorded, so
    that corrections and withdrawals reach it; brought up to date at once when the brief
    changed since that answer. Told twice (Telegram may repeat itself), acted on once."""
    recorded = await storage.inline_copies.record(
        copy.inline_message_id, copy.brief_id, copy.user_id, at=copy.chosen_at
    )
    stored = await storage.briefs.get(copy.brief_id)
    if not recorded or stored is None:
        return
    if stored.version != version or stored.retracted_at is not None:
        await bring_up_to_date(messenger, renderer, stored, copy)
