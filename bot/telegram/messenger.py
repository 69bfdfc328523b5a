"""The core's Messenger (bot/core/chat.py) over the Bot API: how the core sends, notifies
and edits without knowing Telegram.

A voice note is uploaded once: the core keeps the file_id Telegram answers with and sends
the same file by it after (bot/core/audio/listening.py).

Every call goes through the application's bot, so the rate limiter paces it with
everything else the bot sends, in the parse mode the application's Defaults set (HTML).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, Message
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.core.chat import CopyAt, Edit, Keyboard, Reply, SentVoice, VoiceNote
from bot.telegram.bot_api import delivered, not_modified
from bot.telegram.keyboards import Keyboards
from bot.telegram.replies import deliver

log = logging.getLogger(__name__)


class TelegramMessenger:
    def __init__(self, bot: Bot, keyboards: Keyboards) -> None:
        self._bot = bot
        self._keyboards = keyboards

    async def send(self, chat_id: int, reply: Reply) -> list[int] | None:
        return await deliver(self._bot, self._keyboards, chat_id, reply)

    async def notify(self, chat_id: int, text: str) -> None:
        # Refusals any chat may give are logged by `delivered`, as warnings: an admin (or
        # ERROR_CHAT_ID) that blocked the bot misses every report until someone acts.
        try:
            await delivered(
                self._bot.send_message(chat_id, text), "notice", chat_id, level=logging.WARNING
            )
        except TelegramError:
            log.exception("could not deliver a notice to chat %s", chat_id)

    async def send_voice(self, chat_id: int, note: VoiceNote) -> SentVoice | None:
        sent = await delivered(
            self._bot.send_voice(
                chat_id,
                note.file_id or note.data,
                caption=note.caption,
                duration=round(note.duration) or None,
                reply_markup=self._keyboards.markup(note.keyboard),
            ),
            "voice note",
            chat_id,
        )
        if sent is None or sent.voice is None:
            return None
        return SentVoice(sent.message_id, sent.voice.file_id)

    async def edit(self, at: CopyAt, text: str, keyboard: Keyboard | None) -> Edit:
        return await _edited(
            at,
            lambda: self._bot.edit_message_text(
                text,
                chat_id=at.chat_id,
                message_id=at.message_id,
                inline_message_id=at.inline_message_id,
                reply_markup=self._keyboards.markup(keyboard),
            ),
        )

    async def edit_caption(self, at: CopyAt, caption: str, keyboard: Keyboard | None) -> Edit:
        return await _edited(
            at,
            lambda: self._bot.edit_message_caption(
                chat_id=at.chat_id,
                message_id=at.message_id,
                inline_message_id=at.inline_message_id,
                caption=caption,
                reply_markup=self._keyboards.markup(keyboard),
            ),
        )

    def app_of(self, chat_id: int | None) -> str | None:
        return None  # Telegram alone; beside another app, bot/routing.py names both

    async def delete(self, at: CopyAt) -> bool:
        if at.chat_id is None or at.message_id is None:
            return False  # an inline message cannot be deleted by the bot
        try:
            return await self._bot.delete_message(at.chat_id, at.message_id)
        except (BadRequest, RetryAfter, NetworkError) as error:
            # Telegram keeps a message over 48 hours old, and one in a chat that removed the bot.
            log.info("message %s not deleted: %s", at, error.message)
            return False


async def _edited(at: CopyAt, edit: Callable[[], Awaitable[Message | bool]]) -> Edit:
    """What became of an edit of the message at `at`."""
    try:
        await edit()
    except BadRequest as error:  # before NetworkError, which PTB makes it a kind of
        if not_modified(error):
            return Edit.UNCHANGED
        # Deleted by the reader, too old to edit, or the bot's rights taken away.
        log.info("message %s not edited: %s", at, error.message)
        return Edit.FAILED
    except (RetryAfter, NetworkError) as error:
        # Told to wait, a timeout, a dropped connection, a server error: the same edit
        # may work later.
        log.info("message %s not edited: %s", at, error.message)
        return Edit.BUSY
    except TelegramError as error:
        # Blocked by the reader, the group gone: this message stays as it was.
        log.info("message %s not edited: %s", at, error.message)
        return Edit.FAILED
    return Edit.EDITED
