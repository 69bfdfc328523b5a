"""Three `briefbot run` processes on one PostgreSQL database, behind a round-robin load
balancer that Telegram posts every update to: as correct as one process.

Consecutive updates of one chat land on different replicas (the balancer records where
each went, and each test checks it did spread them), so whatever a chat is in the middle
of — the brief a reader has open, a paste cut into parts, a pending /correct, an update
Telegram delivers twice — must live in the database, not in one process.

As a user would try it: an SQLite bot moved to PostgreSQL with `briefbot copy-db`, three
replicas on it, and the one running a push killed halfway: another takes it over, every
subscriber gets the brief, at most the sends in flight repeat, and the three replicas
together stay within the one global rate. A replica frozen instead (SIGSTOP) gives its
work up when it wakes; replicas ticking together deliver the daily brief once.
"""

from __future__ import annotations

import itertools
import math
import signal
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import MappingProxyType

import pytest

from bot.core.languages import speaking
from bot.core.push.engine import default_concurrency
from bot.core.reading import help_reply
from bot.core.rendering import Renderer
from brief import Brief, parse_text
from storage import Storage, StoredBrief, SubscriberCounts
from storage.opening import DatabaseLocation, open_storage
from tests.e2e.admin.test_corrections import NEW_TITLE, corrected_text
from tests.e2e.admin.test_uploads import split_like_a_client
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID, page_after, press, say
from tests.e2e.replicas import webhook_replicas
from tests.e2e.test_startup import assert_clean, environment
from tests.fakebot import FakeBotApi
from tests.fakebot.balancer import RoundRobin
from tests.fakebot.html import parse_html
from tests.postgres import fresh_schema, migrated_schema, needs_postgres
from tests.waiting import LoopLag, eventually, eventually_async, without_gc_pauses

pytestmark = needs_postgres

REPLICAS = 3
SECRET = "replica-secret_1"
BRIEFS = Path(__file__).parents[1] / "data" / "briefs"


@dataclass
class Cluster:
    balancer: RoundRobin
    storage: Storage  # another connection to the replicas' database, as `briefbot import`
    bots: list[BotProcess]


@asynccontextmanager
async def running_cluster(
    server: FakeBotApi,
    tmp_path: Path,
    *,
    killed: int | None = None,
    settings: Mapping[str, str] = MappingProxyType({}),
    moved_from: Path | None = None,
) -> AsyncIterator[Cluster]:
    """Three replicas sharing an empty, migrated schema; Telegram posts to the balancer.
    All end cleanly but `killed`, the replica a test kills. `moved_from`: an SQLite
    database copied in first with `briefbot copy-db`, as a user moving to PostgreSQL."""
    # `briefbot copy-db` migrates the new, empty schema itself.
    schema = migrated_schema() if moved_from is None else fresh_schema()
    async with schema as url:
        if moved_from is not None:
            await _copy_db(moved_from, url, tmp_path)
        base = environment(server.url, tmp_path / "unused.db", server.token)
        shared = {
            "DATABASE_URL": url,
            "ADMIN_IDS": str(ADMIN_ID),
            "WEBHOOK_SECRET": SECRET,
            **settings,
        }
        async with (
            webhook_replicas(server, REPLICAS, {**base, **shared}, tmp_path) as replicas,
            await open_storage(DatabaseLocation(url=url)) as storage,
        ):
            yield Cluster(replicas.balancer, storage, replicas.bots)
        for number, (bot, code) in enumerate(zip(replicas.bots, replicas.codes, strict=True)):
            if number != killed:
                assert code == 0, bot.output
                assert_clean(bot.output, server.token)


@pytest.fixture
async def cluster(local_server: FakeBotApi, tmp_path: Path) -> AsyncIterator[Cluster]:
    async with running_cluster(local_server, tmp_path) as running:
        yield running


def assert_spread(balancer: RoundRobin) -> None:
    """Every replica took updates, and no two consecutive ones went to the same replica:
    the test really crossed processes."""
    taken = [r.replica for r in balancer.routed]
    assert set(taken) == set(range(REPLICAS)), balancer.routed
    assert all(a != b for a, b in itertools.pairwise(taken)), balancer.routed


def _example(name: str) -> Brief:
    return parse_text((BRIEFS / name).read_text(encoding="utf-8")).brief


def plain(html: str) -> str:
    return parse_html(html)[0].strip()


async def _publish(storage: Storage, briefs: list[Brief]) -> list[StoredBrief]:
    """Published a minute apart, the last one a minute ago."""
    start = datetime.now(UTC) - timedelta(minutes=len(briefs) + 1)
    return [
        await storage.briefs.publish(brief, by=None, at=start + timedelta(minutes=n))
        for n, brief in enumerate(briefs)
    ]


