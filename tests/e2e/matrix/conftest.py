"""The bot serving Telegram (the strict local Bot API server) and Matrix (a real Synapse,
tests/synapse/) at once, from one database: the fixtures every Matrix flow runs on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.telegram.context import BriefApplication
from tests.e2e.conftest import make_config, running
from tests.fakebot import FakeBotApi
from tests.synapse.client import MatrixClient
from tests.synapse.server import Account, Homeserver


@dataclass(frozen=True, slots=True)
class MatrixBot:
    """The bot's Matrix account, an editor (MATRIX_ADMIN_IDS) and the running application."""

    account: Account
    editor: Account
    application: BriefApplication

    @property
    def user_id(self) -> str:
        return self.account.user_id


MatrixBotFactory = Callable[..., AbstractAsyncContextManager[MatrixBot]]


def matrix_env(homeserver: Homeserver, bot: Account, editor: Account, **env: str) -> dict[str, str]:
    return {
        "MATRIX_HOMESERVER": homeserver.url,
        "MATRIX_USER_ID": bot.user_id,
        "MATRIX_ACCESS_TOKEN": bot.access_token,
        "MATRIX_ADMIN_IDS": editor.user_id,
        **env,
    }


@pytest.fixture
def make_matrix_bot(homeserver: Homeserver, server: FakeBotApi, db_path: Path) -> MatrixBotFactory:
    """`async with make_matrix_bot(MATRIX_ROOM_IDS=...) as bot:` the bot on both apps, its
    Matrix account fresh and free of Synapse's rate limits unless `limited`."""

    @asynccontextmanager
    async def factory(
        *,
        limited: bool = False,
        account: Account | None = None,
        editor: Account | None = None,
        **env: str,
    ) -> AsyncIterator[MatrixBot]:
        """`account`, `editor`: a bot started again as before (a restart)."""
        account = account or await homeserver.fresh_user("briefbot")
        editor = editor or await homeserver.fresh_user("editor")
        if not limited:
            await homeserver.lift_rate_limits(account.user_id)
        config = make_config(server, db_path, **matrix_env(homeserver, account, editor, **env))
        async with running(config) as application:
            yield MatrixBot(account, editor, application)

    return factory


@pytest.fixture
async def matrix_bot(make_matrix_bot: MatrixBotFactory) -> AsyncIterator[MatrixBot]:
    async with make_matrix_bot() as bot:
        yield bot


async def direct_chat(homeserver: Homeserver, reader: MatrixClient, bot: MatrixBot) -> str:
    """A direct, unencrypted room of the reader and the bot, the bot joined."""
    room = await reader.create_room(invite=[bot.user_id], direct=True)
    await reader.wait_for_membership(room, bot.user_id, "join", timeout=30)
    return room
