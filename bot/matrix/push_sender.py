"""The push's sender (bot/core/push/sending.py) over Matrix: one message to one room, each
failure said as the kind the delivery record acts on.

The delivery (bot/core/push/delivery.py) waits for the room's turn in the Matrix budget
before each send (the composition root routes Matrix rooms to it, bot/routing.py) and
pauses that budget alone on Flood, which M_LIMIT_EXCEEDED becomes here.
"""

from __future__ import annotations

from mautrix.client import ClientAPI
from mautrix.errors import MatrixConnectionError, MatrixRequestError

from bot.core.chat import Keyboard
from bot.core.push.sending import Flood, Refused, Transient, Unreachable
from bot.matrix.client import RateLimited, send_message
from bot.matrix.text import message_content
from storage import Storage

# The bot is not (or no longer) in the room, or may not write there.
_GONE = ("M_FORBIDDEN", "M_NOT_FOUND")


class MatrixPushSender:
    def __init__(self, client: ClientAPI, storage: Storage) -> None:
        self._client = client
        self._storage = storage

    async def send(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        room = await self._storage.matrix.name_of(chat_id)
        if room is None or not room.startswith("!"):
            raise Unreachable(f"no Matrix room has id {chat_id}")
        content = message_content(text, keyboard)
        try:
            event = await send_message(self._client, room, content)
        except RateLimited as error:
            raise Flood(f"M_LIMIT_EXCEEDED: {error.message}", error.retry_after) from None
        except MatrixRequestError as error:
            errcode = getattr(error, "errcode", None)
            status = getattr(error, "http_status", 0)
            if errcode in _GONE:
                raise Unreachable(f"{errcode}: {error}") from None
            if isinstance(status, int) and 400 <= status < 500:
                raise Refused(f"{errcode or status}: {error}") from None
            raise Transient(f"{errcode or status}: {error}") from None
        except (MatrixConnectionError, TimeoutError, OSError) as error:
            raise Transient(f"{type(error).__name__}: {error}") from None
        return await self._storage.matrix.remember_event(chat_id, event)

    async def close(self) -> None:
        """The client is the adapter's, closed with it."""
