"""Sending one push message to the Bot API: lean, because a push sends thousands.

A push sends one method, sendMessage, thousands of times, so it does not go through PTB's
Bot (which builds and then parses a full Message object for every send): it POSTs a body
encoded once per text over one aiohttp session and reads back only what the engine acts
on. The session is tuned for that one request (`python -m bench.push` prints its CPU per
message beside PTB's own send path): no cookie jar, no default headers, no compression
to negotiate, and one timeout object for every request. Like every request the bot
makes, it goes through the proxy the configuration read from the environment; aiohttp's
own `trust_env` would read the environment again for every request (0.7 ms of CPU each).
"""

from __future__ import annotations

import json
import ssl
from typing import Any

import aiohttp

from bot.core.chat import Keyboard
from bot.core.metrics import NETWORK, TIMEOUT, Metrics, result_of
from bot.core.push.sending import Flood, Migrated, Refused, Transient, Unreachable
from bot.telegram.connector import PROXY_FAILURES, PROXY_TIMEOUT, connector, http_proxy
from bot.telegram.keyboards import Keyboards

METHOD = "sendMessage"
TIMEOUT_SECONDS = 15.0
BODIES_CACHED = 256
_SENT = b'{"ok":true,"result":{"message_id":'
_HEADERS = {"Content-Type": "application/json"}
# aiohttp adds these unless told not to; the Bot API needs none of them, and an
# Accept-Encoding would only invite a compressed answer to decompress.
_SKIPPED_HEADERS = ("User-Agent", "Accept", "Accept-Encoding")


class Sender:
    """The push's PushSender (bot/core/push/sending.py): POSTs sendMessage over one
    session's pool of kept-alive connections."""

    def __init__(
        self,
        bot_url: str,
        token: str,
        *,
        paid: bool,
        connections: int,
        proxy: str | None = None,
        tls: ssl.SSLContext | None = None,
        timeout: float = TIMEOUT_SECONDS,
        metrics: Metrics | None = None,
        keyboards: Keyboards | None = None,
    ) -> None:
        # The URL carries the token: it never goes into an error message or the log.
        self._url = f"{bot_url}{token}/{METHOD}"
        self._metrics = metrics or Metrics()  # without one, counted where nobody reads
        self._connections = connections
        self._proxy = proxy
        self._http_proxy = http_proxy(proxy)  # None for a SOCKS proxy: the connector's
        self._tls = tls
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._paid = paid
        # A push's buttons show parts and share, which need no link to the bot: without
        # the bot's Keyboards (a test, a benchmark) a link would name no bot.
        self._keyboards = keyboards or Keyboards(lambda: "")
        # A push sends one text and keyboard to every chat: all of the body but the chat id
        # is encoded once. The keyboard is kept with it, so its id() is not reused meanwhile.
        self._bodies: dict[tuple[str, int], tuple[Keyboard | None, bytes]] = {}

    async def send(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        """The new message's id, or a SendError."""
        body = b'{"chat_id":%d,' % chat_id + self._rest_of_body(text, keyboard)
        try:
            async with self._open().post(
                self._url,
                data=body,
                headers=_HEADERS,
                timeout=self._timeout,
                proxy=self._http_proxy,
            ) as response:
                status, raw = response.status, await response.read()
        except (TimeoutError, PROXY_TIMEOUT):
            self._metrics.bot_api_call(METHOD, TIMEOUT)
            raise Transient("network: no answer in time") from None
        except (aiohttp.ClientError, *PROXY_FAILURES) as error:
            self._metrics.bot_api_call(METHOD, NETWORK)
            # Named by its kind only: aiohttp's messages may quote the URL, and the token.
            raise Transient(f"network: {type(error).__name__}") from None
        self._metrics.bot_api_call(METHOD, result_of(status))
        return _answer(status, raw)

    def _open(self) -> aiohttp.ClientSession:
        """The session, opened on the first send: aiohttp wants a running event loop."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=connector(self._proxy, limit=self._connections, tls=self._tls or True),
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=_SKIPPED_HEADERS,
                auto_decompress=False,
            )
        return self._session

    def _rest_of_body(self, text: str, keyboard: Keyboard | None) -> bytes:
        """The JSON body after its opening `{"chat_id":N,`."""
        key = (text, id(keyboard))
        cached = self._bodies.get(key)
        if cached is None or cached[0] is not keyboard:
            rest: dict[str, Any] = {"text": text, "parse_mode": "HTML"}
            markup = self._keyboards.markup(keyboard)
            if markup is not None:
                rest["reply_markup"] = markup.to_dict()
            if self._paid:
                rest["allow_paid_broadcast"] = True
            if len(self._bodies) >= BODIES_CACHED:
                self._bodies.clear()
            encoded = json.dumps(rest, ensure_ascii=False, separators=(",", ":")).encode()
            cached = self._bodies[key] = (keyboard, encoded[1:])
        return cached[1]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


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