@pytest.mark.long
async def test_every_reader_flow_works_across_replicas(
    local_server: FakeBotApi, cluster: Cluster
) -> None:
    server, reader = local_server, local_server.user(42, "Ada")
    stories = [replace(_example("harbor-bridge-vote.txt"), title=f"Story {n}") for n in range(9)]
    korea, *_, wind = await _publish(
        cluster.storage,
        [_example("putin-north-korea.txt"), *stories, _example("coastal-wind-farm.txt")],
    )
    [welcome] = await say(server, reader, "/start")
    assert "Welcome to briefbot" in welcome.text

    [summary] = await say(server, reader, "/brief")
    assert summary.text.startswith("Regulators Clear")
    _, [facts] = await press(server, reader, summary, "Facts", expect=1)
    assert facts.text.startswith("Facts · Regulators Clear")
    _, [sources] = await press(server, reader, summary, "Sources", expect=1)
    assert sources.text.startswith("Sources")
    assert f"#{wind.id}" in sources.text.splitlines()[0]
    _, narratives = await press(server, reader, summary, "Narratives", expect=3)
    assert [m.text.split(" narrative")[0] for m in narratives] == [
        "Pro-wind",
        "Fishing-industry",
        "Cost-skeptic",
    ]

    # The brief a reader opened on one replica is the one /facts shows on the next.
    [older] = await say(server, reader, f"/brief {korea.id}")
    assert older.text.startswith("Putin Makes First Visit")
    [korea_facts] = await say(server, reader, "/facts")
    assert korea_facts.text.startswith("Facts · Putin Makes First Visit")

    [page] = await say(server, reader, "/archive")
    assert page.text.startswith("Archive · page 1 of 2, newest first")
    page = await page_after(server, reader, page, "Older →")
    assert page.text.startswith("Archive · page 2 of 2")
    assert [row[0]["text"] for row in page.buttons[:-1]] == [korea.brief.title]
    _, [opened] = await press(server, reader, page, korea.brief.title, expect=1)
    assert opened.text.startswith("Putin Makes First Visit")

    [found] = await say(server, reader, "/search pyongyang")
    assert f"#{korea.id} · {korea.brief.title}" in found.text

    # A language chosen on one replica is spoken by the others.
    await say(server, reader, "/language uk", expect=2)
    with speaking("uk"):
        ukrainian = [plain(text) for text in help_reply(Renderer()).texts]
    for _ in range(REPLICAS):
        helped = await say(server, reader, "/help", expect=len(ukrainian))
        assert [m.text.strip() for m in helped] == ukrainian
    assert server.errors() == []
    assert_spread(cluster.balancer)


async def test_a_paste_split_across_replicas_becomes_one_brief(
    local_server: FakeBotApi, cluster: Cluster
) -> None:
    server, admin = local_server, local_server.world.users[ADMIN_ID]
    text = (BRIEFS / "northfield-budget-long.txt").read_text(encoding="utf-8")
    # Cut smaller than a client does (the bot joins parts whatever their size), so the
    # parts are at least as many as the replicas and reach every one of them.
    parts = split_like_a_client(text, limit=1500)
    assert len(parts) >= REPLICAS
    before = len(server.sent(admin.id))
    for part in parts:  # at once, well within the paste window
        await server.send_text(admin, part)
    summary, details = (await server.wait_sent(admin.id, before + 2, timeout=15))[before:]
    expected = parse_text(text).brief
    assert summary.text.startswith(expected.title)
    assert f"{len(expected.facts)} facts" in details.text
    assert_spread(cluster.balancer)
    await press(server, admin, details, "Publish", expect=1)
    # Every part's timer started before the last part's and has run out: none previewed.
    assert len(server.sent(admin.id)) == before + 3  # one preview, not one per part
    stored = await cluster.storage.briefs.latest()
    assert stored is not None
    assert stored.brief == expected
    assert await cluster.storage.briefs.count() == 1


async def test_a_correct_on_one_replica_and_the_upload_on_another_publish_a_correction(
    local_server: FakeBotApi, cluster: Cluster
) -> None:
    server, admin = local_server, local_server.world.users[ADMIN_ID]
    reader = server.user(42, "Ada")
    [original] = await _publish(cluster.storage, [_example("harbor-bridge-vote.txt")])
    [prompt] = await say(server, admin, f"/correct {original.id}")
    assert f"Send the corrected brief #{original.id}" in prompt.text
    _, details = await say(server, admin, corrected_text(BRIEFS), expect=2)
    assert f"correction to brief #{original.id} (version 2)" in details.text
    _, [done] = await press(server, admin, details, "Publish", expect=1)
    assert f"Brief #{original.id} corrected (version 2)" in done.text
    [fresh] = await say(server, reader, "/brief")
    assert fresh.text.splitlines()[0] == NEW_TITLE
    assert await cluster.storage.briefs.count() == 1
    assert_spread(cluster.balancer)


