"""A first run, as an operator meets it: a bot without admins says at start how to become
one; /id tells anyone their numeric id, and a group's; the bot's descriptions are set, once."""

from __future__ import annotations

import logging
import signal
from pathlib import Path

import pytest

from bot.core.rendering import Renderer
from bot.lifecycle import ExitCode
from bot.telegram.context import BriefApplication
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import AppFactory, say
from tests.e2e.test_startup import LOG_LINE, assert_clean, environment
from tests.fakebot import FakeBotApi

READER = 7
FIRST_RUN = (
    "WARNING bot.app: no admins: send /id to @briefbot_test_bot, then set ADMIN_IDS=<your id> "
    "and restart"
)


async def test_a_bot_without_admins_says_at_start_how_to_become_one(
    server: FakeBotApi, tmp_path: Path
) -> None:
    bot = await BotProcess.start(environment(server.url, tmp_path / "b.db", server.token), tmp_path)
    try:
        await bot.wait_line("no admins")
        # Doing as the line says: /id, from the operator's own account.
        [answer] = await say(server, server.user(READER, "Operator"), "/id")
    finally:
        code = await bot.finish(signal.SIGINT)
    assert code == ExitCode.STOPPED
    [line] = [line for line in bot.stderr if "no admins" in line]
    assert LOG_LINE.match(line)
    assert line.split(" ", 2)[2].rstrip("\n") == FIRST_RUN
    assert f"Your Telegram user id: {READER}" in answer.text
    assert f"ADMIN_IDS={READER}" in answer.text
    assert_clean(bot.output, server.token)


async def test_a_bot_with_admins_says_nothing_of_it(
    make_app: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with make_app():
        pass
    started = [r.getMessage() for r in caplog.records if r.name == "bot.app"]
    assert any(message.startswith("briefbot ") for message in started)
    assert not any("no admins" in message for message in started)


async def test_id_in_a_private_chat(server: FakeBotApi, bot_app: BriefApplication) -> None:
    reader = server.user(READER, "Grace")
    [answer] = await say(server, reader, "/id")
    assert answer.text.splitlines()[0] == f"Your Telegram user id: {READER}"
    assert f"Running this bot? Set ADMIN_IDS={READER} and restart it" in answer.text
    assert answer.entities[0]["type"] == "code"  # the id, to copy with a tap
    assert answer.buttons == []


async def test_id_in_a_group_tells_the_group_too(
    server: FakeBotApi, bot_app: BriefApplication
) -> None:
    reader = server.user(READER, "Grace")
    group = server.group(-500, "Newsroom")
    await server.send_text(reader, "/id@briefbot_test_bot", chat=group)
    [answer] = await server.wait_sent(group.id, 1)
    assert answer.text.splitlines() == [
        f"Your Telegram user id: {READER}",
        "This chat's id: -500",
    ]
    assert server.sent(READER) == []


async def test_id_from_an_anonymous_admin_tells_the_groups_id(
    server: FakeBotApi, bot_app: BriefApplication
) -> None:
    group = server.group(-1001234567890, "Newsroom", kind="supergroup")
    await server.send_on_behalf(group, "/id")
    [answer] = await server.wait_sent(group.id, 1)
    assert "Telegram does not tell bots who you are" in answer.text
    assert answer.text.splitlines()[-1] == "This chat's id: -1001234567890"
    assert "1087968824" not in answer.text  # the stand-in account's id is nobody's


async def test_id_written_as_a_channel_tells_the_channels_id(
    server: FakeBotApi, bot_app: BriefApplication
) -> None:
    group = server.group(-1001234567890, "Newsroom", kind="supergroup")
    channel = server.channel(-1009876543210, "Newsroom channel")
    await server.send_on_behalf(group, "/id", as_chat=channel)
    [answer] = await server.wait_sent(group.id, 1)
    assert "You wrote as a chat whose id is -1009876543210" in answer.text
    assert answer.text.splitlines()[-1] == "This chat's id: -1001234567890"


async def test_the_bots_own_descriptions_are_set_at_start(
    server: FakeBotApi, bot_app: BriefApplication
) -> None:
    renderer = Renderer()
    assert server.profile.description() == renderer.render("bot_description.txt")
    assert server.profile.short_description() == renderer.render("bot_short_description.txt")
    assert "told four ways" in server.profile.short_description()
    assert server.errors() == []


async def test_settings_word_the_descriptions(server: FakeBotApi, make_app: AppFactory) -> None:
    async with make_app(
        BOT_DESCRIPTION="The Harbor Times' briefs.", BOT_SHORT_DESCRIPTION="Harbor briefs."
    ):
        assert server.profile.description() == "The Harbor Times' briefs."
        assert server.profile.short_description() == "Harbor briefs."


async def test_descriptions_unchanged_since_the_last_start_are_not_set_again(
    server: FakeBotApi, make_app: AppFactory
) -> None:
    for _ in range(2):
        async with make_app():
            pass
    methods = default_language_calls(server)
    assert methods.count("getMyDescription") == 2
    assert methods.count("getMyShortDescription") == 2
    assert methods.count("setMyDescription") == 1
    assert methods.count("setMyShortDescription") == 1
    async with make_app(BOT_SHORT_DESCRIPTION="Harbor briefs."):
        pass
    methods = default_language_calls(server)
    assert (methods.count("setMyDescription"), methods.count("setMyShortDescription")) == (1, 2)


def default_language_calls(server: FakeBotApi) -> list[str]:
    """The methods called for the texts of every language (no language_code): each other
    language is asked and set the same way (tests/e2e/test_operator_templates.py)."""
    return [call.method for call in server.calls if "language_code" not in call.params]


async def test_a_description_telegram_refuses_leaves_the_bot_serving_at_once(
    server: FakeBotApi, make_app: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    server.fail(
        "setMyDescription",
        error_code=429,
        description="Too Many Requests: retry after 3600",
        parameters={"retry_after": 3600},
    )
    async with make_app():
        # Neither tried again nor taken as a wait for every message: readers are answered.
        [answer] = await say(server, server.user(READER, "Grace"), "/brief")
        assert "There is no brief yet" in answer.text
    assert [c.method for c in server.calls].count("setMyDescription") == 1
    assert server.profile.short_description() != ""  # the other one is set all the same
    [warning] = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.profile"]
    assert warning.startswith("the bot's description was not set (Flood control exceeded")
    assert warning.endswith("); the next start tries again")
