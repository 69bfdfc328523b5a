"""End-to-end fixtures: the real Application, long polling against a strict local Bot API server."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import compose
from bot.config import Config, load_config
from bot.lifecycle import ExitCode, Timing, serve
from bot.telegram.context import BriefApplication
from brief import parse_text
from storage import Storage, StoredBrief
from tests.fakebot import FakeBotApi, FakeUser, InlineMessage, SentMessage
from tests.waiting import eventually

ADMIN_ID = 1000
AppFactory = Callable[..., AbstractAsyncContextManager[BriefApplication]]


@asynccontextmanager
async def fake_bot_api(*, local: bool = False) -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(local=local) as fake:
        fake.user(ADMIN_ID, "Editor")  # admins open the bot before running it (menu scope)
        yield fake


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with fake_bot_api() as fake:
        yield fake


@pytest.fixture
async def local_server() -> AsyncIterator[FakeBotApi]:
    """As `telegram-bot-api --local`: it posts webhooks to http:// addresses on any port."""
    async with fake_bot_api(local=True) as fake:
        yield fake


def webhook_env(port: int) -> dict[str, str]:
    """Settings for webhook mode, the bot listening on 127.0.0.1:port."""
    return {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
    }


@pytest.fixture
async def storage(db_path: Path) -> AsyncIterator[Storage]:
    """A second connection to the bot's database, as another process would open it."""
    opened = await Storage.open(db_path)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "briefbot.db"


def make_config(server: FakeBotApi, db_path: Path, **env: str) -> Config:
    return load_config(
        {
            "TELEGRAM_BOT_TOKEN": server.token,
            "TELEGRAM_API_URL": server.url,
            "DATABASE_PATH": str(db_path),
            "ADMIN_IDS": str(ADMIN_ID),
            # Off unless a test asks, and at the tests' priority (tests/conftest.py).
            "AUDIO": os.environ["AUDIO"],
            "AUDIO_NICENESS": os.environ["AUDIO_NICENESS"],
            **env,
        },
        dotenv=None,
    )


@asynccontextmanager
async def running(config: Config) -> AsyncIterator[BriefApplication]:
    """Start the bot in the order `run_polling` does, but inside the test's event loop."""
    application = (await compose(config)).application
    assert application.updater is not None
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.updater.start_polling(poll_interval=0, timeout=1)
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        if application.post_stop:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


@asynccontextmanager
async def serving(config: Config, timing: Timing | None = None) -> AsyncIterator[None]:
    """The bot as `briefbot run` runs it (bot/lifecycle.py), in the test's event loop; it
    must stop with exit code 0."""
    stop = asyncio.Event()
    task = asyncio.ensure_future(serve(config, stop, timing or Timing()))
    try:
        yield
    finally:
        stop.set()
        code = await task
    assert code == ExitCode.STOPPED


@pytest.fixture
def make_app(server: FakeBotApi, db_path: Path) -> AppFactory:
    """`async with make_app(LOG_LEVEL="DEBUG") as app:` runs the bot with extra settings."""

    def factory(**env: str) -> AbstractAsyncContextManager[BriefApplication]:
        return running(make_config(server, db_path, **env))

    return factory


@pytest.fixture
async def bot_app(make_app: AppFactory) -> AsyncIterator[BriefApplication]:
    async with make_app() as application:
        yield application


async def publish_file(db_path: Path, path: Path, at: datetime | None = None) -> StoredBrief:
    """Publish a brief the way `briefbot import` does: from another connection to the file."""
    storage = await Storage.open(db_path)
    try:
        brief = parse_text(await asyncio.to_thread(path.read_text, encoding="utf-8")).brief
        return await storage.briefs.publish(brief, by=None, at=at or datetime.now(UTC))
    finally:
        await storage.close()


async def settled(server: FakeBotApi, application: BriefApplication) -> None:
    """Every update sent so far was taken by the bot and handled to its end.

    Whatever the bot answers to those updates from within their handlers, it has sent; a
    test that then finds nothing sent knows nothing will come (timers aside: see the tests'
    own checks of the job queue).
    """
    await eventually(
        lambda: server.pending_updates == 0, "the bot to take every update", detail=server.dump
    )
    # PTB marks each update done once its handlers have returned.
    await asyncio.wait_for(application.update_queue.join(), timeout=10)


async def say(
    server: FakeBotApi,
    user: FakeUser,
    text: str,
    expect: int = 1,
    *,
    entities: list[dict[str, Any]] | None = None,
    forward_origin_user: FakeUser | None = None,
) -> list[SentMessage]:
    """Send a message in the user's private chat; return the `expect` replies it produced."""
    before = len(server.sent(user.id))
    await server.send_text(user, text, entities=entities, forward_origin_user=forward_origin_user)
    sent = await server.wait_sent(user.id, before + expect)
    return sent[before:]


async def press(
    server: FakeBotApi, user: FakeUser, message: SentMessage, label: str, expect: int = 0
) -> tuple[dict[str, object] | None, list[SentMessage]]:
    """Press a button; returns the callback answer and the `expect` messages it produced."""
    chat_id = message.chat_id
    before = len(server.sent(chat_id))
    query_id = await server.press_button(user, message, message.button(label)["callback_data"])
    await server.wait_for_call(
        "answerCallbackQuery", where=lambda c: c.params["callback_query_id"] == query_id
    )
    sent = await server.wait_sent(chat_id, before + expect) if expect else []
    return server.callback_answer(query_id), sent[before:]


async def page_after(
    server: FakeBotApi, reader: FakeUser, message: SentMessage, label: str
) -> SentMessage:
    """Press a button that turns an archive page; the page as edited."""
    edits = message.edits
    await press(server, reader, message, label)
    await server.wait_for_call(
        "editMessageText",
        count=edits + 1,
        where=lambda c: c.params["message_id"] == message.message_id,
    )
    [current] = [m for m in server.sent(reader.id) if m.message_id == message.message_id]
    return current


async def share(server: FakeBotApi, user: FakeUser, query: str, result_id: str) -> InlineMessage:
    """Type `@bot query` and send the result `result_id` into a group."""
    query_id = server.inline.send_query(user, query)
    await server.wait_for_call(
        "answerInlineQuery", where=lambda c: c.params["inline_query_id"] == query_id
    )
    return server.inline.choose(user, query_id, result_id, chat=server.group(-500, "Friends"))
