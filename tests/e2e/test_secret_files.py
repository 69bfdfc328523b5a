"""`briefbot run` with its secrets in files, as Docker and Kubernetes secrets hand them over."""

from __future__ import annotations

import signal
from pathlib import Path

from bot.lifecycle import ExitCode
from tests.e2e.botprocess import BotProcess
from tests.e2e.test_startup import TOKEN, answers_a_reader, assert_clean
from tests.fakebot import FakeBotApi


def settings(server: FakeBotApi, tmp_path: Path, token_file: Path) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN_FILE": str(token_file),
        "TELEGRAM_API_URL": server.url,
        "DATABASE_PATH": str(tmp_path / "b.db"),
    }


async def test_the_bot_runs_with_its_token_read_from_a_file(tmp_path: Path) -> None:
    token_file = tmp_path / "telegram_bot_token"
    token_file.write_text(f"{TOKEN}\n")  # as `echo` and most editors write it
    async with FakeBotApi(TOKEN) as server:
        bot = await BotProcess.start(settings(server, tmp_path, token_file), tmp_path)
        try:
            await answers_a_reader(server)
        finally:
            code = await bot.finish(signal.SIGTERM)
    assert code == ExitCode.STOPPED
    assert_clean(bot.output)


async def test_a_token_file_that_cannot_be_read_is_one_line_and_exit_code_2(
    tmp_path: Path,
) -> None:
    async with FakeBotApi(TOKEN) as server:
        missing = tmp_path / "no-such-secret"
        bot = await BotProcess.start(settings(server, tmp_path, missing), tmp_path)
        assert await bot.finish(None) == ExitCode.UNUSABLE_SETTING
        assert server.calls == []  # nothing was asked of Telegram
    assert bot.stderr == [
        f"briefbot: TELEGRAM_BOT_TOKEN_FILE {missing} cannot be read (No such file or directory)\n"
    ]


async def test_a_token_given_both_ways_is_one_line_naming_both(tmp_path: Path) -> None:
    token_file = tmp_path / "telegram_bot_token"
    token_file.write_text(TOKEN)
    async with FakeBotApi(TOKEN) as server:
        env = settings(server, tmp_path, token_file) | {"TELEGRAM_BOT_TOKEN": TOKEN}
        bot = await BotProcess.start(env, tmp_path)
        assert await bot.finish(None) == ExitCode.UNUSABLE_SETTING
    assert bot.stderr == [
        "briefbot: both TELEGRAM_BOT_TOKEN and TELEGRAM_BOT_TOKEN_FILE are set: "
        "set only one of them\n"
    ]
    assert_clean(bot.output)
