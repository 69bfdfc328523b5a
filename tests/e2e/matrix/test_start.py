"""`briefbot run` with MATRIX_* set whose account cannot be served: one line saying what to
change, exit code 1, no traceback and no token, against the real Synapse."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.lifecycle import ExitCode
from tests.e2e.botprocess import BotProcess
from tests.e2e.test_startup import TOKEN, assert_clean, environment
from tests.fakebot import FakeBotApi
from tests.synapse.server import Account, Homeserver

WRONG = "syt_d3Jvbmc_NoSuchTokenHere_0a1b2c"


async def started(tmp_path: Path, homeserver: str, account: Account, token: str) -> BotProcess:
    """The bot run to its end, which it must reach by itself."""
    async with FakeBotApi(TOKEN) as server:
        env = environment(server.url, tmp_path / "b.db") | {
            "MATRIX_HOMESERVER": homeserver,
            "MATRIX_USER_ID": account.user_id,
            "MATRIX_ACCESS_TOKEN": token,
        }
        bot = await BotProcess.start(env, tmp_path)
        assert await bot.finish(None) == ExitCode.FAILED, bot.output
    assert_clean(bot.output)
    assert token not in bot.output
    return bot


def error_line(bot: BotProcess) -> str:
    [line] = [line for line in bot.stderr if " ERROR " in line]
    assert " ERROR bot.lifecycle: " in line, line
    return line


@pytest.mark.parametrize("whose", ["refused", "another account's"])
async def test_a_token_the_bot_cannot_use_stops_the_start_in_one_line(
    homeserver: Homeserver, tmp_path: Path, whose: str
) -> None:
    bot_account = await homeserver.fresh_user("briefbot")
    if whose == "refused":
        token = WRONG
        expected = (
            f"the homeserver at {homeserver.url} refused MATRIX_ACCESS_TOKEN (M_UNKNOWN_TOKEN: "
        )
    else:
        someone = await homeserver.fresh_user("editor")
        token = someone.access_token
        expected = (
            f"MATRIX_ACCESS_TOKEN belongs to {someone.user_id}, not MATRIX_USER_ID "
            f"{bot_account.user_id}: set the bot account's own token"
        )
    bot = await started(tmp_path, homeserver.url, bot_account, token)
    assert expected in error_line(bot)


async def test_an_unreachable_homeserver_stops_the_start_in_one_line(tmp_path: Path) -> None:
    account = Account("@briefbot:example.org", WRONG)
    bot = await started(tmp_path, "http://127.0.0.1:9", account, WRONG)
    line = error_line(bot)
    assert "the homeserver at http://127.0.0.1:9 cannot be reached (" in line
    assert line.rstrip().endswith("check MATRIX_HOMESERVER and the network")
