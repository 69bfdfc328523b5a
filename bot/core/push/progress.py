"""The admin's live view of a push: one message, edited as the push goes on."""

from __future__ import annotations

import logging

from bot.core.chat import CopyAt, Edit, Messenger
from bot.core.push.tally import Progress
from bot.core.rendering import Renderer
from storage import StoredBrief

log = logging.getLogger(__name__)


class ProgressNotShown(Exception):
    """A report the progress message could not show (the last, the summary, is never
    skipped: the admin would be left with stale figures)."""


class ProgressMessage:
    """Edits the message it was given, (chat_id, message_id), with each report; the last
    one becomes the summary."""

    def __init__(
        self,
        messenger: Messenger,
        renderer: Renderer,
        message: tuple[int, int],
        stored: StoredBrief,
    ) -> None:
        self._messenger = messenger
        self._renderer = renderer
        self.message = message
        self._stored = stored

    async def __call__(self, progress: Progress) -> None:
        """Raises ProgressNotShown for a report the message cannot show, except a passing
        one (the chat app busy) while the push goes on: the next report shows newer
        figures anyway. Two reports with the same figures change nothing, and are fine."""
        template = "push_done.html" if progress.finished else "push_progress.html"
        text = self._renderer.render(template, stored=self._stored, progress=progress)
        chat_id, message_id = self.message
        outcome = await self._messenger.edit(CopyAt(chat_id, message_id), text, None)
        if outcome in (Edit.EDITED, Edit.UNCHANGED):
            return
        if outcome is Edit.BUSY and not progress.finished:
            log.info("push progress not shown this time: the chat app is busy")
            return
        raise ProgressNotShown(f"push progress not shown in chat {chat_id}: {outcome.value}")
