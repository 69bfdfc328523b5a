"""When a handler fails: the reader is not left in silence and the admins hear of it, once per
cause, without anyone waiting for those reports; what Telegram refuses as any chat may is
nobody's error."""

from __future__ import annotations

import logging
import re

import pytest

from bot.telegram.context import BriefApplication
from tests.e2e.conftest import ADMIN_ID, AppFactory, settled
from tests.fakebot import FakeBotApi, SentMessage
from tests.waiting import eventually

GROUPS = 16
# Six each: a group's whole burst at the flood gate, so every one reaches its handler.
COMMANDS_PER_GROUP = 6
BROKEN = "disk on fire"
ERROR_CHAT = -1002000000001


def break_storage(application: BriefApplication, monkeypatch: pytest.MonkeyPatch) -> None:
    """`/brief` fails from now on, as with a database gone bad; `/help` reads no storage."""
    storage = application.bot_data.services.storage
    assert storage is not None

    async def broken() -> None:
        raise RuntimeError(BROKEN)

    monkeypatch.setattr(storage.briefs, "latest", broken)


def failures_reported(reports: list[SentMessage]) -> int:
    """A report stands for one failure, or for the "N more times" it says it folds in."""
    folded = [re.search(r"(\d+) more times?", report.text) for report in reports]
    return sum(int(found[1]) if found else 1 for found in folded)


def failures_logged(caplog: pytest.LogCaptureFixture) -> int:
    return sum(r.getMessage() == "error while handling an update" for r in caplog.records)