async def test_an_update_delivered_twice_to_two_replicas_is_handled_once(
    local_server: FakeBotApi, cluster: Cluster
) -> None:
    server, reader = local_server, local_server.user(42, "Ada")
    update = await server.send_text(reader, "/brief")
    await server.wait_sent(reader.id, 1)
    server.resend(update)
    await eventually(lambda: len(server.deliveries) == 2, "the second delivery")
    assert [d.status for d in server.deliveries] == [200, 200]
    first, second = cluster.balancer.replicas_of(update["update_id"])
    assert first != second
    await say(server, reader, "/start")  # its answer is the next message: conclusive
    answer, welcome = server.sent(reader.id)
    assert "There is no brief yet" in answer.text
    assert "Welcome to briefbot" in welcome.text


PUSH_RATE = 300  # paid broadcast: 3,000 subscribers in ten seconds
SUBSCRIBERS = 3000


@pytest.mark.long
async def test_a_push_goes_on_when_the_replica_running_it_is_killed(
    local_server: FakeBotApi, tmp_path: Path
) -> None:
    server = local_server
    server.limits.enabled = True  # Telegram's limits, refused with 429 when exceeded
    server.limits.global_per_second = PUSH_RATE
    readers = [server.user(100_000 + n).id for n in range(SUBSCRIBERS)]
    paid = {"ALLOW_PAID_BROADCAST": "true", "PUSH_RATE_LIMIT": str(PUSH_RATE)}
    # The fake server stamps each request when its loop (this test's) handles it: a garbage
    # collection pause here would bunch arrivals that the replicas spaced evenly.
    with without_gc_pauses():
        await _push_and_kill(server, tmp_path, readers, paid)


def assert_within_rate(server: FakeBotApi, lag: LoopLag, rate: int = PUSH_RATE) -> None:
    """Telegram refused nothing, and no second saw more than the rate arrive, give or take
    the sends the fake server, on this test's loop, may have stamped late together."""
    assert server.limit_refusals == 0
    late_together = math.ceil(lag.worst * rate)
    assert server.busiest_second() <= rate + late_together, lag.worst


