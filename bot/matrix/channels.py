"""MATRIX_ROOM_IDS: rooms every published brief is posted to, as Telegram's channels
(CHANNEL_IDS) are, by the same poster (bot/core/channels/poster.py) through the same
delivery record, so each brief is posted once and its corrections edit the post.

The poster asks, for each room, whether the bot may post there: this check joins the room
(a public room, or one the bot was invited to; joining a room the bot is in changes
nothing), then reads whether its power level reaches the level messages need. The room's
integer id is the adapter's (storage.matrix).
"""

from __future__ import annotations

import logging

from mautrix.client import ClientAPI
from mautrix.errors import MatrixConnectionError, MatrixRequestError
from mautrix.types import EventType, PowerLevelStateEventContent, RoomID, UserID

from bot.config import ChannelRef
from bot.core.channels.checks import ChannelCheck, ChannelProblem
from storage import Storage

log = logging.getLogger(__name__)


def is_room_ref(ref: ChannelRef) -> bool:
    """A MATRIX_ROOM_IDS entry among the poster's channels: `!id:server`."""
    return isinstance(ref, str) and ref.startswith("!")


async def check_room(client: ClientAPI, storage: Storage, ref: ChannelRef) -> ChannelCheck:
    """The poster's ChannelChecker for a Matrix room: joined, then its power levels read.
    Never raises for what the homeserver answers: every refusal is a ChannelProblem."""
    room = RoomID(str(ref))
    try:
        await client.join_room_by_id(room)
    except (MatrixRequestError, MatrixConnectionError) as error:
        return ChannelCheck(ref, problem=ChannelProblem.UNREACHABLE, detail=str(error), room=True)
    chat_id = await storage.matrix.id_of(room)
    title = await _name(client, room)
    try:
        levels = await client.get_state_event(room, EventType.ROOM_POWER_LEVELS)
    except (MatrixRequestError, MatrixConnectionError) as error:
        return ChannelCheck(
            ref, chat_id, title, ChannelProblem.RIGHTS_UNKNOWN, str(error), room=True
        )
    if isinstance(levels, PowerLevelStateEventContent):
        mine = levels.get_user_level(UserID(client.mxid))
        if mine < levels.get_event_level(EventType.ROOM_MESSAGE):
            return ChannelCheck(ref, chat_id, title, ChannelProblem.CANNOT_POST, room=True)
    return ChannelCheck(ref, chat_id, title, room=True)


async def _name(client: ClientAPI, room: RoomID) -> str | None:
    """The room's name (m.room.name), when it has one."""
    try:
        content = await client.get_state_event(room, EventType.ROOM_NAME)
    except (MatrixRequestError, MatrixConnectionError):
        return None
    name = getattr(content, "name", None)
    return name if isinstance(name, str) and name else None
