"""`briefbot check` as an operator runs it, against the strict local Bot API server: every
problem at once, the settings in effect with their origins and the secrets masked, what
Telegram says of the token, the channels and the webhook; exit 0 only when all is well.
And `briefbot run`, which tells every problem of the settings at once too."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import SETTINGS
from bot.config.secrets import FILE_SETTINGS
from bot.lifecycle import ExitCode
from tests.fakebot import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Pg-s3cret-Pw"
METRICS = "metrics-s3cret-token"
WEBHOOK_SECRET = "webhook-s3cret-value"
CHANNEL = -1001234567890


@dataclass(frozen=True)
class Checked:
    code: int
    out: str
    err: str

    def secrets_absent(self, *secrets: str) -> None:
        for secret in secrets:
            assert secret not in self.out + self.err, secret


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        fake.channel(CHANNEL, "Daily Briefs", username="daily_briefs")
        yield fake


async def check(tmp_path: Path, env: dict[str, str], dotenv: str = "") -> Checked:
    """`briefbot check` in `tmp_path` (with `dotenv` as its .env), the environment `env`."""
    (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "check",
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    checked = Checked(process.returncode, out.decode(), err.decode())
    assert "Traceback" not in checked.out + checked.err, checked
    return checked


def table(checked: Checked) -> dict[str, tuple[str, str]]:
    """The settings table: name -> (value, origin), the columns split on their padding."""
    rows = {}
    for line in checked.out.splitlines():
        cells = [cell for cell in line.strip().split("  ") if cell]
        if cells and cells[0].strip() in SETTINGS:
            value, *origin = (cell.strip() for cell in cells[1:])
            rows[cells[0].strip()] = (value, " ".join(origin))
    return rows


async def test_all_good_is_exit_0_with_the_table_and_the_bots_username(
    server: FakeBotApi, tmp_path: Path
) -> None:
    dotenv = (
        f"TELEGRAM_BOT_TOKEN={server.token}\n"
        "ADMIN_IDS=1000  # the editor\n"
        "DATA=/srv/briefbot\n"
        "DATABASE_URL=postgresql://briefbot:${PG_PASSWORD}@db:5432/briefbot\n"
    )
    env = {
        "TELEGRAM_API_URL": server.url,
        "PG_PASSWORD": PASSWORD,
        "METRICS_TOKEN": METRICS,
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "CHANNEL_IDS": "@daily_briefs",
        "LOG_LEVEL": "debug",
    }
    checked = await check(tmp_path, env, dotenv)
    assert checked.code == 0, checked
    rows = table(checked)
    assert set(rows) == set(SETTINGS) - set(FILE_SETTINGS)
    assert rows["TELEGRAM_BOT_TOKEN"] == ("123456:***", ".env")
    assert rows["ADMIN_IDS"] == ("1000", ".env")
    assert rows["DATABASE_URL"] == ("postgresql://briefbot:***@db:5432/briefbot", ".env")
    assert rows["LOG_LEVEL"] == ("DEBUG", "the environment")
    assert rows["DEFAULT_TIMEZONE"] == ("UTC", "default")
    assert rows["METRICS_TOKEN"] == ("***", "the environment")
    assert rows["WEBHOOK_SECRET"] == ("***", "the environment")
    assert "ok       TELEGRAM_BOT_TOKEN is the bot @briefbot_test_bot's (id 123456)" in checked.out
    assert f"channel @daily_briefs ('Daily Briefs', id {CHANNEL}): the bot may post" in checked.out
    assert "updates by long polling (no webhook set); 0 updates waiting" in checked.out
    assert checked.out.rstrip().endswith("All is well.")
    assert checked.err == ""
    checked.secrets_absent(server.token, server.token.split(":")[1], PASSWORD, METRICS)
    checked.secrets_absent(WEBHOOK_SECRET)


async def test_three_planted_mistakes_are_told_at_once_and_telegram_is_not_asked(
    server: FakeBotApi, tmp_path: Path
) -> None:
    dotenv = (
        f"TELEGRAM_BOT_TOKEN={server.token}\n"
        "ADMINS_IDS=1000\n"  # misspelled
        "DEFAULT_TIMEZONE=Mars/Olympus\n"
        f"DATABASE_URL=mysql://briefbot:{PASSWORD}@db/briefbot\n"
    )
    checked = await check(tmp_path, {"TELEGRAM_API_URL": server.url}, dotenv)
    assert checked.code == ExitCode.UNUSABLE_SETTING
    lines = checked.out.splitlines()
    assert lines[0] == "3 problems in the settings:"
    assert [line.split()[1] for line in lines[1:4]] == [
        "DATABASE_URL",
        "DEFAULT_TIMEZONE",
        "ADMINS_IDS",
    ]
    assert "did you mean ADMIN_IDS?" in lines[3]
    assert "America/New_York" in lines[2]  # the fix
    assert not server.calls
    checked.secrets_absent(server.token, PASSWORD)


async def test_a_refused_token_is_a_problem_and_is_never_printed(
    server: FakeBotApi, tmp_path: Path
) -> None:
    wrong = "123456:AAHwrongSecretHalf"
    env = {"TELEGRAM_BOT_TOKEN": wrong, "TELEGRAM_API_URL": server.url}
    checked = await check(tmp_path, env)
    assert checked.code == ExitCode.FAILED
    assert "PROBLEM  the Bot API refused TELEGRAM_BOT_TOKEN (Unauthorized)" in checked.out
    checked.secrets_absent(wrong.split(":")[1])


async def test_an_unreachable_bot_api_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    env = {"TELEGRAM_BOT_TOKEN": "123456:AAHsecretHalf", "TELEGRAM_API_URL": "http://127.0.0.1:9"}
    checked = await check(tmp_path, env)
    assert checked.code == ExitCode.FAILED
    [problem] = [line for line in checked.out.splitlines() if "PROBLEM" in line]
    assert "the Bot API cannot be reached (aiohttp.ClientConnectorError" in problem
    assert "check the network, TELEGRAM_API_URL and the proxy settings" in problem
    checked.secrets_absent("AAHsecretHalf")


async def test_each_channel_and_the_webhook_are_checked(server: FakeBotApi, tmp_path: Path) -> None:
    server.channel(-1002000000001, "Read Only", status="member")
    server.channel(-1002000000002, "No Posting", can_post_messages=False)
    env = {
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_URL": server.url,
        "CHANNEL_IDS": f"{CHANNEL},-1002000000001,-1002000000002,-1009999999999",
        "WEBHOOK_URL": "https://bot.example.com/telegram",
    }
    server.webhook.url = "https://old.example.com/telegram"  # set by another process
    checked = await check(tmp_path, env)
    assert checked.code == ExitCode.FAILED
    problems = [line.split("  ", 2)[2] for line in checked.out.splitlines() if "PROBLEM" in line]
    assert problems == [
        "channel -1002000000001 ('Read Only'): the bot is not an administrator there (member): "
        'make it one, with the right "Post messages"',
        "channel -1002000000002 ('No Posting'): the bot is an administrator without the right "
        '"Post messages": give it that right',
        "channel -1009999999999: Telegram does not know this chat, or the bot is not in this "
        "private channel (Chat not found): check the id, and add the bot as an administrator",
        "Telegram posts the updates to https://old.example.com/telegram, not to WEBHOOK_URL "
        "https://bot.example.com/telegram: another process with this token set it, or the bot "
        "has not run since WEBHOOK_URL changed (`briefbot run` sets it)",
    ]
    assert checked.out.rstrip().endswith("4 problems found.")


@pytest.mark.parametrize(
    ("webhook", "error_age", "verdicts"),
    [
        # WEBHOOK_URL set, Telegram posts there; its last failed delivery a minute ago.
        ("https://bot.example.com/telegram", 60, ["ok", "ok", "PROBLEM"]),
        # The same failure a day ago: history, shown as a note.
        ("https://bot.example.com/telegram", 86_400, ["note", "ok", "ok"]),
        # No WEBHOOK_URL, and yet a webhook is set: long polling would get nothing.
        ("", None, ["PROBLEM", "ok"]),
    ],
)
async def test_the_webhooks_state_is_held_against_the_settings(
    server: FakeBotApi, tmp_path: Path, webhook: str, error_age: int | None, verdicts: list[str]
) -> None:
    env = {"TELEGRAM_BOT_TOKEN": server.token, "TELEGRAM_API_URL": server.url}
    if webhook:
        env["WEBHOOK_URL"] = webhook
    server.webhook.url = "https://bot.example.com/telegram"
    if error_age is not None:
        server.webhook.last_error_date = int(time.time()) - error_age
        server.webhook.last_error_message = "Connection refused"
    checked = await check(tmp_path, env)
    telegram = checked.out.split("Telegram, at", 1)[1].splitlines()[1:-1]
    assert sorted(line.split()[0] for line in telegram) == sorted(verdicts), telegram
    if error_age is not None:
        assert "Telegram's last failed delivery, at " in checked.out
        assert "UTC: Connection refused" in checked.out
    if not webhook:
        assert "a webhook is set (https://bot.example.com/telegram), and WEBHOOK_URL is not" in (
            checked.out
        )
    assert checked.code == (ExitCode.FAILED if "PROBLEM" in verdicts else 0)


async def test_a_secret_from_a_file_says_so_and_stays_masked(
    server: FakeBotApi, tmp_path: Path
) -> None:
    secret = tmp_path / "token"
    secret.write_text(f"{server.token}\n")
    dotenv = f"TELEGRAM_BOT_TOKEN_FILE={secret}\n"
    checked = await check(tmp_path, {"TELEGRAM_API_URL": server.url}, dotenv)
    assert checked.code == 0, checked
    value, origin = table(checked)["TELEGRAM_BOT_TOKEN"]
    assert (value, origin) == (
        "123456:***",
        f"the file {secret} (TELEGRAM_BOT_TOKEN_FILE, from .env)",
    )
    assert "did you mean" not in checked.out
    checked.secrets_absent(server.token.split(":")[1])


async def test_what_run_warns_about_is_a_problem_here(server: FakeBotApi, tmp_path: Path) -> None:
    """So that a start after a clean check says nothing of its settings."""
    dotenv = f"TELEGRAM_BOT_TOKEN={server.token}\nLOG_LEVELL=DEBUG\n"
    checked = await check(tmp_path, {"TELEGRAM_API_URL": server.url}, dotenv)
    assert checked.code == ExitCode.UNUSABLE_SETTING
    assert "PROBLEM  LOG_LEVELL in .env is not a briefbot setting; did you mean LOG_LEVEL?" in (
        checked.out
    )
    assert "ok       TELEGRAM_BOT_TOKEN is the bot @briefbot_test_bot's" in checked.out


def test_run_tells_every_problem_at_once_and_the_misspellings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("ADMINS_IDS=5\nHTTP_PORT=web\n")
    monkeypatch.setenv("TELEGRAM_TOKEN", "123456:AAHsecretHalf")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    assert main(["run"]) == ExitCode.UNUSABLE_SETTING
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert [line.split()[1] for line in lines] == [
        "TELEGRAM_BOT_TOKEN",
        "LOG_LEVEL",
        "HTTP_PORT",
        "warning:",
        "warning:",
    ]
    assert "ADMINS_IDS in .env is not a briefbot setting; did you mean ADMIN_IDS?" in lines[3]
    assert "TELEGRAM_TOKEN in the environment" in lines[4]
    assert "did you mean TELEGRAM_BOT_TOKEN?" in lines[4]
    assert "AAHsecretHalf" not in captured.err
