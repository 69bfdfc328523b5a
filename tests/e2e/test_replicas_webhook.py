"""Three `briefbot run` processes on one PostgreSQL database, behind a round-robin load
balancer that Telegram posts every update to: as correct as one process.

Consecutive updates of one chat land on different replicas (the balancer records where
each went, and each test checks it did spread them), so whatever a chat is in the middle
of — the brief a reader has open, a paste cut into parts, a pending /correct, an update
Telegram delivers twice — must live in the database, not in one process.

Out of scope here, known per-process gaps: the sending budget (bot/limits) is counted by
each replica on its own, and pushes take no lease, so two replicas may both run the push.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from brief import Brief, parse_text
from storage import Storage, StoredBrief
from storage.opening import DatabaseLocation, migrate_database, open_storage
from tests.e2e.admin.test_corrections import NEW_TITLE, corrected_text
from tests.e2e.admin.test_uploads import split_like_a_client
from tests.e2e.conftest import ADMIN_ID, page_after, press, say
from tests.e2e.replicas import webhook_replicas
from tests.e2e.test_startup import assert_clean, environment
from tests.fakebot import FakeBotApi
from tests.fakebot.balancer import RoundRobin
from tests.postgres import fresh_schema, needs_postgres
from tests.waiting import eventually

pytestmark = needs_postgres

REPLICAS = 3
SECRET = "replica-secret_1"
BRIEFS = Path(__file__).parents[1] / "data" / "briefs"


@dataclass
class Cluster:
    balancer: RoundRobin
    storage: Storage  # another connection to the replicas' database, as `briefbot import`


@pytest.fixture
async def cluster(local_server: FakeBotApi, tmp_path: Path) -> AsyncIterator[Cluster]:
    """Three replicas sharing a fresh, migrated schema; Telegram posts to the balancer."""
    async with fresh_schema() as url:
        await migrate_database(DatabaseLocation(url=url))
        base = environment(local_server.url, tmp_path / "unused.db", local_server.token)
        shared = {"DATABASE_URL": url, "ADMIN_IDS": str(ADMIN_ID), "WEBHOOK_SECRET": SECRET}
        env = {**base, **shared}
        async with (
            webhook_replicas(local_server, REPLICAS, env, tmp_path) as replicas,
            await open_storage(DatabaseLocation(url=url)) as storage,
        ):
            yield Cluster(replicas.balancer, storage)
        assert replicas.codes == [0] * REPLICAS, [bot.output for bot in replicas.bots]
        for bot in replicas.bots:
            assert_clean(bot.output, local_server.token)


def assert_spread(balancer: RoundRobin) -> None:
    """Every replica took updates, and no two consecutive ones went to the same replica:
    the test really crossed processes."""
    taken = [r.replica for r in balancer.routed]
    assert set(taken) == set(range(REPLICAS)), balancer.routed
    assert all(a != b for a, b in itertools.pairwise(taken)), balancer.routed


def _example(name: str) -> Brief:
    return parse_text((BRIEFS / name).read_text(encoding="utf-8")).brief


async def _publish(storage: Storage, briefs: list[Brief]) -> list[StoredBrief]:
    """Published a minute apart, the last one a minute ago."""
    start = datetime.now(UTC) - timedelta(minutes=len(briefs) + 1)
    return [
        await storage.briefs.publish(brief, by=None, at=start + timedelta(minutes=n))
        for n, brief in enumerate(briefs)
    ]


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
