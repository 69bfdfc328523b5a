"""The bot's Matrix account, over mautrix-python's HTTP client (`mautrix.client.ClientAPI`).

mautrix turns the homeserver's errors into exceptions but drops M_LIMIT_EXCEEDED's
`retry_after_ms` (its MLimitExceeded keeps only the message), which the push needs to
pause its Matrix sends for exactly as long as asked: `_PacedAPI` reads it, and nothing
else differs from mautrix's own request path.
"""

from __future__ import annotations

import json
import logging
from typing import Any, cast

from aiohttp import ClientResponse, ClientSession, ClientTimeout
from mautrix.api import HTTPAPI, Method
from mautrix.client import ClientAPI
from mautrix.errors import MatrixRequestError, make_request_error
from mautrix.types import JSON, EventType, Obj, RoomID, UserID
from mautrix.util.logging import TraceLogger
from yarl import URL

from bot.config.matrix import MatrixSettings
from bot.core.redaction import redact_also

log = cast(TraceLogger, logging.getLogger(__name__))
# A request the homeserver has not answered in this long failed (a sync's long poll adds
# its own timeout to it).
REQUEST_TIMEOUT = 30.0
# When the homeserver says M_LIMIT_EXCEEDED without saying for how long.
DEFAULT_RETRY_AFTER = 1.0
MATRIX_TOKEN_LABEL = "<matrix token>"


class RateLimited(MatrixRequestError):
    """M_LIMIT_EXCEEDED: send nothing more for `retry_after` seconds."""

    def __init__(self, retry_after: float, message: str) -> None:
        super().__init__(message)
        self.http_status = 429
        self.errcode = "M_LIMIT_EXCEEDED"
        self.message = message
        self.retry_after = retry_after


class _PacedAPI(HTTPAPI):
    """mautrix's HTTPAPI, with M_LIMIT_EXCEEDED raised as RateLimited, its wait kept."""

    async def _send(
        self,
        method: Method,
        url: URL,
        content: Any,
        query_params: dict[str, str],
        headers: dict[str, str],
    ) -> tuple[JSON, ClientResponse]:
        request = self.session.request(
            str(method), url, data=content, params=query_params, headers=headers
        )
        async with request as response:
            if 200 <= response.status < 300:
                return await response.json(), response
            text = await response.text()
            body = _json_object(text)
            errcode, message = body.get("errcode"), body.get("error")
            if errcode == "M_LIMIT_EXCEEDED" or response.status == 429:
                raise RateLimited(_retry_after(body, response), str(message or "rate limited"))
            raise make_request_error(
                http_status=response.status,
                text=text,
                errcode=errcode if isinstance(errcode, str) else None,
                message=message if isinstance(message, str) else None,
            )


def _json_object(text: str) -> dict[str, Any]:
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _retry_after(body: dict[str, Any], response: ClientResponse) -> float:
    """The wait the homeserver asks for: the body's retry_after_ms, else Retry-After."""
    millis = body.get("retry_after_ms")
    if isinstance(millis, int | float) and millis >= 0:
        return min(float(millis) / 1000, 3600.0)
    header = response.headers.get("Retry-After", "")
    if header.isdigit():
        return min(float(header), 3600.0)
    return DEFAULT_RETRY_AFTER


def open_client(settings: MatrixSettings) -> ClientAPI:
    """The bot's account on its homeserver; close with `close_client`. Nothing is asked of
    the homeserver yet. From here on the access token is taken out of every log line and
    report, as the bot token is."""
    redact_also(settings.access_token, MATRIX_TOKEN_LABEL)
    session = ClientSession(
        timeout=ClientTimeout(total=None, sock_connect=10, sock_read=REQUEST_TIMEOUT + 40),
        headers={"User-Agent": "briefbot"},
    )
    api = _PacedAPI(settings.homeserver, settings.access_token, client_session=session, log=log)
    return ClientAPI(UserID(settings.user_id), api=api)


async def close_client(client: ClientAPI) -> None:
    await client.api.session.close()


async def send_message(client: ClientAPI, room: str, content: dict[str, Any]) -> str:
    """An m.room.message in the room; its event id. The content is the plain JSON the
    adapter writes (bot/matrix/text.py), which mautrix sends as it is."""
    event = await client.send_message_event(
        RoomID(room), EventType.ROOM_MESSAGE, cast("Obj", content)
    )
    return str(event)
