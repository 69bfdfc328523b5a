"""METRICS_TOKEN: /metrics only for the bearer of the token; /healthz and /readyz open."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.conftest import make_config, serving
from tests.e2e.test_health import ready
from tests.fakebot import FakeBotApi, free_port

TOKEN = "m3trics-T0ken_for.prometheus~only"


async def get(url: str, **headers: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as answer:
        return answer.status, await answer.text(), answer.headers.get("WWW-Authenticate", "")


@pytest.mark.parametrize("given", ["METRICS_TOKEN", "METRICS_TOKEN_FILE"])
async def test_only_the_bearer_of_the_token_reads_the_metrics(
    server: FakeBotApi,
    db_path: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    given: str,
) -> None:
    if given == "METRICS_TOKEN_FILE":
        secret = tmp_path / "metrics-token"
        secret.write_text(f"{TOKEN}\n")  # as `echo TOKEN > file` writes it
        setting = {given: str(secret)}
    else:
        setting = {given: TOKEN}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(port), "LOG_LEVEL": "DEBUG", **setting}
    caplog.set_level(logging.DEBUG)
    async with serving(make_config(server, db_path, **env)):
        await ready(base)  # /readyz asks for no token
        assert (await get(f"{base}/healthz"))[:2] == (200, "ok\n")
        refused = [
            await get(f"{base}/metrics"),
            await get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}x"),
            await get(f"{base}/metrics", Authorization=f"Bearer {TOKEN[:-1]}"),
            await get(f"{base}/metrics", Authorization=f"Basic {TOKEN}"),
            await get(f"{base}/metrics", Authorization=TOKEN),
        ]
        status, text, _ = await get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}")
    for code, body, challenge in refused:
        assert code == 401
        assert "briefbot_" not in body
        assert challenge.startswith("Bearer")
    assert status == 200
    assert "briefbot_updates_total" in text
    assert TOKEN not in caplog.text


async def test_without_a_token_the_metrics_are_open(server: FakeBotApi, db_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = make_config(server, db_path, HTTP_HOST="127.0.0.1", HTTP_PORT=str(port))
    async with serving(config):
        await ready(base)
        status, text, _ = await get(f"{base}/metrics")
    assert status == 200
    assert "briefbot_subscribers" in text
