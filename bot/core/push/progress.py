"""The admin's live view of a push: one message, edited as the push goes on."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import BadRequest, RetryAfter, TimedOut

from bot.core.push.tally import Progress
from bot.core.rendering import Renderer
from bot.telegram.bot_api import not_modified
from storage import StoredBrief

log = logging.getLogger(__name__)


class ProgressMessage:
    """Edits the message it was given, (chat_id, message_id), with each report; the last
    one becomes the summary."""

    def __init__(
        self, bot: Bot, renderer: Renderer, message: tuple[int, int], stored: StoredBrief
    ) -> None:
        self._bot = bot
        self._renderer = renderer
        self.message = message
        self._stored = stored

    async def __call__(self, progress: Progress) -> None:
        template = "push_done.html" if progress.finished else "push_progress.html"
        text = self._renderer.render(template, stored=self._stored, progress=progress)
        try:
            await self._bot.edit_message_text(
                text, chat_id=self.message[0], message_id=self.message[1]
            )
        except BadRequest as error:
            # Two reports with the same figures: Telegram refuses the identical edit.
            if not not_modified(error):
                raise
        except (RetryAfter, TimedOut) as error:
            if progress.finished:
                raise
            log.info("push progress not shown this time: %s", error)
