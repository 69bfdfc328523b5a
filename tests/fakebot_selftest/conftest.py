from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from tests.fakebot import FakeBotApi


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(
        server.token, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot"
    ) as client:
        yield client
