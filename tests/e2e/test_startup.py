"""Starting and stopping `briefbot run`: each failure is one line, and the token is never shown."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.lifecycle import ExitCode, Timing, serve
from bot.telegram.context import BriefApplication
from tests.databases import UNUSABLE, unusable_database
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID, make_config, say
from tests.fakebot import FakeBotApi, free_port

# Shaped like a real token, so that it and its secret half can be searched for.
TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING|ERROR) [\w.]+: ")
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


def environment(url: str, database: Path, token: str = TOKEN) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": url, "DATABASE_PATH": str(database)}


def assert_clean(output: str, token: str = TOKEN) -> None:
    """No token, no traceback, no session left open: what an operator must never see."""
    assert token not in output
    assert token.partition(":")[2] not in output
    for sign in ("Traceback", "Unclosed", "Task exception", "Exception ignored"):
        assert sign not in output, output


async def answers_a_reader(server: FakeBotApi) -> None:
    """Once the bot has started (its command menu set), it answers a reader."""
    await server.wait_for_call("setMyCommands", timeout=30)
    [reply] = await say(server, server.user(7, "Grace"), "/brief")
    assert "There is no brief yet" in reply.text


# These bots run without ADMIN_IDS, a first run: each says how to become its admin
# (tests/e2e/test_first_run.py), a line left out of what the tests here look at.
FIRST_RUN = "WARNING bot.app: no admins: send /id to "


def log_lines(bot: BotProcess, level: str) -> list[str]:
    assert all(LOG_LINE.match(line) for line in bot.stderr), bot.output  # each one line
    return [line for line in bot.stderr if f" {level} " in line and FIRST_RUN not in line]


async def test_an_unreachable_bot_api_is_asked_again_until_it_answers(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    bot = await BotProcess.start(environment(url, tmp_path / "b.db"), tmp_path)
    try:
        waits = await bot.wait_line(r"is not answering", count=2)
        async with FakeBotApi(TOKEN, port=port) as server:
            await answers_a_reader(server)
            code = await bot.finish(signal.SIGINT)
    finally:
        await bot.finish(signal.SIGINT)
    assert code == ExitCode.STOPPED
    assert "attempt 1, trying again in 1 s" in waits[0]
    assert "attempt 2, trying again in 2 s" in waits[1]
    assert f"the Bot API at {url} is not answering" in waits[0]
    assert "Connect call failed" in waits[0]
    warnings = log_lines(bot, "WARNING")
    assert all("is not answering" in line for line in warnings)
    assert log_lines(bot, "ERROR") == []
    assert_clean(bot.output)


async def test_stopping_while_the_bot_api_is_unreachable_ends_cleanly(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    bot = await BotProcess.start(environment(url, tmp_path / "b.db"), tmp_path)
    await bot.wait_line(r"is not answering")
    assert await bot.finish(signal.SIGTERM) == ExitCode.STOPPED
    assert all("is not answering" in line for line in log_lines(bot, "WARNING"))
    assert bot.stdout == []
    assert_clean(bot.output)


@pytest.mark.parametrize(
    ("wrong", "answer"), [("token", "Unauthorized"), ("url", "Not Found")], ids=["401", "404"]
)
async def test_a_refused_token_is_one_line_and_exit_code_1(
    tmp_path: Path, wrong: str, answer: str
) -> None:
    async with FakeBotApi() as server:  # whose token is not TOKEN
        token = TOKEN if wrong == "token" else server.token
        url = server.url if wrong == "token" else f"{server.url}/not-the-bot-api"
        bot = await BotProcess.start(environment(url, tmp_path / "b.db", token), tmp_path)
        assert await bot.finish(None) == ExitCode.FAILED
    [line] = bot.stderr
    assert f"the Bot API at {url} refused TELEGRAM_BOT_TOKEN ({answer})" in line
    assert " ERROR bot.lifecycle: " in line
    assert "@BotFather" in line
    assert_clean(bot.output, token)


async def test_server_errors_and_answers_that_are_not_json_are_asked_again(
    tmp_path: Path,
) -> None:
    async with FakeBotApi(TOKEN) as server:
        server.fail("getMe", error_code=500, description="Internal Server Error")
        server.garble("getMe", times=1)
        bot = await BotProcess.start(environment(server.url, tmp_path / "b.db"), tmp_path)
        try:
            await answers_a_reader(server)
        finally:
            code = await bot.finish(signal.SIGINT)
    assert code == ExitCode.STOPPED
    first, second = log_lines(bot, "WARNING")
    assert "(Internal Server Error); attempt 1, trying again in 1 s" in first
    assert "(Invalid server response: not a JSON object ('<html>" in second
    assert "attempt 2, trying again in 2 s" in second
    assert_clean(bot.output)


@pytest.fixture
def unusable(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Path, str]]:
    with unusable_database(request.param, tmp_path) as found:
        yield found


@pytest.mark.parametrize("unusable", UNUSABLE, indirect=True)
async def test_an_unusable_database_path_is_named_before_telegram_is_asked(
    server: FakeBotApi, tmp_path: Path, unusable: tuple[Path, str]
) -> None:
    path, reason = unusable
    bot = await BotProcess.start(environment(server.url, path, server.token), tmp_path)
    assert await bot.finish(None) == ExitCode.UNUSABLE_SETTING
    [line] = bot.stderr
    assert line.startswith(f"briefbot: DATABASE_PATH {path} cannot be used: {reason}")
    assert server.calls == []
    assert_clean(bot.output, server.token)


@pytest.mark.long
async def test_a_second_instance_on_the_same_token_is_told_and_stops(
    server: FakeBotApi, db_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stop = asyncio.Event()
    # The first instance: here, counting as established from its first poll on.
    established = Timing(newcomer_window=0.0)
    first = asyncio.ensure_future(serve(make_config(server, db_path), stop, established))
    reader = server.user(7, "Grace")
    try:
        await server.wait_for_call("setMyCommands", timeout=30)
        await say(server, reader, "/brief")
        # A database of its own: one file is served by one bot process (its start takes
        # over what any other held there); the token is what the two share here.
        elsewhere = environment(server.url, tmp_path / "second.db", server.token)
        second = await BotProcess.start(elsewhere, tmp_path)
        assert await second.finish(None) == ExitCode.OTHER_INSTANCE
        [reply] = await say(server, reader, "/brief")  # the first one serves on
        assert "There is no brief yet" in reply.text
    finally:
        stop.set()
        outcome = await first
    assert outcome == ExitCode.STOPPED
    [told] = log_lines(second, "ERROR")
    assert "another instance is already polling with this TELEGRAM_BOT_TOKEN" in told
    assert "(409 Conflict); stopping this one" in told
    assert log_lines(second, "WARNING") == []
    assert_clean(second.output, server.token)
    heard = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert heard == [
        "another instance started polling with this TELEGRAM_BOT_TOKEN (409 Conflict); "
        "this one keeps serving, the newer one should stop"
    ]


async def test_one_conflict_at_start_is_not_taken_for_another_instance(
    server: FakeBotApi, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Right after a restart Telegram may still hold the old process's poll for a moment.
    server.fail("getUpdates", error_code=409, description=CONFLICT)
    stop = asyncio.Event()
    running = asyncio.ensure_future(serve(make_config(server, db_path), stop))
    try:
        await server.wait_for_call("getUpdates", where=lambda call: call.error_code == 409)
        [reply] = await say(server, server.user(7, "Grace"), "/brief")
        assert "There is no brief yet" in reply.text
    finally:
        stop.set()
        assert await running == ExitCode.STOPPED
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_an_error_reported_to_admins_never_shows_the_token(
    server: FakeBotApi, bot_app: BriefApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = bot_app.bot_data.services.storage
    assert storage is not None

    async def broken() -> None:
        raise RuntimeError(f"redirected to {server.url}/bot{server.token}/getFile")

    monkeypatch.setattr(storage.briefs, "latest", broken)
    await server.send_text(server.user(42, "Ada"), "/brief")
    [notice] = await server.wait_sent(ADMIN_ID, 1)
    assert notice.html is not None
    assert f"RuntimeError: redirected to {server.url}/bot&lt;token&gt;/getFile" in notice.html
    assert server.token.partition(":")[2] not in notice.html


async def test_a_token_revoked_while_running_is_one_line_and_exit_code_1(
    server: FakeBotApi, tmp_path: Path
) -> None:
    bot = await BotProcess.start(environment(server.url, tmp_path / "b.db", server.token), tmp_path)
    try:
        await server.wait_polling()  # started: its poll is held for updates
        old = server.token
        server.token = "123456:REVOKED-by-BotFather"  # what the Bot API now takes
        # Ends the poll being held with an update the bot answers nothing to.
        server.block(server.user(7, "Grace"))
        code = await bot.finish(None)
    finally:
        await bot.finish(signal.SIGINT)
    assert code == ExitCode.FAILED, bot.output
    errors = log_lines(bot, "ERROR")
    assert len(errors) == 1, bot.output
    [told] = errors
    assert "no longer accepts TELEGRAM_BOT_TOKEN (Unauthorized)" in told
    assert_clean(bot.output, old)
