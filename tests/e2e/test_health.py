"""/healthz and /readyz on the bot's HTTP server, in both modes."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.core.readiness import Readiness
from bot.lifecycle import Timing
from bot.telegram.webhook.receiver import MAX_BODY
from bot.web import health
from bot.web.server import WebServer
from storage import Storage
from tests.e2e.conftest import fake_bot_api, make_config, serving, webhook_env
from tests.fakebot import FakeBotApi, free_port
from tests.waiting import eventually_async


async def get(url: str) -> tuple[int, str]:
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status, await response.text()
    except aiohttp.ClientConnectionError as error:
        return 0, str(error)


async def answered(base: str, status: int) -> tuple[int, str]:
    """Once /readyz answers `status`: its answer."""
    found = await eventually_async(
        lambda: _answer_if(base, status), f"/readyz to answer {status}", within=10
    )
    assert found is not None
    return found


async def ready(base: str) -> tuple[int, str]:
    return await answered(base, 200)


async def _answer_if(base: str, status: int) -> tuple[int, str] | None:
    answer = await get(f"{base}/readyz")
    return answer if answer[0] == status else None


async def test_polling_with_a_port_serves_health_and_readiness(
    server: FakeBotApi, db_path: Path
) -> None:
    port = free_port()
    config = make_config(server, db_path, HTTP_HOST="127.0.0.1", HTTP_PORT=str(port))
    base = f"http://127.0.0.1:{port}"
    async with serving(config):
        assert await ready(base) == (200, "ready\n")
        assert await get(f"{base}/healthz") == (200, "ok\n")
        assert (await get(f"{base}/telegram"))[0] == 404  # no webhook while polling


async def test_webhook_mode_serves_health_and_readiness(
    local_server: FakeBotApi, db_path: Path
) -> None:
    env = webhook_env(free_port())
    base = f"http://127.0.0.1:{env['HTTP_PORT']}"
    async with serving(make_config(local_server, db_path, **env)):
        assert await ready(base) == (200, "ready\n")
        assert await get(f"{base}/healthz") == (200, "ok\n")


async def test_readiness_says_when_the_bot_api_stops_answering(db_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    timing = Timing(poll_timeout=1.0, bot_api_fresh=3.0)
    async with fake_bot_api() as fake:
        config = make_config(fake, db_path, HTTP_HOST="127.0.0.1", HTTP_PORT=str(port))
        async with serving(config, timing):
            await ready(base)
            await fake.stop()  # the Bot API is gone
            _, text = await answered(base, 503)
            assert text.startswith("not ready: the Bot API has not answered for ")
            assert "database" not in text
            assert (await get(f"{base}/healthz"))[0] == 200  # alive all the same


async def test_readiness_says_when_the_database_fails(db_path: Path) -> None:
    storage = await Storage.open(db_path)
    readiness = Readiness()
    readiness.bot_api_answered()
    readiness.ticked()
    port = free_port()
    web = WebServer("127.0.0.1", port, health.routes(readiness, storage), max_body=MAX_BODY)
    await web.start()
    try:
        # Not before the bot takes updates, whatever else is in order.
        assert await get(f"http://127.0.0.1:{port}/readyz") == (
            503,
            "not ready: the bot is starting\n",
        )
        readiness.serving = True
        assert await get(f"http://127.0.0.1:{port}/readyz") == (200, "ready\n")
        await storage.close()  # every query now fails
        status, text = await get(f"http://127.0.0.1:{port}/readyz")
    finally:
        await web.stop()
    assert status == 503
    assert text.startswith("not ready: the database failed (")
    assert "Bot API" not in text
