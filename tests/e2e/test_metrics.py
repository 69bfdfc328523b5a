"""GET /metrics of the real Application, read back with prometheus-client's own parser."""

from __future__ import annotations

import platform
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families
from telegram.ext import Job

from bot.core.limits.flood import BURST
from bot.telegram.context import BotContext, BriefApplication
from bot.telegram.push_jobs import PUSH_JOB, PUSH_TICK
from bot.web import metrics as metrics_page
from bot.web.metrics import metrics_handler
from storage import SubscriberCounts
from tests.e2e.conftest import ADMIN_ID, AppFactory, publish_file, say, settled
from tests.e2e.push.conftest import add_subscribers
from tests.fakebot import FakeBotApi
from tests.waiting import eventually_async

READER = 42
SUBSCRIBERS = [3001, 3002, 3003]
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)
SCRAPES = 20
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


class Scraper:
    def __init__(self, client: TestClient[web.Request, web.Application]) -> None:
        self._client = client

    async def __call__(self) -> Samples:
        response = await self._client.get("/metrics")
        assert response.status == 200
        assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
        text = await response.text()
        return {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; a series not yet exposed counts as 0, as Prometheus reads it."""
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
async def scrape(bot_app: BriefApplication) -> AsyncIterator[Scraper]:
    async with Served(bot_app) as scraper:
        yield scraper


class Served:
    """GET /metrics mounted as the bot's web server mounts it, on a test server."""

    def __init__(self, application: BriefApplication) -> None:
        web_app = web.Application()
        services = application.bot_data.services
        handler = metrics_handler(services.metrics, services.config.metrics_token)
        web_app.router.add_get("/metrics", handler)
        self._client = TestClient(TestServer(web_app))

    async def __aenter__(self) -> Scraper:
        await self._client.start_server()
        return Scraper(self._client)

    async def __aexit__(self, *exc: object) -> None:
        await self._client.close()


async def test_build_info_names_the_installed_version_and_python(scrape: Scraper) -> None:
    samples = await scrape()
    build = {"version": metadata.version("briefbot"), "python_version": platform.python_version()}
    assert value(samples, "briefbot_build_info", **build) == 1
    assert [key for key in samples if key[0] == "briefbot_build_info"] == [
        ("briefbot_build_info", frozenset(build.items()))
    ]


async def test_a_reader_command_counts_its_update_and_its_reply(
    server: FakeBotApi, bot_app: BriefApplication, scrape: Scraper
) -> None:
    reader = server.user(READER, "Reader")
    before = await scrape()
    await say(server, reader, "/help")
    await settled(server, bot_app)
    after = await scrape()
    handled = {"kind": "message", "outcome": "handled"}
    assert value(after, "briefbot_updates_total", **handled) == (
        value(before, "briefbot_updates_total", **handled) + 1
    )
    ok = {"method": "sendMessage", "result": "ok"}
    assert value(after, "briefbot_bot_api_requests_total", **ok) == (
        value(before, "briefbot_bot_api_requests_total", **ok) + 1
    )
    timed = "briefbot_update_handling_seconds_count"
    assert value(after, timed, kind="message") == value(before, timed, kind="message") + 1
    assert value(after, "briefbot_bot_api_requests_total", method="getMe", result="ok") >= 1


async def test_a_429_is_counted_with_the_seconds_waited(
    server: FakeBotApi, bot_app: BriefApplication, scrape: Scraper
) -> None:
    reader = server.user(READER, "Reader")
    server.fail(
        "sendMessage",
        chat_id=READER,
        error_code=429,
        description="Too Many Requests: retry after 1",
        parameters={"retry_after": 1},
    )
    await say(server, reader, "/help")  # answered after the pause
    await settled(server, bot_app)
    samples = await scrape()
    flood = {"method": "sendMessage", "result": "too_many_requests"}
    assert value(samples, "briefbot_bot_api_requests_total", **flood) == 1
    assert value(samples, "briefbot_bot_api_requests_total", method="sendMessage", result="ok") == 1
    assert value(samples, "briefbot_flood_wait_seconds_total") == pytest.approx(1.0, abs=0.01)


async def test_a_failing_handler_counts_its_update_as_failed(
    server: FakeBotApi, bot_app: BriefApplication, scrape: Scraper
) -> None:
    reader = server.user(READER, "Reader")
    server.fail("sendMessage", chat_id=READER, error_code=400, description="Bad Request: nope")
    await server.send_text(reader, "/help")
    # The admin's report; no apology to the reader, whose chat is what refused.
    await server.wait_sent(ADMIN_ID, 1)
    await settled(server, bot_app)
    samples = await scrape()
    assert value(samples, "briefbot_updates_total", kind="message", outcome="failed") == 1
    assert value(samples, "briefbot_updates_total", kind="message", outcome="handled") == 0
    refused = {"method": "sendMessage", "result": "bad_request"}
    assert value(samples, "briefbot_bot_api_requests_total", **refused) == 1


async def test_a_flood_counts_the_updates_dropped(
    server: FakeBotApi, bot_app: BriefApplication, scrape: Scraper
) -> None:
    reader = server.user(READER, "Reader")
    sent = 4 * BURST
    for _ in range(sent):
        await server.send_text(reader, "/help")
    await settled(server, bot_app)
    samples = await scrape()
    dropped = value(samples, "briefbot_updates_total", kind="message", outcome="dropped")
    handled = value(samples, "briefbot_updates_total", kind="message", outcome="handled")
    # Far faster than its allowance refills: most of the flood was dropped, none lost.
    assert dropped >= sent - 2 * BURST
    assert dropped + handled == sent


def refresh_job(application: BriefApplication) -> Job[BotContext]:
    assert application.job_queue is not None
    [job] = application.job_queue.get_jobs_by_name(metrics_page.METRICS_JOB)
    return job


def refresh_now(application: BriefApplication) -> None:
    """As when the refresh period has passed: the job counts again at once."""
    job = refresh_job(application)
    job.enabled = True
    job.job.modify(next_run_time=datetime.now(UTC))


async def subscribers_shown(scrape: Scraper, **expected: float) -> Samples:
    """Once a scrape shows these subscriber gauges (state=value): that scrape."""

    async def shown() -> Samples | None:
        samples = await scrape()
        # Present and equal: a series not yet exposed is not yet counted.
        shows = all(
            samples.get(("briefbot_subscribers", frozenset({("state", state)}))) == number
            for state, number in expected.items()
        )
        return samples if shows else None

    found = await eventually_async(shown, f"the subscriber gauges to show {expected}")
    assert found is not None
    return found


async def test_subscriber_gauges_match_storage(
    server: FakeBotApi, bot_app: BriefApplication, scrape: Scraper
) -> None:
    readers = [server.user(chat_id) for chat_id in SUBSCRIBERS]
    for reader in readers:
        await say(server, reader, "/subscribe 07:00 UTC")
    server.block(readers[0])  # a my_chat_member update: the subscriber is stored as blocked
    await settled(server, bot_app)
    storage = bot_app.bot_data.services.storage
    assert storage is not None
    counts = await storage.subscribers.counts()
    assert (counts.active, counts.blocked) == (2, 1)
    refresh_now(bot_app)
    samples = await subscribers_shown(
        scrape, active=counts.active, blocked=counts.blocked, inactive=counts.inactive
    )
    member = {"kind": "my_chat_member", "outcome": "handled"}
    assert value(samples, "briefbot_updates_total", **member) == 1


async def test_scrapes_never_count_the_subscribers(
    server: FakeBotApi,
    bot_app: BriefApplication,
    scrape: Scraper,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await subscribers_shown(scrape, active=0)  # counted once, as the bot started
    refresh_job(bot_app).enabled = False  # no background count while the scrapes run
    storage = bot_app.bot_data.services.storage
    assert storage is not None
    counted: list[SubscriberCounts] = []
    real = storage.subscribers.counts

    async def counting() -> SubscriberCounts:
        counted.append(await real())
        return counted[-1]

    monkeypatch.setattr(storage.subscribers, "counts", counting)
    await say(server, server.user(READER), "/subscribe 07:00 UTC")
    for _ in range(SCRAPES):
        samples = await scrape()
        # The figure of the last count stands: the new subscriber waits for the next one.
        assert value(samples, "briefbot_subscribers", state="active") == 0
    assert counted == []
    refresh_now(bot_app)
    await subscribers_shown(scrape, active=1)
    assert len(counted) == 1


async def test_a_new_subscriber_is_shown_within_the_refresh_period(
    server: FakeBotApi, bot_app: BriefApplication, scrape: Scraper
) -> None:
    job = refresh_job(bot_app)
    # APScheduler's IntervalTrigger: the period between two counts.
    assert job.job.trigger.interval <= timedelta(seconds=30)
    await subscribers_shown(scrape, active=0)
    job.enabled = False
    await say(server, server.user(READER), "/subscribe 07:00 UTC")
    assert value(await scrape(), "briefbot_subscribers", state="active") == 0
    refresh_now(bot_app)  # the period is over
    await subscribers_shown(scrape, active=1)


async def test_a_push_moves_sent_and_remaining(
    server: FakeBotApi, db_path: Path, make_app: AppFactory, briefs_dir: Path
) -> None:
    for chat_id in SUBSCRIBERS:
        server.user(chat_id)
    await publish_file(db_path, briefs_dir / "coastal-wind-farm.txt")
    await add_subscribers(db_path, SUBSCRIBERS, due=FAR_FUTURE)  # only the push sends
    held = SUBSCRIBERS[-1]
    # One chat's answer held back: the push is seen with it still to make.
    server.delay("sendMessage", 1.5, chat_id=held)
    async with make_app() as application, Served(application) as scrape:
        await server.send_text(server.world.users[ADMIN_ID], "/push")

        async def one_left() -> Samples | None:
            samples = await scrape()
            sent = value(samples, "briefbot_push_messages_total", outcome="sent")
            remaining = value(samples, "briefbot_push_messages_remaining")
            return samples if (sent, remaining) == (len(SUBSCRIBERS) - 1, 1) else None

        await eventually_async(one_left, "all but the held chat to be sent")
        await server.wait_sent(held, 1)

        async def finished() -> bool:
            samples = await scrape()
            sent = value(samples, "briefbot_push_messages_total", outcome="sent")
            remaining = value(samples, "briefbot_push_messages_remaining")
            return (sent, remaining) == (len(SUBSCRIBERS), 0)

        await eventually_async(finished, "the push to be counted whole")
        samples = await scrape()
        ok = {"method": "sendMessage", "result": "ok"}
        assert value(samples, "briefbot_bot_api_requests_total", **ok) >= len(SUBSCRIBERS)


async def test_a_late_scheduler_tick_shows_its_lag(
    bot_app: BriefApplication, scrape: Scraper
) -> None:
    assert bot_app.job_queue is not None
    [job] = bot_app.job_queue.get_jobs_by_name(PUSH_JOB)
    # The tick due half a second ago, as after the event loop was held up that long (a
    # tick later than APScheduler's grace of a second is skipped, the next one runs).
    job.job.modify(next_run_time=datetime.now(UTC) - timedelta(seconds=0.5))

    async def lag() -> float:
        return value(await scrape(), "briefbot_scheduler_lag_seconds")

    late = await eventually_async(lag, "the tick to run")
    assert 0.5 <= late < PUSH_TICK.total_seconds()