async def test_a_failure_is_apologised_for_logged_and_reported_to_admins(
    server: FakeBotApi,
    bot_app: BriefApplication,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    break_storage(bot_app, monkeypatch)
    reader = server.user(42, "Ada")
    with caplog.at_level(logging.ERROR):
        await server.send_text(reader, "/brief")
        [apology] = await server.wait_sent(reader.id, 1)
        [notice] = await server.wait_sent(ADMIN_ID, 1)
    assert "something went wrong" in apology.text
    assert f"RuntimeError: {BROKEN}" in notice.text
    assert any(r.exc_info and BROKEN in str(r.exc_info[1]) for r in caplog.records)
    assert server.errors() == []


async def test_accounts_failing_in_many_groups_hold_up_no_reader_and_are_reported_once(
    server: FakeBotApi,
    bot_app: BriefApplication,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The flood attack: accounts in groups where the bot may not write send /brief
    there, and each fails. Each failure used to keep its update's slot until the admins'
    chat (a message a second) took its report, so a reader's /help waited behind them all
    (25 s for 96 of them). One account in every group now gets about two chats' worth
    through the flood gate (tests/e2e/test_group_floods.py); an account per group gets
    each group's whole burst."""
    reporter = bot_app.bot_data.services.reporter
    assert reporter is not None
    reporter.window = 5.0  # the report window, shortened from minutes so the test sees its end
    break_storage(bot_app, monkeypatch)
    reader = server.user(42, "Ada")
    groups = [server.group(-5000 - n, f"Group {n}", bot_status="restricted") for n in range(GROUPS)]
    attackers = [server.user(600 + n, f"Mallory {n}") for n in range(GROUPS)]
    with caplog.at_level(logging.ERROR):
        for _ in range(COMMANDS_PER_GROUP):
            for attacker, group in zip(attackers, groups, strict=True):
                await server.send_text(attacker, "/brief", chat=group)
        await server.send_text(reader, "/help")
        # Generous beside the milliseconds it takes; what proves the point is the order below.
        [answer] = await server.wait_sent(reader.id, 1, timeout=5.0)
        reports_by_then = len(server.sent(ADMIN_ID))
        await settled(server, bot_app)
        failed = failures_logged(caplog)
        await eventually(
            lambda: failures_reported(server.sent(ADMIN_ID)) >= failed,
            "the admins' reports to count every failure",
            within=15.0,
        )
        reports = server.sent(ADMIN_ID)
    assert "/brief" in answer.text  # the help
    assert failed == GROUPS * COMMANDS_PER_GROUP
    # The reader's answer came before the flood's reports: at most the first was out.
    assert reports_by_then <= 1
    assert failures_reported(reports) == failed
    assert len(reports) <= 3, [r.text for r in reports]  # one per cause per window
    assert all(f"RuntimeError: {BROKEN}" in report.text for report in reports)
    assert any(re.search(r"\d+ more times", report.text) for report in reports)
    assert all(server.sent(group.id) == [] for group in groups)


@pytest.mark.parametrize(
    ("method", "error_code", "description"),
    [
        ("sendMessage", 403, "Forbidden: bot was blocked by the user"),
        ("sendMessage", 403, "Forbidden: user is deactivated"),
        ("sendMessage", 400, "Bad Request: not enough rights to send text messages to the chat"),
        (
            "answerCallbackQuery",
            400,
            "Bad Request: query is too old and response timeout expired or query ID is invalid",
        ),
        (
            "editMessageText",
            400,
            "Bad Request: message is not modified: specified new message content and reply "
            "markup are exactly the same as a current content and reply markup of the message",
        ),
    ],
)
async def test_telegram_s_expected_refusals_are_no_one_s_error(
    server: FakeBotApi,
    bot_app: BriefApplication,
    caplog: pytest.LogCaptureFixture,
    method: str,
    error_code: int,
    description: str,
) -> None:
    """A chat that blocked the bot, a press answered too late, an edit that changes nothing:
    logged at most as a warning, no apology tried, nothing reported to the admins."""
    reader = server.user(42, "Ada")
    await server.send_text(reader, "/settings")  # a message with buttons, before any fault
    [settings] = await server.wait_sent(reader.id, 1)
    server.fail(method, error_code=error_code, description=description)
    with caplog.at_level(logging.INFO):
        if method == "sendMessage":
            await server.send_text(reader, "/help")
        else:  # "Turn on" answers the press, then redraws the message it is under
            await server.press_button(reader, settings, settings.callback_data()[0])
        await server.wait_for_call(method, where=lambda call: not call.ok)
        await settled(server, bot_app)
    assert [c.description for c in server.errors()] == [description]
    sends = [c for c in server.calls if c.method == "sendMessage"]
    assert [c.params["chat_id"] for c in sends] == [reader.id] * len(sends)  # no report
    assert len(sends) == 1 + (method == "sendMessage")  # the /settings answer, no apology
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert server.sent(ADMIN_ID) == []


async def test_no_apology_goes_where_sending_is_what_failed(
    server: FakeBotApi, bot_app: BriefApplication
) -> None:
    """A reply Telegram refused for a reason nobody expects is reported; the reader's chat,
    which just refused the bot, is not sent an apology on top."""
    reader = server.user(42, "Ada")
    server.fail(
        "sendMessage",
        chat_id=reader.id,
        error_code=400,
        description="Bad Request: can't parse entities: unsupported start tag at byte 3",
    )
    await server.send_text(reader, "/help")
    [report] = await server.wait_sent(ADMIN_ID, 1)
    await settled(server, bot_app)
    assert "Can't parse entities" in report.text
    assert [c.params["chat_id"] for c in server.calls if c.method == "sendMessage"] == [
        reader.id,
        ADMIN_ID,
    ]
    assert server.sent(reader.id) == []


async def test_error_chat_id_gets_the_reports_instead_of_every_admin(
    server: FakeBotApi, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.group(ERROR_CHAT, "Bot errors", kind="supergroup")
    reader = server.user(42, "Ada")
    async with make_app(ERROR_CHAT_ID=str(ERROR_CHAT)) as application:
        break_storage(application, monkeypatch)
        await server.send_text(reader, "/brief")
        [report] = await server.wait_sent(ERROR_CHAT, 1)
        [apology] = await server.wait_sent(reader.id, 1)
        await settled(server, application)
    assert f"RuntimeError: {BROKEN}" in report.text
    assert "something went wrong" in apology.text
    assert server.sent(ADMIN_ID) == []
