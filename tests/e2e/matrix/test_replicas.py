"""Two `briefbot run` replicas on one PostgreSQL database, both serving Matrix: one reads
the sync stream at a time, and when it is killed (SIGKILL) the other takes the stream over
within the lease, answering each command once, none missed and none twice."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import asyncpg
import pytest

from brief import parse_text
from storage.opening import DatabaseLocation, open_storage
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.matrix.conftest import matrix_env
from tests.e2e.matrix.test_reading import REFERENCE
from tests.e2e.replicas import webhook_replicas
from tests.e2e.test_startup import environment
from tests.fakebot import FakeBotApi
from tests.postgres import migrated_schema, needs_postgres
from tests.synapse.server import Homeserver
from tests.waiting import eventually_async

pytestmark = [needs_postgres, pytest.mark.long]


async def _holder(url: str) -> str | None:
    """The replica holding the sync lease, as the database says."""
    base, _, query = url.partition("?")
    search_path = dict(part.split("=", 1) for part in query.split("&") if part)["search_path"]
    connection = await asyncpg.connect(base, server_settings={"search_path": unquote(search_path)})
    try:
        owner = await connection.fetchval("SELECT owner FROM matrix_sync")
    finally:
        await connection.close()
    return owner if isinstance(owner, str) else None


async def test_a_killed_sync_reader_is_taken_over_without_missing_or_repeating(
    homeserver: Homeserver, local_server: FakeBotApi, tmp_path: Path
) -> None:
    bot = await homeserver.fresh_user("briefbot")
    editor = await homeserver.fresh_user("editor")
    await homeserver.lift_rate_limits(bot.user_id)
    async with migrated_schema() as url:
        base = environment(local_server.url, tmp_path / "unused.db", local_server.token)
        env = {
            **base,
            "DATABASE_URL": url,
            "ADMIN_IDS": str(ADMIN_ID),
            "WEBHOOK_SECRET": "replica-secret_1",
            **matrix_env(homeserver, bot, editor),
        }
        async with (
            webhook_replicas(local_server, 2, env, tmp_path) as replicas,
            homeserver.user("alice") as alice,
        ):
            async with await open_storage(DatabaseLocation(url=url)) as storage:
                brief = parse_text(REFERENCE.read_text(encoding="utf-8")).brief
                stored = await storage.briefs.publish(brief, by=None, at=datetime.now(UTC))
            room = await alice.create_room(invite=[bot.user_id], direct=True)
            await alice.wait_for_membership(room, bot.user_id, "join", timeout=60)
            asked = await alice.send_text(room, "!brief")
            await alice.wait_for_message(room, bot.user_id, after=asked, timeout=30)

            holder = await eventually_async(lambda: _holder(url), "a replica to hold the lease")
            pid = int(str(holder).split("-")[-2])
            [reader] = [b for b in replicas.bots if b.process.pid == pid]
            os.kill(pid, signal.SIGKILL)
            await reader.process.wait()

            facts = await alice.send_text(room, "!facts")
            await alice.wait_for_message(
                room,
                bot.user_id,
                lambda m: stored.brief.facts[-1].text[:30] in m.body,
                after=facts,
                timeout=60,
            )
            # Anything still coming for !facts arrives before the answer to what follows.
            sources = await alice.send_text(room, "!sources")
            await alice.wait_for_message(room, bot.user_id, after=sources, timeout=30)
            answered = [
                m
                for m in await alice.messages(room, sender=bot.user_id)
                if stored.brief.facts[-1].text[:30] in m.body
            ]
            assert len(answered) == 1, [m.body[:300] for m in answered]
