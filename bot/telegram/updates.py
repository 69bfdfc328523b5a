"""The update processor: each update handled in its own scope, timed and counted.

PTB hands every update it fetched to the application's BaseUpdateProcessor, which awaits
PTB's own handling of it (every handler group, the error handler included) while keeping
at most `max_concurrent_updates` in flight. This one does the same and wraps each in a
scope (bot/core/scope.py): log lines written while it is handled carry its update and chat ids,
the flood gate and the error handler mark how it ended, and /metrics counts it by kind and
outcome and times its handlers. The kinds are Telegram's (the field of the Update that is
set), so they are named here, not in the core's Metrics, which takes them as strings.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Mapping
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.core.metrics import Metrics
from bot.core.scope import UpdateOutcome, mark, update_scope

# The kinds /metrics counts updates by (its `kind` label): the field of the Update that is set.
UPDATE_KINDS = tuple(Update.ALL_TYPES)


class ObservedUpdates(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int, metrics: Metrics) -> None:
        super().__init__(max_concurrent_updates)
        self._metrics = metrics

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        update_id, chat_id = _ids(update)
        started = time.perf_counter()
        with update_scope(update_id, chat_id) as scope:
            try:
                await coroutine
            except BaseException:
                # PTB hands a handler's error to the error handler; what still arrives here
                # (a cancellation at shutdown) ended the update all the same.
                mark(UpdateOutcome.FAILED)
                raise
            finally:
                elapsed = time.perf_counter() - started
                self._metrics.update_handled(update_kind(update), scope.outcome, elapsed)

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""


def update_kind(update: object) -> str:
    """Which field of the Update is set: message, callback_query, my_chat_member, ..."""
    if isinstance(update, Update):
        return next(
            (kind for kind in UPDATE_KINDS if getattr(update, kind, None) is not None), "other"
        )
    return "other"


def raw_update_kind(update: object) -> str:
    """update_kind of an update still in its JSON form."""
    if isinstance(update, Mapping):
        return next((kind for kind in UPDATE_KINDS if kind in update), "other")
    return "other"


def _ids(update: object) -> tuple[int | None, int | None]:
    if not isinstance(update, Update):
        return None, None
    chat = update.effective_chat
    return update.update_id, None if chat is None else chat.id
