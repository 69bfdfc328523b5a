"""A room's daily briefs and language: `!subscribe [HH:MM] [zone]`, `!unsubscribe`,
`!settings`, `!language [code|auto]`, with Telegram's meanings: each calls the core function
Telegram's handler calls (bot/telegram/handlers/subscription.py, language.py).

Who may change a room's subscription or language: in a direct chat its reader; in any other
room those whose power level would let them change the room's power levels (its
administrators, as Telegram's groups have theirs), asked of the homeserver at the moment of
the change, so a demoted member loses the right at once. `!settings` only shows them, to
anyone, as `/settings` does.
"""

from __future__ import annotations

import logging

from mautrix.errors import MatrixConnectionError, MatrixRequestError
from mautrix.types import (
    EventType,
    PowerLevelStateEventContent,
    RoomCreateStateEventContent,
    RoomID,
    StateEvent,
    UserID,
)

from bot.core.subscriptions.commands import (
    managers_only,
    settings_reply,
    subscribe_reply,
    unsubscribe_reply,
)
from bot.core.subscriptions.language_choice import language_reply
from bot.core.subscriptions.subscribing import Request
from bot.core.subscriptions.timing import utc_now
from bot.matrix.context import MatrixServices, Message, answer

log = logging.getLogger(__name__)


async def subscribe_handler(services: MatrixServices, message: Message) -> None:
    if not await _may_manage(services, message):
        return
    core = services.core
    reply = await subscribe_reply(
        core.storage,
        core.renderer,
        message.chat_id,
        message.args,
        defaults=_defaults(services),
        now=utc_now(),
        app_language=None,  # Matrix says no app language
    )
    await answer(services, message, reply)


async def unsubscribe_handler(services: MatrixServices, message: Message) -> None:
    if not await _may_manage(services, message):
        return
    core = services.core
    await answer(
        services, message, await unsubscribe_reply(core.storage, core.renderer, message.chat_id)
    )


async def settings_handler(services: MatrixServices, message: Message) -> None:
    core = services.core
    reply = await settings_reply(
        core.storage, core.renderer, message.chat_id, defaults=_defaults(services)
    )
    await answer(services, message, reply)


async def language_handler(services: MatrixServices, message: Message) -> None:
    if not await _may_manage(services, message):
        return
    core = services.core
    reply = await language_reply(
        core.storage,
        core.renderer,
        message.chat_id,
        message.args,
        telegram_code=None,
        now=utc_now(),
        app_reports_language=False,  # `auto` is BOT_LANGUAGE here: Matrix says no language
    )
    await answer(services, message, reply)


def _defaults(services: MatrixServices) -> Request:
    """What `!subscribe` without a time or zone starts with: DEFAULT_DELIVERY_TIME and
    DEFAULT_TIMEZONE, as in Telegram."""
    config = services.core.config
    return Request(config.default_delivery_time, config.default_timezone)


async def _may_manage(services: MatrixServices, message: Message) -> bool:
    """Whether the sender may change the room's settings; if not, they are told so."""
    if message.direct or await may_change_settings(services, message.room_id, message.sender):
        return True
    await answer(services, message, managers_only(services.core.renderer))
    return False


async def may_change_settings(services: MatrixServices, room_id: str, user_id: str) -> bool:
    """The user's power level in the room reaches the level needed to change its power
    levels; a room creator of a room version that gives creators every power (12 and up)
    always may. No answer from the homeserver: no (logged)."""
    client, room = services.client, RoomID(room_id)
    try:
        levels = await client.get_state_event(room, EventType.ROOM_POWER_LEVELS)
        create = await client.get_state_event(room, EventType.ROOM_CREATE, format="event")
    except (MatrixRequestError, MatrixConnectionError) as error:
        log.warning("power levels of %s unknown: %s", room_id, error)
        return False
    if not isinstance(levels, PowerLevelStateEventContent):
        return False
    creation: StateEvent | None = None
    if isinstance(create, StateEvent) and isinstance(create.content, RoomCreateStateEventContent):
        creation = create
    needed = levels.get_event_level(EventType.ROOM_POWER_LEVELS)
    return levels.get_user_level(UserID(user_id), creation) >= needed
