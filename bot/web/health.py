"""/healthz, /readyz, and the heartbeat `briefbot health` reads when no HTTP server runs."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp import web

from bot.core.readiness import Readiness
from bot.core.services import Services
from storage import Storage, StorageError, UnusableDatabaseError
from storage.opening import DatabaseLocation, open_storage

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "heartbeat"
HEARTBEAT_INTERVAL = timedelta(seconds=30)
HEARTBEAT_FRESH = timedelta(seconds=90)  # three beats: one missed is not yet a failure
CHECK_TIMEOUT = 5.0


def routes(readiness: Readiness, storage: Storage) -> list[web.RouteDef]:

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok\n")  # answering at all is the proof

    async def readyz(request: web.Request) -> web.Response:
        problems = await readiness.problems(storage)
        if problems:
            return web.Response(status=503, text="not ready: " + "; ".join(problems) + "\n")
        return web.Response(text="ready\n")

    return [web.get("/healthz", healthz), web.get("/readyz", readyz)]


async def heartbeat(services: Services) -> None:
    """While the bot is ready, say so in the database for `briefbot health`: a job every
    HEARTBEAT_INTERVAL (bot/app.py)."""
    readiness, storage = services.readiness, services.storage
    if await readiness.problems(storage):
        return
    try:
        await storage.state.put(HEARTBEAT_KEY, "ready")
    except StorageError as error:
        log.warning("could not write the heartbeat: %s", error)


async def heartbeat_problem(database: DatabaseLocation, now: datetime | None = None) -> str | None:
    """Why the bot writing to `database` is not healthy, or None when its heartbeat is fresh."""
    if database.url is None and not await asyncio.to_thread(database.path.is_file):
        return f"no database at {database}: the bot has not started (or DATABASE_PATH differs)"
    # Read-only: no migration, no write lock taken from the running bot every 30 s.
    try:
        storage = await open_storage(database, read_only=True)
    except UnusableDatabaseError as error:
        return f"{database.setting} {database} cannot be used: {error}"
    try:
        if storage.schema_version == 0:  # the bot, starting, has not created its tables yet
            return "the bot has not written a heartbeat yet"
        beat = await storage.state.get(HEARTBEAT_KEY)
    except StorageError as error:  # a file older than the heartbeat's table, say
        return f"the heartbeat cannot be read: {error}"
    finally:
        await storage.close()
    if beat is None:
        return "the bot has not written a heartbeat yet"
    age = (now or datetime.now(UTC)) - beat[1]
    if age > HEARTBEAT_FRESH:
        return f"the last heartbeat is {age.total_seconds():.0f} s old: the bot is not ready"
    return None


async def readyz_problem(port: int, host: str = "127.0.0.1") -> str | None:
    """Why the bot's own /readyz says it is not ready, or None when it is."""
    address = f"[{host}]" if ":" in host else host
    url = f"http://{address}:{port}/readyz"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CHECK_TIMEOUT)) as session,
            session.get(url) as response,
        ):
            text = (await response.text(errors="replace")).strip()[:300]
            status = response.status
    except TimeoutError:
        return f"{url} did not answer within {CHECK_TIMEOUT:g} s"
    except aiohttp.ClientError as error:
        return f"{url} did not answer ({type(error).__name__}: {error})"
    if status == 200:
        return None
    return f"{url} answered {status}: {text}"
