"""GET /metrics: the application's registry in Prometheus' text format, and the job that
keeps its figures from the database fresh.

A scrape reads memory only, never the database: anyone who reaches the port may scrape
as often as they like, and counting every subscriber costs a query that grows with them
(127 ms at 300,000 on SQLite's one reading connection, where readers' queries wait behind
it). The figures that need a query are counted as the bot starts, then again by
`count_figures` as a job of the application's job queue (bot/app.py; started and stopped
with it, a running count waited for), every REFRESH: a scrape shows them up to that old. A restart
counts them afresh (they are the database's, not the process's); each replica counts the
same shared database, so each shows the same figures (aggregate them with max(), not sum()).

With METRICS_TOKEN set, only a request with `Authorization: Bearer <token>` is answered;
/healthz and /readyz stay open for health checks.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.core.metrics import Metrics
from bot.core.redaction import redact_also
from bot.core.services import Services
from storage import StorageError

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.Response]]
REFRESH = timedelta(seconds=30)
METRICS_JOB = "metrics-refresh"


def metrics_handler(metrics: Metrics, token: str | None) -> Handler:
    """The aiohttp handler for GET /metrics of this application, answering only `token`
    (METRICS_TOKEN) when set."""
    if token is not None:
        redact_also(token, "<metrics token>")  # should any text ever quote it

    async def handle(request: web.Request) -> web.Response:
        if token is not None and not _authorized(request, token):
            return web.Response(
                status=401,
                text="401: /metrics needs the header Authorization: Bearer <METRICS_TOKEN>\n",
                headers={"WWW-Authenticate": 'Bearer realm="briefbot metrics"'},
            )
        # Rendering walks every series in memory: about 1.5 ms with a hundred series in use
        # (measured on the 2-core test machine), once a scrape, so it runs in the event
        # loop rather than in a thread.
        return web.Response(
            body=generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    return handle


def _authorized(request: web.Request, token: str) -> bool:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    # compare_digest takes as long whatever the first wrong character: the time an answer
    # takes tells nothing of how much of a guess was right.
    # aiohttp decodes header bytes that are not UTF-8 with surrogateescape: encoded back
    # the same way they are the bytes sent, and simply do not match.
    sent = credentials.strip().encode("utf-8", "surrogateescape")
    matches = hmac.compare_digest(sent, token.encode())
    return scheme.lower() == "bearer" and matches


async def count_figures(services: Services) -> None:
    """Count what /metrics shows from the database (the subscribers by state)."""
    try:
        counts = await services.storage.subscribers.counts()
    except StorageError as error:  # the last figures stand; /readyz reports the database
        log.warning("could not count the subscribers for /metrics: %s", error)
        return
    services.metrics.subscribers(counts)
