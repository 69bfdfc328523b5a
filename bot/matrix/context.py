"""What a Matrix command handler is given: who wrote what where, as the core's ids, and
the services every handler reaches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mautrix.client import ClientAPI

from bot.config.matrix import MatrixSettings
from bot.core.chat import Messenger, Reply
from bot.core.services import Services


@dataclass(frozen=True, slots=True)
class MatrixServices:
    """The core's services, and the Matrix side's own."""

    core: Services
    settings: MatrixSettings
    messenger: Messenger  # Matrix's, for replies in rooms
    client: ClientAPI  # the bot's account, for what a handler asks of the homeserver


@dataclass(frozen=True, slots=True)
class Message:
    """A command in a room: the room and its sender as the core's integer ids, their Matrix
    names, and whether the room is a direct chat (two members)."""

    room_id: str
    chat_id: int
    sender: str
    reader_id: int
    args: list[str]
    direct: bool
    event_id: str = ""
    name: str = ""  # the command, lower case, without "!"; "" for other text or a file
    content: Mapping[str, Any] = field(default_factory=dict)  # the event's, as sent

    @property
    def argument(self) -> str:
        return " ".join(self.args)


async def answer(services: MatrixServices, message: Message, reply: Reply | None) -> None:
    if reply is not None:
        await services.messenger.send(message.chat_id, reply)


MatrixHandler = Callable[[MatrixServices, Message], Awaitable[None]]
