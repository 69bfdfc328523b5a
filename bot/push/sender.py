"""Sending one push message to the Bot API: lean, because a push sends thousands.

Measured on a 2-core machine against the local server, a send through PTB's Bot and its
httpx transport costs about 2.5 ms of CPU; a whole push message, sent over aiohttp, cost
about 0.3 ms, half of it aiohttp's client. At 1000 messages/s (paid broadcasts) that is
the difference between keeping the rate and falling behind it, so the push speaks the
Bot API itself for its one method, sendMessage, over its own small HTTP client
(bot/push/http.py), and answers with the few outcomes the engine acts on.
"""

from __future__ import annotations

import json
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.push.http import HttpError, JsonPoster

TIMEOUT_SECONDS = 15.0
BODIES_CACHED = 256
_SENT = b'{"ok":true,"result":{"message_id":'


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
    """POSTs sendMessage over a pool of kept-alive connections."""

    def __init__(self, bot_url: str, token: str, *, paid: bool, connections: int) -> None:
        # The URL carries the token: it never goes into an error message or the log.
        self._poster = JsonPoster(
            f"{bot_url}{token}/sendMessage", connections=connections, timeout=TIMEOUT_SECONDS
        )
        self._paid = paid
        # A push sends one text and keyboard to every chat: all of the body but the chat id
        # is encoded once. The markup is kept with it, so its id() is not reused meanwhile.
        self._bodies: dict[tuple[str, int], tuple[InlineKeyboardMarkup | None, bytes]] = {}

    async def send(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        """The new message's id, or a SendError."""
        body = b'{"chat_id":%d,' % chat_id + self._rest_of_body(text, markup)
        try:
            status, raw = await self._poster.post(body)
        except HttpError as error:
            raise Transient(f"network: {error}") from None
        except (TimeoutError, OSError) as error:
            raise Transient(f"network: {type(error).__name__}") from None
        return _answer(status, raw)

    def _rest_of_body(self, text: str, markup: InlineKeyboardMarkup | None) -> bytes:
        """The JSON body after its opening `{"chat_id":N,`."""
        key = (text, id(markup))
        cached = self._bodies.get(key)
        if cached is None or cached[0] is not markup:
            rest: dict[str, Any] = {"text": text, "parse_mode": "HTML"}
            if markup is not None:
                rest["reply_markup"] = markup.to_dict()
            if self._paid:
                rest["allow_paid_broadcast"] = True
            if len(self._bodies) >= BODIES_CACHED:
                self._bodies.clear()
            encoded = json.dumps(rest, ensure_ascii=False).encode()
            cached = self._bodies[key] = (markup, encoded[1:])
        return cached[1]

    async def close(self) -> None:
        await self._poster.close()


def _answer(status: int, raw: bytes) -> int:
    if raw.startswith(_SENT):
        # Telegram answers a send with the whole message, message_id first: read that one
        # number instead of decoding kilobytes of text and entities per message.
        number = raw[len(_SENT) : raw.find(b",", len(_SENT))]
        if number.isdigit():
            return int(number)
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
