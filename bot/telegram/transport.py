"""The Bot API transport: PTB's request interface over one pooled aiohttp session.

python-telegram-bot ships an httpx transport. Measured with bench/facts.py, httpx and
httpcore cost the bot about 2.5 ms of CPU per request (its pool polls every idle socket
on each request), more than everything else the bot does for a reader. PTB lets an
application bring its own transport through `BaseRequest`; this one keeps PTB's Bot,
its errors and its rate limiter, and sends JSON bodies over aiohttp, which the push
already uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import aiohttp
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.core.metrics import NETWORK, TIMEOUT, Metrics, result_of
from bot.telegram.connector import PROXY_FAILURES, PROXY_TIMEOUT, connector, http_proxy

DEFAULT_TIMEOUT = 5.0
PLAIN_HEADERS = {"User-Agent": BaseRequest.USER_AGENT}
_NOTHING = b'{"ok":true,"result":[]}'
JSON_HEADERS = {**PLAIN_HEADERS, "Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """One aiohttp session, opened in `initialize` (inside the event loop)."""

    def __init__(
        self,
        *,
        connections: int,
        read_timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_TIMEOUT,
        pool_timeout: float = 1.0,
        proxy: str | None = None,
        on_unauthorized: Callable[[], None] | None = None,
        metrics: Metrics | None = None,
        on_answer: Callable[[], None] | None = None,
    ) -> None:
        """`on_unauthorized`: for the polling transport, what to do when a poll is refused
        with 401 (the token was revoked while the bot ran). `on_answer`: told of each answer
        from the Bot API itself (below 500: a 5xx may be a proxy's), for readiness."""
        self._connections = connections
        self._metrics = metrics or Metrics()  # without one, counted where nobody reads
        self._proxy = proxy
        self._http_proxy = http_proxy(proxy)  # None for a SOCKS proxy: the connector's
        self._on_unauthorized = on_unauthorized
        self._on_answer = on_answer
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=connector(self._proxy, limit=self._connections),
                skip_auto_headers=("User-Agent",),
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        timeout = self._timeout(read_timeout, connect_timeout, pool_timeout)
        data, headers = _body(request_data)
        name = _method_name(url, method)
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout, proxy=self._http_proxy
            ) as response:
                status, payload = response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError, PROXY_TIMEOUT):
            self._metrics.bot_api_call(name, TIMEOUT)
            raise TimedOut from None
        except (aiohttp.ClientError, *PROXY_FAILURES) as error:
            self._metrics.bot_api_call(name, NETWORK)
            # The URL holds the token, and aiohttp's errors may quote it, or the proxy's
            # URL with its password: name the failure and where it went, never an address
            # or credentials, and do not chain the original.
            library = type(error).__module__.partition(".")[0]  # aiohttp, or aiohttp_socks
            raise NetworkError(
                f"{library}.{type(error).__name__}: {self._hidden(error, url)}"
            ) from None
        self._metrics.bot_api_call(name, result_of(status))
        if self._on_answer is not None and status < HTTPStatus.INTERNAL_SERVER_ERROR:
            self._on_answer()
        if status == HTTPStatus.UNAUTHORIZED and self._on_unauthorized is not None:
            # PTB would end its polling on the 401 with a traceback and go on running
            # without updates. The bot stops instead (its lifecycle says why, once), and
            # PTB is shown a poll that brought nothing, so its polling ends cleanly.
            self._on_unauthorized()
            return HTTPStatus.OK, _NOTHING
        return status, payload

    def _timeout(
        self, read_timeout: object, connect_timeout: object, pool_timeout: object
    ) -> aiohttp.ClientTimeout:
        """PTB's timeouts for one call (each a default, None, or seconds) as aiohttp's."""
        connect = _value(connect_timeout, self._connect_timeout)
        pool = _value(pool_timeout, self._pool_timeout)
        # aiohttp's `connect` covers waiting for a pooled connection and opening it; it has
        # no write timeout of its own, so a slow upload is bounded by the read timeout.
        return aiohttp.ClientTimeout(
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=_value(read_timeout, self._read_timeout),
        )

    def _hidden(self, error: Exception, url: str) -> str:
        detail = str(error).replace(url, "<Bot API URL>")
        if self._proxy:
            detail = detail.replace(self._proxy, "<proxy>")
        return _credentials_hidden(detail)

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        # PTB's own logs the whole answer, with a traceback, before raising. An answer that
        # is not JSON (a proxy's HTML error page, a wrong TELEGRAM_API_URL) is one failure
        # among others: say it once, where the TelegramError is handled.
        try:
            data = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise TelegramError(f"Invalid server response: not a JSON object ({_glimpse(payload)})")
        return data


def _credentials_hidden(text: str) -> str:
    return _CREDENTIALS.sub("//<credentials>@", text)


_CREDENTIALS = re.compile(r"//[^/@\s]*@")


def _method_name(url: str, http_method: str) -> str:
    """The Bot API method, the last segment of the URL PTB posts to. PTB fetches files with
    GET, from a path that names the file: those are all "download", one series."""
    return "download" if http_method == "GET" else url.rpartition("/")[2]


def _glimpse(payload: bytes) -> str:
    text = payload[:60].decode("utf-8", "replace")
    return repr(text + "...") if len(payload) > 60 else repr(text)


def _value(given: object, default: float) -> float | None:
    """A timeout PTB passed: its DEFAULT_NONE means "the transport's own"; None, no limit."""
    if given is BaseRequest.DEFAULT_NONE:
        return default
    return float(given) if isinstance(given, int | float) else None


def _body(request_data: RequestData | None) -> tuple[str | aiohttp.FormData | None, dict[str, str]]:
    """A JSON body, or multipart form data when the request uploads files."""
    if request_data is None:
        return None, PLAIN_HEADERS
    if not request_data.contains_files:
        return json.dumps(request_data.parameters), JSON_HEADERS
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (file_name, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=file_name, content_type=mime_type)
    return form, PLAIN_HEADERS
