"""The command line with Matrix alone (MATRIX_* set, no TELEGRAM_BOT_TOKEN): `briefbot check`
asks the homeserver and not Telegram; with neither app set, `briefbot run` says how to set
one, in one line."""

from __future__ import annotations

from pathlib import Path

from bot.lifecycle import ExitCode
from tests.cli.test_check import check
from tests.cli.test_cli import run_cli
from tests.synapse.server import Homeserver


def test_run_with_neither_app_names_both_ways(tmp_path: Path) -> None:
    result = run_cli("run", env={}, cwd=tmp_path)
    assert result.returncode == ExitCode.UNUSABLE_SETTING
    assert "set TELEGRAM_BOT_TOKEN, or MATRIX_* for Matrix alone" in result.stderr


async def test_check_with_matrix_alone_asks_the_homeserver_only(
    homeserver: Homeserver, tmp_path: Path
) -> None:
    bot = await homeserver.fresh_user("briefbot")
    env = {
        # Nothing listens here: were Telegram asked, the check would fail.
        "TELEGRAM_API_URL": "http://127.0.0.1:9",
        "MATRIX_HOMESERVER": homeserver.url,
        "MATRIX_USER_ID": bot.user_id,
        "MATRIX_ACCESS_TOKEN": bot.access_token,
    }
    checked = await check(tmp_path, env)
    assert checked.code == 0, checked
    assert "TELEGRAM_BOT_TOKEN" in checked.out
    assert "unset: Matrix alone" in checked.out
    assert "Telegram, at" not in checked.out
    assert f"Matrix, at {homeserver.url}:" in checked.out
    assert checked.out.rstrip().endswith("All is well.")
    checked.secrets_absent(bot.access_token)
