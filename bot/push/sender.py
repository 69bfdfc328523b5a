"""Sending one push message to the Bot API: lean, because a push sends thousands.

Measured on a 2-core machine against the local server, a send through PTB's Bot and its
httpx transport costs about 2.5 ms of CPU; a JSON POST over one aiohttp session costs
about 0.35 ms. At 1000 messages/s (paid broadcasts) that is the difference between
keeping the rate and falling to a third of it, so the push speaks the Bot API itself
for its one method, sendMessage, and answers with the few outcomes the engine acts on.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram import InlineKeyboardMarkup

TIMEOUT_SECONDS = 15.0
MARKUPS_CACHED = 256


class SendError(Exception):
    """Why Telegram did not take the message; the message text is safe to store."""


class Flood(SendError):
    """429: wait `retry_after` seconds, then send again."""

    def __init__(self, description: str, retry_after: float) -> None:
        super().__init__(description)
        self.retry_after = retry_after


class Migrated(SendError):
    """The group became a supergroup with a new id."""

    def __init__(self, description: str, new_chat_id: int) -> None:
        super().__init__(description)
        self.new_chat_id = new_chat_id


class Unreachable(SendError):
    """403, or the chat is gone: the bot was blocked or removed."""


class Refused(SendError):
    """400 for another reason: sending the same again would fail the same way."""


class Transient(SendError):
    """A timeout, a dropped connection or a 5xx answer: worth retrying."""


class Sender:
    """POSTs sendMessage through one pooled aiohttp session (opened lazily, in the loop)."""

    def __init__(self, bot_url: str, token: str, *, paid: bool, connections: int) -> None:
        # The URL carries the token: it never goes into an error message or the log.
        self._url = f"{bot_url}{token}/sendMessage"
        self._paid = paid
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        # A push sends one keyboard to every chat; PTB's to_dict costs a fifth of a send.
        # The markup is kept with its dict, so its id() is not reused while cached.
        self._markups: dict[int, tuple[InlineKeyboardMarkup, dict[str, Any]]] = {}

    async def send(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        """The new message's id, or a SendError."""
        body: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
        if markup is not None:
            body["reply_markup"] = self._markup(markup)
        if self._paid:
            body["allow_paid_broadcast"] = True
        try:
            async with self._open().post(
                self._url, data=json.dumps(body), headers={"Content-Type": "application/json"}
            ) as response:
                status, raw = response.status, await response.read()
        except (TimeoutError, aiohttp.ClientError) as error:
            raise Transient(f"network: {type(error).__name__}") from None
        return _answer(status, raw)

    def _markup(self, markup: InlineKeyboardMarkup) -> dict[str, Any]:
        cached = self._markups.get(id(markup))
        if cached is None or cached[0] is not markup:
            if len(self._markups) >= MARKUPS_CACHED:
                self._markups.clear()
            cached = self._markups[id(markup)] = (markup, markup.to_dict())
        return cached[1]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
            )
        return self._session


def _answer(status: int, raw: bytes) -> int:
    try:
        data = json.loads(raw)
    except ValueError:
        raise Transient(f"HTTP {status}: not a Bot API answer") from None
    if data.get("ok"):
        return int(data["result"]["message_id"])
    description = str(data.get("description") or f"HTTP {status}")[:300]
    code = int(data.get("error_code") or status)
    parameters = data.get("parameters") or {}
    if "retry_after" in parameters:
        raise Flood(description, float(parameters["retry_after"]))
    if "migrate_to_chat_id" in parameters:
        raise Migrated(description, int(parameters["migrate_to_chat_id"]))
    if code == 403 or "chat not found" in description.lower():
        raise Unreachable(description)
    if code >= 500 or code == 429:
        raise Transient(description)
    raise Refused(description)
