"""The bot's rooms: invitations taken (from any server, or MATRIX_ALLOWED_SERVERS'), a room
that kicked or banned the bot unsubscribed, an encrypted room told once how to make one
the bot can read, and which rooms are direct chats.

Kept in memory, per process: each room's member count as the sync stream last said it
(summaries come only when it changes), asked of the homeserver after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from mautrix.client import ClientAPI
from mautrix.errors import MatrixConnectionError, MatrixRequestError
from mautrix.types import RoomID

from bot.core.languages import ReaderLocale
from bot.core.subscriptions.timing import utc_now
from bot.matrix.client import RateLimited
from bot.matrix.context import MatrixServices

log = logging.getLogger(__name__)
ENCRYPTED_TEMPLATE = "matrix_encrypted.html"
JOIN_WAITS = 10  # M_LIMIT_EXCEEDED answers to one invitation's answer before giving up


class Rooms:
    def __init__(self, client: ClientAPI, services: MatrixServices) -> None:
        self._client = client
        self._services = services
        self._members: dict[str, int] = {}

    async def invited(self, room_id: RoomID, invite: Mapping[str, Any]) -> None:
        """Join, when the inviter's server may invite the bot; else decline."""
        inviter = _inviter(invite, self._services.settings.user_id)
        accept = inviter is not None and self._services.settings.may_invite(inviter)
        # An invitation is in the stream once: an answer the homeserver asks to wait with
        # is given again after the wait, or the room would stay invited for ever.
        for _ in range(JOIN_WAITS + 1):
            try:
                if accept:
                    await self._client.join_room_by_id(room_id)
                    log.info("joined Matrix room %s, invited by %s", room_id, inviter)
                else:
                    await self._client.leave_room(room_id)
                    log.info("declined an invitation to %s from %s", room_id, inviter)
            except RateLimited as error:
                await asyncio.sleep(error.retry_after)
                continue
            except (MatrixRequestError, MatrixConnectionError) as error:
                log.warning("could not answer the invitation to %s: %s", room_id, error)
            return
        log.warning("could not answer the invitation to %s: rate limited", room_id)

    async def left(self, room_id: RoomID, left: Mapping[str, Any]) -> None:
        """The bot left, or was kicked or banned: the room's subscription ends."""
        storage = self._services.core.storage
        chat_id = await storage.matrix.id_of(room_id)
        self._members.pop(room_id, None)
        if await storage.subscribers.unsubscribe(chat_id):
            log.info("Matrix room %s removed the bot: unsubscribed", room_id)

    async def joined(self, room_id: RoomID, joined: Mapping[str, Any]) -> None:
        """What the batch says of a room the bot is in: its member count, its encryption."""
        count = (joined.get("summary") or {}).get("m.joined_member_count")
        if isinstance(count, int):
            self._members[room_id] = count
        state = (joined.get("state") or {}).get("events") or []
        timeline = (joined.get("timeline") or {}).get("events") or []
        if any(event.get("type") == "m.room.encryption" for event in [*state, *timeline]):
            await self.encrypted(room_id)

    async def encrypted(self, room_id: RoomID) -> None:
        """Said once per room: the bot reads no encrypted room, and how to make one it can."""
        storage = self._services.core.storage
        chat_id = await storage.matrix.id_of(room_id)
        if not await storage.matrix.mark_told(chat_id, "encrypted", utc_now()):
            return
        text = self._services.core.renderer.render(ENCRYPTED_TEMPLATE)
        await self._services.messenger.notify(chat_id, text)

    async def is_direct(self, room_id: RoomID) -> bool:
        """Two members: the bot and one person."""
        count = self._members.get(room_id)
        if count is None:
            try:
                count = len(await self._client.get_joined_members(room_id))
            except (MatrixRequestError, MatrixConnectionError) as error:
                log.warning("members of %s unknown: %s", room_id, error)
                return False
            self._members[room_id] = count
        return count == 2

    async def locale(self, chat_id: int) -> ReaderLocale:
        """The room's chosen language, else BOT_LANGUAGE (Matrix says no app language)."""
        core = self._services.core
        stored = await core.storage.languages.get(chat_id)
        return core.renderer.locale_for(stored.chosen, stored.seen, stored.zone)


def _inviter(invite: Mapping[str, Any], bot: str) -> str | None:
    """Who invited the bot, from the invitation's stripped state."""
    for event in (invite.get("invite_state") or {}).get("events") or []:
        if (
            event.get("type") == "m.room.member"
            and event.get("state_key") == bot
            and (event.get("content") or {}).get("membership") == "invite"
        ):
            sender = event.get("sender")
            return sender if isinstance(sender, str) else None
    return None
