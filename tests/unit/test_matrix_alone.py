"""Matrix alone's pure parts: TELEGRAM_BOT_TOKEN optional only with MATRIX_HOMESERVER, the
repeating jobs' runner that stands in for PTB's JobQueue (bot/ticking.py), and /readyz
naming the homeserver."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import load_config
from bot.config.errors import ConfigError
from bot.core.readiness import Readiness
from bot.core.services import Services
from bot.ticking import Repeating, Ticker, plain_jobs

MATRIX = {
    "MATRIX_HOMESERVER": "https://matrix.example.org",
    "MATRIX_USER_ID": "@briefbot:example.org",
    "MATRIX_ACCESS_TOKEN": "syt_secret",
}


def test_matrix_without_a_telegram_token_is_matrix_alone() -> None:
    config = load_config(MATRIX, dotenv=None)
    assert not config.telegram
    assert config.token == ""
    assert config.matrix is not None


def test_a_telegram_token_with_matrix_serves_both() -> None:
    config = load_config({**MATRIX, "TELEGRAM_BOT_TOKEN": "123:abc"}, dotenv=None)
    assert config.telegram
    assert config.matrix is not None


def test_neither_app_is_one_clear_problem() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({}, dotenv=None)
    [problem] = raised.value.problems
    assert "TELEGRAM_BOT_TOKEN is not set" in problem
    assert "set TELEGRAM_BOT_TOKEN, or MATRIX_* for Matrix alone" in problem


def test_matrix_alone_still_checks_its_own_settings() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({"MATRIX_HOMESERVER": "https://matrix.example.org"}, dotenv=None)
    assert all("TELEGRAM_BOT_TOKEN" not in p for p in raised.value.problems)
    assert any("MATRIX_USER_ID" in p for p in raised.value.problems)


def test_the_plain_jobs_follow_the_settings(tmp_path: Path) -> None:
    bare = load_config(MATRIX, dotenv=None)
    assert [job.name for job in plain_jobs(bare)] == ["metrics-refresh", "heartbeat"]
    env = {**MATRIX, "BACKUP_DIR": str(tmp_path), "HTTP_PORT": "8080"}
    served = load_config(env, dotenv=None)
    assert [job.name for job in plain_jobs(served)] == ["metrics-refresh", "daily-backup"]


async def test_the_ticker_runs_each_job_at_its_rate_through_failures() -> None:
    runs: list[str] = []
    lateness: list[float] = []

    async def steady(_: Services) -> None:
        runs.append("steady")

    async def failing(_: Services) -> None:
        runs.append("failing")
        raise RuntimeError("a failing job runs again")

    services: Services = object()  # type: ignore[assignment]  # the jobs never read it
    ticker = Ticker(services)
    tick = timedelta(milliseconds=20)
    ticker.every(Repeating("steady", tick, steady), late=lateness.append)
    ticker.every(Repeating("failing", tick, failing, first=tick))
    await asyncio.sleep(0.15)
    await ticker.stop()
    stopped = len(runs)
    await asyncio.sleep(0.05)
    assert len(runs) == stopped, "nothing runs after the stop"
    assert runs.count("steady") >= 4
    assert runs.count("failing") >= 3
    assert all(late >= 0 for late in lateness)


async def test_readyz_names_the_homeserver_in_matrix_alone() -> None:
    readiness = Readiness(api="the homeserver")
    problems = await readiness.problems(None)
    assert "the homeserver has not answered yet" in problems
    readiness.bot_api_answered()
    assert not [p for p in await readiness.problems(None) if "homeserver" in p]
