"""Groups that refused the bot: replies to them are not tried again for a while.

A group that removed the bot or does not let it write refuses every reply, yet its members'
commands keep arriving; each attempt would take a turn of the one sending budget
(bot/telegram/rate_limiter.py) from readers waiting behind it. So a group's refusal of the bot's
standing (Forbidden, "not enough rights" and the like: `standing_refused`) is remembered
for REMEMBER seconds, and a send there meanwhile fails at once with the same refusal, as
Telegram would give it, without a turn of the budget or a request: every caller handles it
as it handles Telegram's own (bot/telegram/bot_api.py `delivered`), and logs it at debug only
(`remembered`), the first refusal having been logged at info here.

A my_chat_member update about the bot in that group (an admin gave it back its rights, made
it an administrator, added it again) forgets the refusal at once. A group whose default
permissions change lets the bot write without any update to say so: that is what the time
limit is for. Private chats are never remembered: a reader who writes to the bot can be
answered, and a refusal there (blocked, then unblocked) must not silence the next answer.
Only sends are held back (edits, documents, chat actions included); reading a chat or a
member is not. The push sends over its own session and keeps its own record of blocked
subscribers (bot/core/push/delivery.py): it neither reads nor feeds this memory.

Kept in memory, per process, at most MAX_CHATS groups (expired ones pruned first, then the
oldest). A restart forgets every refusal: each group costs one refused send again. With
several replicas each learns a group's refusal on its own, so a group costs one refused send
per replica per REMEMBER seconds; a my_chat_member update reaches one replica only, so the
others may leave a group that let the bot back unanswered for up to REMEMBER seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ChatMemberHandler

from bot.telegram.bot_api import StillBadRequest, StillForbidden, standing_refused
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)

REMEMBER = 120.0  # seconds; a group that lets every member write again waits at most this
MAX_CHATS = 10_000


class RefusedChats:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        # chat id → (when the refusal is forgotten, Telegram's words for it, was it a 403)
        self._refused: dict[int, tuple[float, str, bool]] = {}

    def remember(self, chat_id: int | None, endpoint: str, error: TelegramError) -> None:
        """Called with every error a send got; keeps those that say the bot may not write.

        A 400 counts only from sendMessage: a group may let the bot write text and not send
        documents ("not enough rights to send documents"), never the other way round."""
        if chat_id is None or chat_id >= 0 or not standing_refused(error):
            return
        if not isinstance(error, Forbidden) and endpoint != "sendMessage":
            return
        if chat_id not in self._refused and len(self._refused) >= MAX_CHATS:
            self._prune()
        self._refused.pop(chat_id, None)  # re-inserted last: the oldest go first when full
        until = self._clock() + REMEMBER
        self._refused[chat_id] = (until, error.message, isinstance(error, Forbidden))
        log.info("chat %s refused the bot (%s): not sent to for %.0f s", chat_id, error, REMEMBER)

    def refusal(self, chat_id: int | None) -> TelegramError | None:
        """The refusal a send to `chat_id` would get, while it is remembered."""
        if chat_id is None or (found := self._refused.get(chat_id)) is None:
            return None
        until, message, forbidden = found
        if self._clock() >= until:
            del self._refused[chat_id]
            return None
        # Logged where it is caught, at debug (bot_api.remembered): once at info was enough.
        return StillForbidden(message) if forbidden else StillBadRequest(message)

    def forget(self, chat_id: int) -> None:
        if self._refused.pop(chat_id, None) is not None:
            log.info("chat %s changed the bot's standing: sending there again", chat_id)

    def __len__(self) -> int:
        return len(self._refused)

    def _prune(self) -> None:
        now = self._clock()
        self._refused = {chat: kept for chat, kept in self._refused.items() if kept[0] > now}
        while len(self._refused) >= MAX_CHATS:
            del self._refused[next(iter(self._refused))]


def standing_handler(refused: RefusedChats) -> ChatMemberHandler[BotContext, None]:
    """Registered before the flood gate: a change of the bot's standing in a chat ends any
    refusal remembered there (the subscriptions' own handler still runs after it)."""

    async def changed(update: Update, context: BotContext) -> None:
        change = update.my_chat_member
        if change is not None:
            refused.forget(change.chat.id)

    return ChatMemberHandler(changed, ChatMemberHandler.MY_CHAT_MEMBER)
