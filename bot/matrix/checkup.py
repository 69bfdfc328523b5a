"""What `briefbot check` asks the homeserver: whose access token this is (whoami), which
rooms the account has joined, to hold MATRIX_ROOM_IDS against, and whether its power level
lets it post in each of those it is in. Asked only: the check joins no room (the running
bot does, bot/matrix/channels.py).

Through the bot's own client (client.py), as `briefbot run` would ask. Never raises for what
the homeserver answers, nor for not reaching it: each becomes a finding, in words the
command line (bot/cli_check.py) puts to the operator, the token taken out of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from mautrix.client import ClientAPI
from mautrix.errors import MatrixError, MatrixInvalidToken, MatrixRequestError
from mautrix.types import EventType, PowerLevelStateEventContent, RoomID, UserID

from bot.config.matrix import MatrixSettings
from bot.core.redaction import redact
from bot.matrix.client import close_client, open_client


@dataclass(frozen=True, slots=True)
class MatrixCheckup:
    """What the homeserver said; `failure` set: whoami failed (nothing else is known)."""

    user_id: str = ""  # whose the token is
    device_id: str = ""
    failure: str = ""  # the homeserver's or the network's words
    token_refused: bool = False  # M_UNKNOWN_TOKEN, M_MISSING_TOKEN: the token is no good
    unreachable: bool = False  # no answer, or not a Matrix one
    joined: frozenset[str] | None = None  # the rooms the account is in; None: not asked
    rooms_failure: str = ""
    cannot_post: frozenset[str] = frozenset()  # rooms of MATRIX_ROOM_IDS it is in, mute there
    levels_unknown: tuple[tuple[str, str], ...] = ()  # (room, why) of those not asked


async def ask_matrix(settings: MatrixSettings) -> MatrixCheckup:
    """whoami, then the joined rooms when there are MATRIX_ROOM_IDS to hold against them and
    the token is MATRIX_USER_ID's."""
    client = open_client(settings)
    token = settings.access_token
    try:
        try:
            whoami = await client.whoami()
        except MatrixInvalidToken as error:
            return MatrixCheckup(failure=error_words(error, token), token_refused=True)
        except MatrixRequestError as error:
            return MatrixCheckup(failure=error_words(error, token))
        except MatrixError as error:  # MatrixConnectionError, or an answer that is not JSON
            return MatrixCheckup(failure=error_words(error, token), unreachable=True)
        found = MatrixCheckup(user_id=str(whoami.user_id), device_id=str(whoami.device_id or ""))
        if not settings.room_ids or found.user_id != settings.user_id:
            return found
        return await _rooms(client, settings, found)
    finally:
        await close_client(client)


async def _rooms(
    client: ClientAPI, settings: MatrixSettings, found: MatrixCheckup
) -> MatrixCheckup:
    """MATRIX_ROOM_IDS held against the joined rooms; in each joined, the power levels."""
    token = settings.access_token
    try:
        joined = frozenset(str(room) for room in await client.get_joined_rooms())
    except MatrixError as error:
        return MatrixCheckup(
            found.user_id, found.device_id, rooms_failure=error_words(error, token)
        )
    mute: set[str] = set()
    unknown: list[tuple[str, str]] = []
    for room in (room for room in settings.room_ids if room in joined):
        try:
            if not await _may_post(client, room):
                mute.add(room)
        except MatrixError as error:
            unknown.append((room, error_words(error, token)))
    return MatrixCheckup(
        found.user_id,
        found.device_id,
        joined=joined,
        cannot_post=frozenset(mute),
        levels_unknown=tuple(unknown),
    )


async def _may_post(client: ClientAPI, room: str) -> bool:
    """Whether the account's power level reaches what messages need in the room."""
    levels = await client.get_state_event(RoomID(room), EventType.ROOM_POWER_LEVELS)
    if not isinstance(levels, PowerLevelStateEventContent):
        return True
    mine = levels.get_user_level(UserID(client.mxid))
    return bool(mine >= levels.get_event_level(EventType.ROOM_MESSAGE))


def error_words(error: MatrixError, token: str) -> str:
    """The homeserver's words (its errcode and message), or the network's, without the token."""
    if isinstance(error, MatrixRequestError):
        said = error.message or f"HTTP {error.http_status}"
        text = f"{error.errcode}: {said}" if error.errcode else said
    else:
        text = str(error) or type(error).__name__
    return redact(text[:200], token)
