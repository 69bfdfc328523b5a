"""LOG_FORMAT=json with the real Application: each line a JSON object naming its update."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import setup_logging
from tests.e2e.conftest import ADMIN_ID, AppFactory, publish_file, say, settled
from tests.fakebot import FakeBotApi

READER = 42


@pytest.fixture(autouse=True)
def quiet_sqlite() -> Iterator[None]:
    """aiosqlite's DEBUG lines come from its threads, some after the test has ended and
    its captured stderr is closed: left out, they cannot land there."""
    logger = logging.getLogger("aiosqlite")
    logger.setLevel(logging.INFO)
    yield
    logger.setLevel(logging.NOTSET)


def json_logs(server: FakeBotApi) -> None:
    """Logging as `briefbot run` sets it up with LOG_FORMAT=json, at DEBUG for PTB's lines.

    Called in the test itself: set up in a fixture, it would close the handler pytest
    puts back for the test's own phase."""
    setup_logging("DEBUG", server.token, "json")


async def test_lines_written_while_handling_an_update_carry_its_ids(
    server: FakeBotApi,
    make_app: AppFactory,
    db_path: Path,
    briefs_dir: Path,
    restore_logging: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stored = await publish_file(db_path, briefs_dir / "coastal-wind-farm.txt")
    reader = server.user(READER, "Reader")
    json_logs(server)
    async with make_app() as application:
        await say(server, reader, f"/facts {stored.id}")
        await settled(server, application)
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    # PTB's own line for the reply it sends, written inside the reader's update.
    [send] = [
        e for e in logged if e["message"].startswith("Calling Bot API endpoint `sendMessage`")
    ]
    assert send["chat_id"] == READER
    assert isinstance(send["update_id"], int)
    assert send["brief_id"] == stored.id
    assert send["logger"].startswith("telegram")
    started = [e for e in logged if re.fullmatch(r"briefbot \S+ started as @\w+", e["message"])]
    assert started
    assert "update_id" not in started[0]


async def test_an_error_is_logged_with_its_traceback_ids_and_no_token(
    server: FakeBotApi,
    make_app: AppFactory,
    restore_logging: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reader = server.user(READER, "Reader")
    # A refusal quoting the token: its text reaches the exception the handler raises.
    server.fail(
        "sendMessage",
        chat_id=READER,
        error_code=400,
        description=f"Bad Request: not for bot{server.token}",
    )
    json_logs(server)
    async with make_app() as application:
        await server.send_text(reader, "/help")
        # The admin's report (no apology: sending to the reader is what failed), its text
        # redacted too.
        [report] = await server.wait_sent(ADMIN_ID, 1)
        await settled(server, application)
    assert "BadRequest: Not for bot<token>" in report.text
    printed = capsys.readouterr().err
    logged = [json.loads(line) for line in printed.splitlines()]
    [error] = [e for e in logged if e["message"] == "error while handling an update"]
    assert error["level"] == "ERROR"
    assert error["chat_id"] == READER
    assert isinstance(error["update_id"], int)
    # PTB lower-cases the refusal's text, the token quoted in it too: still redacted.
    assert error["exception"].endswith("telegram.error.BadRequest: Not for bot<token>")
    assert server.token.partition(":")[2].lower() not in printed.lower()
