"""Webhooks in the fake: setWebhook, deleteWebhook, getWebhookInfo, and delivery by POST.

One queue of updates (World.updates) serves both ways of receiving them, as on Telegram.
While a webhook is set, getUpdates is refused with 409 (server.py) and each pending update
of an allowed type is POSTed as JSON to the webhook's URL, at most `max_connections` at
once, with the X-Telegram-Bot-Api-Secret-Token header when a secret was given. A 2xx answer
confirms the update (it leaves the queue); any other answer, or a failed connection, keeps it
pending, records last_error_date/last_error_message, and it is sent again a moment later.

`local=True` mirrors `telegram-bot-api --local`: http:// URLs, any port and any address are
accepted. Otherwise Telegram's own rules hold: https only, ports 443, 80, 88 or 8443, and no
reserved address.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from tests.fakebot.errors import bad_request
from tests.fakebot.world import MethodImpl, World, check_allowed_updates, update_type, utc_now

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})
_SECRET = re.compile(r"[A-Za-z0-9_-]*")
DEFAULT_MAX_CONNECTIONS = 40
# telegram-bot-api clamps max_connections into its range rather than refusing it; a local
# server allows many more connections.
MAX_CONNECTIONS, LOCAL_MAX_CONNECTIONS = 100, 100_000
POST_TIMEOUT = 30.0
_PORTS = "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"


@dataclass(frozen=True)
class Delivery:
    """One POST of an update to the webhook, as the fake saw its answer."""

    update_id: int
    status: int | None  # None: no HTTP answer (refused connection, timeout)
    answered_at: float  # time.monotonic()


class Webhook:
    def __init__(self, world: World, *, local: bool, retry_delay: float = 0.1) -> None:
        self.world = world
        self.local = local
        self.retry_delay = retry_delay
        self.url = ""
        self.secret: str | None = None
        self.max_connections = DEFAULT_MAX_CONNECTIONS
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.deliveries: list[Delivery] = []
        self._in_flight: set[int] = set()
        self._retry_at: dict[int, float] = {}
        self._changed = asyncio.Event()
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.Task[None] | None = None
        self._posts: set[asyncio.Task[None]] = set()

    def implementations(self) -> dict[str, MethodImpl]:
        return {
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
        }

    async def close(self) -> None:
        self.url = ""
        tasks = [t for t in (self._loop, *self._posts) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()

    # -- methods ---------------------------------------------------------------------------

    async def set_webhook(self, params: dict[str, Any]) -> Any:
        url = params["url"]
        if not url:
            return await self.delete_webhook(params)
        self._check_url(url)
        secret = params.get("secret_token")
        if secret is not None:
            if len(secret) > 256:
                raise bad_request("secret token must be at most 256 bytes long")
            if not _SECRET.fullmatch(secret):
                raise bad_request("secret token contains unallowed characters")
        if "allowed_updates" in params:
            self.world.allowed_updates = check_allowed_updates(params["allowed_updates"])
        ceiling = LOCAL_MAX_CONNECTIONS if self.local else MAX_CONNECTIONS
        wanted = params.get("max_connections", DEFAULT_MAX_CONNECTIONS)
        self.max_connections = min(max(wanted, 1), ceiling)
        if params.get("drop_pending_updates"):
            self.world.updates.clear()
        if url != self.url:
            self.last_error_date = self.last_error_message = None
        self.url, self.secret = url, secret or None
        if self._loop is None or self._loop.done():
            self._loop = asyncio.ensure_future(self._deliver())
        self._changed.set()
        return True

    async def delete_webhook(self, params: dict[str, Any]) -> Any:
        if params.get("drop_pending_updates"):
            self.world.updates.clear()
        self.url, self.secret = "", None
        self.last_error_date = self.last_error_message = None
        self._changed.set()
        return True

    async def get_webhook_info(self, params: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }
        if self.url:
            info["max_connections"] = self.max_connections
            info["allowed_updates"] = sorted(self.world.allowed_updates)
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise bad_request(_PORTS) from None
        if not parts.hostname:
            raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
        if parts.scheme not in (("http", "https") if self.local else ("https",)):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if self.local:
            return
        if port not in WEBHOOK_PORTS:
            raise bad_request(_PORTS)
        with contextlib.suppress(ValueError):
            address = ipaddress.ip_address(parts.hostname)
            if not address.is_global:
                raise bad_request(f"bad webhook: IP address {address} is reserved")

    # -- delivery --------------------------------------------------------------------------

    async def _deliver(self) -> None:
        self._session = self._session or aiohttp.ClientSession()
        while True:
            world = self.world
            # Updates of a type no longer allowed are dropped, as getUpdates does.
            world.updates = [u for u in world.updates if update_type(u) in world.allowed_updates]
            pending = {u["update_id"] for u in world.updates}
            self._retry_at = {i: at for i, at in self._retry_at.items() if i in pending}
            now = time.monotonic()
            if self.url:
                self._start_posts(now)
            self._changed.clear()
            world.update_pushed.clear()
            retrying = [at for i, at in self._retry_at.items() if i not in self._in_flight]
            waits = [at - now for at in retrying] if self.url else []
            wakers = [
                asyncio.ensure_future(self._changed.wait()),
                asyncio.ensure_future(world.update_pushed.wait()),
            ]
            timeout = max(min(waits), 0.0) if waits else None
            try:
                await asyncio.wait(wakers, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:  # also when close() cancels this loop: no waker is left pending
                for waker in wakers:
                    waker.cancel()

    def _start_posts(self, now: float) -> None:
        for update in list(self.world.updates):
            if len(self._in_flight) >= self.max_connections:
                return
            update_id = update["update_id"]
            if update_id in self._in_flight or self._retry_at.get(update_id, 0.0) > now:
                continue
            self._in_flight.add(update_id)
            task = asyncio.ensure_future(self._post(update))
            self._posts.add(task)
            task.add_done_callback(self._posts.discard)

    async def _post(self, update: dict[str, Any]) -> None:
        assert self._session is not None
        update_id = update["update_id"]
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        status: int | None = None
        try:
            async with self._session.post(
                self.url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(POST_TIMEOUT)
            ) as response:
                status = response.status
                await response.read()
            error = None if 200 <= status < 300 else _wrong_response(status)
        except TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientError as failure:
            error = _connection_error(failure)
        finally:
            self._in_flight.discard(update_id)
        self.deliveries.append(Delivery(update_id, status, time.monotonic()))
        if error is None:
            self._retry_at.pop(update_id, None)
            self.world.updates = [u for u in self.world.updates if u["update_id"] != update_id]
        else:
            self.last_error_date, self.last_error_message = utc_now(), error
            self._retry_at[update_id] = time.monotonic() + self.retry_delay
        self._changed.set()


def _wrong_response(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"Wrong response from the webhook: {status} {phrase}"


def _connection_error(failure: aiohttp.ClientError) -> str:
    if isinstance(failure, aiohttp.ClientConnectorError):
        return "Connection refused"
    return f"Connection failed: {type(failure).__name__}"