async def _push_and_kill(
    server: FakeBotApi, tmp_path: Path, readers: list[int], paid: dict[str, str]
) -> None:
    """A user's SQLite bot, its brief and subscribers, moved to PostgreSQL with one command;
    three replicas started on it; the one running the push killed halfway."""
    sqlite = tmp_path / "before.db"
    async with await Storage.open(sqlite) as before:
        [stored] = await _publish(before, [_example("harbor-bridge-vote.txt")])
        await _subscribe(before, readers)
    admin, wanted = server.world.users[ADMIN_ID], set(readers)

    def reached() -> set[int]:
        return {m.chat_id for m in server.sent() if m.chat_id in wanted}

    def messages() -> int:  # cheap enough to ask often: this loop is the server's too
        return len(server.world.sent_order)

    async with (
        running_cluster(
            server, tmp_path, killed=KILLED, settings=paid, moved_from=sqlite
        ) as cluster,
        LoopLag() as lag,
    ):
        assert await cluster.storage.subscribers.counts() == await _counts(sqlite)
        started = await server.send_text(admin, f"/push {stored.id}")
        [status] = await server.wait_sent(admin.id, 1, timeout=15)
        runner = cluster.balancer.replicas_of(started["update_id"])[0]
        cluster.bots[runner], cluster.bots[KILLED] = cluster.bots[KILLED], cluster.bots[runner]
        await eventually(lambda: messages() >= SUBSCRIBERS // 2, "half the push", within=30)
        cluster.bots[KILLED].process.kill()  # SIGKILL: no goodbye, its claims left "sending"
        in_flight = default_concurrency(PUSH_RATE)  # the most sends it can have under way

        await eventually(lambda: messages() >= SUBSCRIBERS, "the push to go on", within=90)
        await eventually(lambda: reached() == wanted, "every subscriber reached", within=30)
        copies = Counter(m.chat_id for m in server.sent() if m.chat_id in wanted)
        repeated = sum(count - 1 for count in copies.values())
        assert repeated <= in_flight, repeated
        # Within one global budget all along, the takeover included.
        assert_within_rate(server, lag)
        # The admin's progress message is carried on by the replica that took over.
        await eventually(
            lambda: status.text.startswith("Push finished"),  # edited in place
            "the progress message finished",
            within=30,
        )
        run = await cluster.storage.pushes.last()
        assert run is not None
        assert run.finished_at is not None


KILLED = 0  # the replica the push ran on is swapped into this place, then killed


@pytest.mark.long
async def test_a_replica_frozen_in_a_push_gives_it_up_when_it_wakes(
    local_server: FakeBotApi, tmp_path: Path
) -> None:
    server = local_server
    server.limits.enabled = True
    server.limits.global_per_second = PUSH_RATE
    readers = [server.user(300_000 + n).id for n in range(1000)]
    wanted = set(readers)
    paid = {"ALLOW_PAID_BROADCAST": "true", "PUSH_RATE_LIMIT": str(PUSH_RATE)}
    admin = server.world.users[ADMIN_ID]
    async with running_cluster(server, tmp_path, settings=paid) as cluster:
        [stored] = await _publish(cluster.storage, [_example("harbor-bridge-vote.txt")])
        await _subscribe(cluster.storage, readers)
        started = await server.send_text(admin, f"/push {stored.id}")
        [status] = await server.wait_sent(admin.id, 1, timeout=15)
        frozen = cluster.bots[cluster.balancer.replicas_of(started["update_id"])[0]]
        await eventually(lambda: len(server.world.sent_order) >= 300, "a third of the push")
        frozen.process.send_signal(signal.SIGSTOP)  # a frozen VM: alive, silent, claims held
        try:
            await eventually(
                lambda: status.text.startswith("Push finished"), "the others' takeover", within=60
            )
        finally:
            frozen.process.send_signal(signal.SIGCONT)
        # It wakes with claims in hand and its sends in flight; its next heartbeat tells it
        # it was taken for dead, and it gives everything up.
        await frozen.wait_line("giving up what it held", timeout=30)
        copies = Counter(m.chat_id for m in server.sent() if m.chat_id in wanted)
        assert set(copies) == wanted
        repeated = sum(count - 1 for count in copies.values())
        assert repeated <= default_concurrency(PUSH_RATE), repeated
        assert server.limit_refusals == 0


@pytest.mark.long
async def test_the_replicas_ticking_together_deliver_the_daily_brief_once_to_each_chat(
    local_server: FakeBotApi, tmp_path: Path
) -> None:
    server = local_server
    server.limits.enabled = True
    readers = [server.user(200_000 + n).id for n in range(300)]
    async with (
        running_cluster(server, tmp_path, settings={"PUSH_RATE_LIMIT": "30"}) as cluster,
        LoopLag() as lag,
    ):
        [stored] = await _publish(cluster.storage, [_example("harbor-bridge-vote.txt")])
        # Due now, and subscribed two days ago: yesterday's brief is theirs. Every replica's
        # next tick (each ticks every 20 s) finds them due.
        await _subscribe(cluster.storage, readers, due_in=timedelta(0), ago=timedelta(days=2))
        wanted = set(readers)

        def reached() -> Counter[int]:
            return Counter(m.chat_id for m in server.sent() if m.chat_id in wanted)

        await eventually(lambda: len(reached()) == len(readers), "every chat reached", within=60)

        async def settled() -> bool:
            """Every copy recorded sent and every chat due tomorrow: no replica can claim
            one again, so no later send can come."""
            sent = await cluster.storage.deliveries.sent_copies(stored.id)
            due = await cluster.storage.subscribers.due(datetime.now(UTC), limit=1)
            return len(sent) == len(readers) and not due

        await eventually_async(settled, "the deliveries recorded", within=30)
        assert set(reached().values()) == {1}
        assert {m.text.splitlines()[0] for m in server.sent() if m.chat_id in wanted} == {
            stored.brief.title
        }
        assert_within_rate(server, lag, 30)


async def _copy_db(sqlite: Path, url: str, cwd: Path) -> None:
    """`briefbot copy-db --to URL`, DATABASE_PATH naming the SQLite file."""
    copy = await BotProcess.start({"DATABASE_PATH": str(sqlite)}, cwd, "copy-db", "--to", url)
    assert await copy.finish(signal_number=None) == 0, copy.output


async def _counts(sqlite: Path) -> SubscriberCounts:
    async with await Storage.open(sqlite) as before:
        return await before.subscribers.counts()


async def _subscribe(
    storage: Storage,
    chats: list[int],
    *,
    due_in: timedelta = timedelta(days=1),  # by default not due: only a push sends
    ago: timedelta = timedelta(0),
) -> None:
    now = datetime.now(UTC)
    for chat_id in chats:
        await storage.subscribers.subscribe(
            chat_id,
            delivery_time=time(8, 0),
            timezone="UTC",
            next_due_at=now + due_in,
            at=now - ago,
        )
