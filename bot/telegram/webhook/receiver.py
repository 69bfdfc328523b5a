"""Receiving updates by webhook: Telegram POSTs each update to WEBHOOK_URL.

Wired as PTB's `customwebhookbot` example does: the Application is built without an Updater
and each update is put on `application.update_queue`. A request is answered at once, before
its update is handled, so a slow handler never makes Telegram send it again. The flood gate
(bot/core/limits/flood.py) sees webhook updates as it sees polled ones: the ones it would drop
without a word are dropped here while still JSON (bot/telegram/limits/early.py), the rest reach its
handler. Asking Telegram to post here, and watching that it can, is
bot/telegram/webhook/registration.py.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from telegram import Bot, Update

from bot.core.limits.flood import FloodGate
from bot.core.metrics import Metrics
from bot.telegram.limits.early import raw_sender
from bot.telegram.updates import raw_update_kind
from storage import Storage

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Only what the handlers answer (bot/app.py): messages, button presses, the bot being
# blocked or unblocked (bot/telegram/handlers/subscription.py), inline queries and the results
# chosen from them (bot/inline/). Long polling asks for the same (bot/lifecycle.py).
ALLOWED_UPDATES = (
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
    "inline_query",
    "chosen_inline_result",
)
MAX_BODY = 1024 * 1024  # bytes; an update is a few kilobytes at most
# Telegram's update_ids are positive and count up; the database keeps them as 64-bit signed
# integers (storage.updates, PostgreSQL's bigint), so one above that is not Telegram's, and
# would fail the insert (a 500, which Telegram would answer by sending it again and again).
MAX_UPDATE_ID = 2**63 - 1
RECENT_UPDATES = 10_000
# How long an update taken is remembered in the database (storage.updates, PostgreSQL):
# Telegram keeps an update it could not deliver for up to a day, so a repeat comes within one.
UPDATES_KEPT = timedelta(days=1)


class RecentUpdates:
    """The update_ids this process saw lately, so that one delivered twice is handled once.

    Telegram sends an update again when it did not get the answer to a delivery. This
    window is in memory: after a restart, an update delivered before it and again after it
    is handled twice (rare: every delivery is answered at once). On PostgreSQL, where
    replicas behind one URL may each get a delivery of the same update, the window is also
    kept in the database (storage.updates, checked by `_first_time`), so a repeat reaching
    another replica is handled once too. On SQLite (one process) the database is not asked:
    its writes go one at a time, and every webhook answer would wait in that line behind
    the push's; the table exists there only so both schemas stay the same.
    """

    def __init__(self, size: int = RECENT_UPDATES) -> None:
        self._order: deque[int] = deque()
        self._seen: set[int] = set()
        self._size = size

    def __contains__(self, update_id: int) -> bool:
        return update_id in self._seen

    def add(self, update_id: int) -> None:
        if update_id in self._seen:
            return
        self._seen.add(update_id)
        self._order.append(update_id)
        if len(self._order) > self._size:
            self._seen.discard(self._order.popleft())


class WebhookReceiver:
    """The handler of POST <path of WEBHOOK_URL>. It takes updates only between `open` and
    `close`; before and after, Telegram is answered 503 and keeps the update for later.
    Updates taken go on `queue` (the Application's update queue); `bot` decodes them."""

    def __init__(
        self,
        queue: asyncio.Queue[object],
        bot: Bot,
        gate: FloodGate,
        storage: Storage,
        path: str,
        metrics: Metrics,
    ) -> None:
        self.path = path
        self._queue = queue
        self._bot = bot
        self._gate = gate
        self._storage = storage  # each update recorded as taken, when replicas share it
        self._metrics = metrics
        self._secret: bytes | None = None
        self._recent = RecentUpdates()

    @property
    def accepting(self) -> bool:
        return self._secret is not None

    def open(self, secret: str) -> None:
        """Take updates from now on: those that come with `secret`."""
        self._secret = secret.encode()

    def close(self) -> None:
        self._secret = None

    async def receive(self, request: web.Request) -> web.Response:
        expected = self._secret
        if expected is None:
            return web.Response(status=503, text="not taking updates now\n")
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected):
            return web.Response(status=403, text="wrong secret token\n")
        body = await request.read()  # bounded by the server's client_max_size (413 above it)
        data = _update_json(body)
        if data is None:
            return web.Response(status=400, text="not an update\n")
        update_id: int = data["update_id"]
        if update_id in self._recent:
            return web.Response(text="ok, seen before\n")
        gate = self._gate
        # Never decoded: a flood costs a dictionary look-up per update, as when polling.
        if gate.drops_silently(raw_sender(data, gate.admins)):
            self._metrics.update_dropped_unread(raw_update_kind(data))
        else:
            update = self._decoded(data)
            if update is None:
                return web.Response(status=400, text="not an update\n")
            if not await self._first_time(update_id):  # another replica took it
                self._recent.add(update_id)
                return web.Response(text="ok, seen before\n")
            self._queue.put_nowait(update)  # handled after the answer
        self._recent.add(update_id)
        return web.Response(text="ok\n")

    async def _first_time(self, update_id: int) -> bool:
        """Whether no other replica took this update (always, with one process). Updates
        the flood gate drops unread are not recorded: a flood must not cost a write per
        update, and a repeat of one is dropped again anyway."""
        if not self._storage.shared_by_replicas:
            return True
        return await self._storage.updates.first_time(update_id, at=datetime.now(UTC))

    def _decoded(self, data: dict[str, Any]) -> Update | None:
        try:
            return Update.de_json(data, self._bot)
        # Fields of the wrong shape; a date too far off for a datetime (OverflowError);
        # objects nested deeper than de_json's recursion goes (json.loads took them).
        except (
            TypeError,
            ValueError,
            KeyError,
            AttributeError,
            OverflowError,
            OSError,
            RecursionError,
        ):
            return None


def _update_json(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    # `type(...) is int`: JSON's true would pass isinstance(..., int).
    if type(update_id) is not int or not 0 <= update_id <= MAX_UPDATE_ID:
        return None
    return data
