"""PTB's rate limiter for everything the application's bot sends: the shared budget.

Replaces AIORateLimiter, which kept a second budget of its own beside the push's, so that a
push with readers pressing its buttons went over Telegram's limit. Every message PTB sends
(replies, edits, admin reports) waits for its turn in the Pacer the push engine uses, as an
urgent send: readers waiting go before the push's next message. A RetryAfter pauses the
whole Pacer (push included) and the request is tried again after it. A send to a group that
refused the bot a moment ago fails at once with that refusal, spending no turn
(bot/telegram/limits/refusals.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

from bot.core.budget.pacing import Pacer
from bot.core.scope import sending_failed
from bot.telegram.bot_api import retry_after_seconds
from bot.telegram.limits.refusals import RefusedChats

log = logging.getLogger(__name__)

MAX_RETRIES = 3
# The methods Telegram counts as messages sent. Others (answering a button press, reading
# a chat member, fetching a file) do not spend the budget and go at once.
_COUNTED_PREFIXES = ("send", "copyMessage", "forwardMessage", "editMessage")
_NOT_COUNTED = frozenset({"sendChatAction"})
# What a chat that refused the bot would refuse too: everything that writes there.
_SENDS = (*_COUNTED_PREFIXES, "sendChatAction")
# Methods Telegram limits on their own, with waits of minutes or hours: a wait it asks for
# is theirs, not the bot's sending budget's, and is raised at once (bot/telegram/profile.py).
_OWN_FLOOD_CONTROL = frozenset({"setMyDescription", "setMyShortDescription"})

Answer = bool | dict[str, Any] | list[dict[str, Any]]


class SharedRateLimiter(BaseRateLimiter[int]):
    def __init__(
        self, budget: Pacer, refused: RefusedChats, *, max_retries: int = MAX_RETRIES
    ) -> None:
        self._budget = budget
        self._refused = refused
        self._max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to open: the budget lives as long as the application."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Answer]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Answer:
        counted = endpoint.startswith(_COUNTED_PREFIXES) and endpoint not in _NOT_COUNTED
        chat_id = _chat_id(data)
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        refusal = self._refused.refusal(chat_id) if endpoint.startswith(_SENDS) else None
        if refusal is not None:
            sending_failed(chat_id)
            raise refusal
        attempt = 0
        while True:
            if counted:
                await self._budget.acquire(chat_id, urgent=True)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if endpoint in _OWN_FLOOD_CONTROL:
                    raise
                seconds = retry_after_seconds(error)
                # Telegram counts the bot as a whole: the push waits too.
                self._budget.pause(seconds)
                if attempt >= retries:
                    sending_failed(chat_id)
                    raise
                attempt += 1
                log.info("%s: flood control, sending again in %.1f s", endpoint, seconds)
            except TelegramError as error:
                # Every request passes here: the error handler learns which chat failed,
                # and so where an apology cannot go (bot/telegram/errors.py).
                sending_failed(chat_id)
                if endpoint.startswith(_SENDS):
                    self._refused.remember(chat_id, endpoint, error)
                raise


def _chat_id(data: dict[str, Any]) -> int | None:
    """The chat a request sends to; a channel's @username counts against no chat's turn."""
    chat_id = data.get("chat_id")
    if isinstance(chat_id, int):
        return chat_id
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return None
