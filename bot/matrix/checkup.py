"""What `briefbot check` asks the homeserver: whose access token this is (whoami), and which
rooms the account has joined, to hold MATRIX_ROOM_IDS against.

Through the bot's own client (client.py), as `briefbot run` would ask. Never raises for what
the homeserver answers, nor for not reaching it: each becomes a finding, in words the
command line (bot/cli_check.py) puts to the operator, the token taken out of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from mautrix.errors import MatrixError, MatrixInvalidToken, MatrixRequestError

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
        try:
            joined = frozenset(str(room) for room in await client.get_joined_rooms())
        except MatrixError as error:
            return MatrixCheckup(
                found.user_id, found.device_id, rooms_failure=error_words(error, token)
            )
        return MatrixCheckup(found.user_id, found.device_id, joined=joined)
    finally:
        await close_client(client)


def error_words(error: MatrixError, token: str) -> str:
    """The homeserver's words (its errcode and message), or the network's, without the token."""
    if isinstance(error, MatrixRequestError):
        said = error.message or f"HTTP {error.http_status}"
        text = f"{error.errcode}: {said}" if error.errcode else said
    else:
        text = str(error) or type(error).__name__
    return redact(text[:200], token)
