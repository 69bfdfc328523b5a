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
from storage import InlineCopy, StoredBrief


async def bring_up_to_date(
    messenger: Messenger, renderer: Renderer, stored: StoredBrief, copy: InlineCopy
) -> None:
    """A copy just chosen from an answer older than the brief's current version (Telegram
    keeps answers for a while): edited as the correction or withdrawal edited the others."""
    at = CopyAt(inline_message_id=copy.inline_message_id)
    await refresh_copy(messenger, renderer, stored, INLINE, at)
