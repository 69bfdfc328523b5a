"""The Matrix side, built by the composition root (bot/app.py) beside Telegram's from the
same storage and core services, and started and stopped with them.

Its parts: the bot's account (client.py), its own sending budget (a Pacer: the
homeserver's limits are not Telegram's, and its "wait" pauses Matrix sends alone), the
Messenger and the push's sender over that account, and the sync reader that answers
commands (sync.py, one replica at a time).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web
from mautrix.client import ClientAPI
from mautrix.errors import MatrixError, MatrixInvalidToken, MatrixRequestError

from bot.config.matrix import MatrixSettings
from bot.core.budget.pacing import Pacer
from bot.core.channels.poster import ChannelPoster
from bot.core.limits.flood import FloodGate
from bot.core.push.delivery import Delivery
from bot.core.rendering import Renderer
from bot.core.services import Services
from bot.matrix.channels import check_room
from bot.matrix.checkup import error_words
from bot.matrix.client import close_client, open_client
from bot.matrix.context import MatrixHandler, MatrixServices
from bot.matrix.handlers import handlers
from bot.matrix.messenger import MatrixMessenger
from bot.matrix.push_sender import MatrixPushSender
from bot.matrix.sync import SyncReader
from storage import Storage

log = logging.getLogger(__name__)
_DOCS = "docs/operators/matrix.md"


@dataclass(slots=True)
class MatrixSide:
    """Built before the core's services (which route to its messenger), started after."""

    settings: MatrixSettings
    client: ClientAPI
    pacer: Pacer
    messenger: MatrixMessenger
    push_sender: MatrixPushSender
    _reader: SyncReader | None = None
    _task: asyncio.Task[None] | None = None
    _handlers: dict[str, MatrixHandler] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MatrixAlone:
    """The running system without Telegram (no TELEGRAM_BOT_TOKEN), composed by bot/app.py
    and started and stopped by bot/alone.py: the Matrix side, the core's services over it,
    and the bot's HTTP server's routes."""

    services: Services
    matrix: MatrixSide
    routes: list[web.RouteDef]


def build_matrix(settings: MatrixSettings, storage: Storage) -> MatrixSide:
    client = open_client(settings)
    pacer = Pacer(settings.send_rate)
    return MatrixSide(
        settings=settings,
        client=client,
        pacer=pacer,
        messenger=MatrixMessenger(client, storage, pacer),
        push_sender=MatrixPushSender(client, storage),
    )


def room_poster(
    side: MatrixSide, storage: Storage, renderer: Renderer, delivery: Delivery
) -> ChannelPoster:
    """Matrix alone: MATRIX_ROOM_IDS' rooms posted to as channels, through the push's
    delivery record; their problems logged (no Telegram admin to tell)."""
    return ChannelPoster(
        side.messenger,
        functools.partial(check_room, side.client, storage),
        storage,
        renderer,
        delivery,
        channels=side.settings.room_ids,
        admin_ids=(),
    )


class MatrixStartError(Exception):
    """The bot's Matrix account cannot be served: a token the homeserver refuses or that is
    another account's, or no homeserver answering. One line for the log; the start stops."""


async def start_matrix(
    side: MatrixSide, services: Services, on_answer: Callable[[], None] | None = None
) -> None:
    """Who the bot is checked (MatrixStartError stops the start), then the sync stream read
    in the background; `on_answer` hears the homeserver answer it (bot/matrix/sync.py)."""
    await check_account(side)
    storage = services.storage
    admins = [await storage.matrix.id_of(admin) for admin in sorted(side.settings.admin_ids)]
    gate = FloodGate(admins, side.pacer.backlog)
    matrix_services = MatrixServices(services, side.settings, side.messenger, side.client)
    side._reader = SyncReader(
        side.client,
        matrix_services,
        handlers(),
        gate,
        owner=services.replica.id,
        on_answer=on_answer,
    )
    side._task = asyncio.create_task(side._reader.run(), name="matrix-sync")
    log.info("serving Matrix as %s on %s", side.settings.user_id, side.settings.homeserver)


async def check_account(side: MatrixSide) -> None:
    """MatrixStartError unless the homeserver answers that the token is MATRIX_USER_ID's."""
    client, settings = side.client, side.settings
    where = f"the homeserver at {settings.homeserver}"
    try:
        whoami = await client.whoami()
    except MatrixInvalidToken as error:
        raise MatrixStartError(
            f"{where} refused MATRIX_ACCESS_TOKEN ({error_words(error, settings.access_token)}): "
            f"log the bot's account in again and set the new token ({_DOCS})"
        ) from None
    except MatrixRequestError as error:
        raise MatrixStartError(
            f"{where} would not say whose MATRIX_ACCESS_TOKEN is "
            f"({error_words(error, settings.access_token)}): check that MATRIX_HOMESERVER is "
            "the URL Matrix clients use"
        ) from None
    except MatrixError as error:
        raise MatrixStartError(
            f"{where} cannot be reached ({error_words(error, settings.access_token)}): check "
            "MATRIX_HOMESERVER and the network"
        ) from None
    if whoami.user_id != settings.user_id:
        raise MatrixStartError(
            f"MATRIX_ACCESS_TOKEN belongs to {whoami.user_id}, not MATRIX_USER_ID "
            f"{settings.user_id}: set the bot account's own token"
        )


async def stop_matrix(side: MatrixSide) -> None:
    """The stream stopped, the answers in progress finished, the lease given back."""
    try:
        if side._reader is not None:
            await side._reader.stop()
        if side._task is not None:
            side._task.cancel()
            await asyncio.gather(side._task, return_exceptions=True)
    finally:
        await close_client(side.client)
