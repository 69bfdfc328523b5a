"""A replica paused with every clock it reads (a VM paused, a host suspended), while the
others take its push over, then resumed: two replicas' engines on one PostgreSQL
database, each over its own connections, sending to the strict local Bot API server.

SIGSTOP (tests/e2e/test_replicas_webhook.py) freezes a process but not its clocks:
time.monotonic runs on, so a replica that trusted it would still see its lease run out.
Here the paused replica's clocks stop with it and run on from where they stopped, as a
paused VM's do, so only a lease that the database judges can stop it.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.budget.pacing import Pacer
from bot.core.chat import Keyboard
from bot.core.push.engine import PushEngine
from bot.core.rendering import Renderer
from bot.core.replicas.replica import Replica
from bot.core.replicas.takeover import keep_alive
from bot.telegram.push_sender import Sender
from storage import Storage
from storage.opening import DatabaseLocation, open_storage
from tests.e2e.push.conftest import example_brief
from tests.e2e.push.parts import Parts
from tests.e2e.push.test_lease import subscribe_not_due
from tests.fakebot import FakeBotApi
from tests.postgres import migrated_schema, needs_postgres
from tests.waiting import eventually, eventually_async

pytestmark = needs_postgres

# Shorter than the real ones (15 s, 20 s), so the others take over within seconds; the
# same margin of one second and more between the lease and death as a heartbeat's.
LEASE = timedelta(seconds=2)
DEAD_AFTER = timedelta(seconds=4)
BEAT = 0.25  # seconds between the test's heartbeats
SENDERS = 4  # the paused replica's concurrency: the most sends it can have in flight
CHATS = list(range(500_000, 500_400))
PAUSE_AT = 100


class PausedClock:
    """Every clock a replica reads, as a paused VM sees them: stopped while paused, then
    running on from where they stopped, the pause never seen."""

    def __init__(self) -> None:
        self._lost = 0.0  # seconds of pauses ended
        self._since: float | None = None  # time.monotonic() when the pause began

    def monotonic(self) -> float:
        now = time.monotonic() if self._since is None else self._since
        return now - self._lost

    def now(self) -> datetime:
        return datetime.now(UTC) - timedelta(seconds=time.monotonic() - self.monotonic())

    def pause(self) -> None:
        self._since = time.monotonic()

    def resume(self) -> None:
        assert self._since is not None
        self._lost += time.monotonic() - self._since
        self._since = None


class PausableSender(Sender):
    """The paused replica's sender. The replica pauses as its PAUSE_AT-th send is about to
    be written (confirmed, its request not yet on its way): that send, and any other that
    reaches the sender during the pause, waits, and goes when the replica resumes."""

    def __init__(self, bot_url: str, token: str, pause: Callable[[], None]) -> None:
        super().__init__(bot_url, token, paid=False, connections=SENDERS)
        self._pause = pause
        self.running = asyncio.Event()
        self.running.set()
        self.sends = 0
        self.held = 0  # sends that found it paused

    async def send(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        self.sends += 1
        if self.sends == PAUSE_AT:
            self._pause()
        if not self.running.is_set():
            self.held += 1
            await self.running.wait()
        return await super().send(chat_id, text, keyboard)


@dataclass
class Node:
    """One replica's services, as bot/telegram/push_jobs.py's build_push wires them, and the
    heartbeat its job queue would run; `beating` cleared stops it."""

    data: Parts
    replica: Replica
    engine: PushEngine
    beating: asyncio.Event


async def node(storage: Storage, name: str, sender: Sender, clock: PausedClock) -> Node:
    renderer = Renderer()
    replica = Replica(storage, replica_id=name, lease=LEASE, dead_after=DEAD_AFTER)
    await replica.join()
    engine = PushEngine(
        sender,
        storage,
        renderer,
        rate=100.0,
        concurrency=SENDERS,
        clock=clock.now,
        pacer=Pacer(100.0, clock=clock.monotonic),
        lease=replica,
        on_failure=functools.partial(replica.forfeit, "had a run fail"),
    )
    beating = asyncio.Event()
    beating.set()
    return Node(Parts(storage, renderer, replica, engine), replica, engine, beating)


async def heartbeats(node: Node) -> None:
    while True:
        await node.beating.wait()
        await keep_alive(node.data)
        await asyncio.sleep(BEAT)


@pytest.fixture
async def database() -> AsyncIterator[DatabaseLocation]:
    async with migrated_schema() as url:
        yield DatabaseLocation(url=url)


@pytest.mark.long
async def test_a_replica_paused_with_its_clocks_sends_nothing_the_others_took_over(
    server: FakeBotApi, database: DatabaseLocation
) -> None:
    for chat_id in CHATS:
        server.user(chat_id)
    bot_url = f"{server.url}/bot"
    async with (
        await open_storage(database) as paused_storage,
        await open_storage(database) as live_storage,
    ):
        stored = await live_storage.briefs.publish(example_brief(), by=None, at=datetime.now(UTC))
        await subscribe_not_due(live_storage, CHATS)
        clock = PausedClock()
        sender = PausableSender(bot_url, server.token, lambda: _pause(paused, clock, sender))
        paused = await node(paused_storage, "paused", sender, clock)
        live_sender = Sender(bot_url, server.token, paid=False, connections=SENDERS)
        live = await node(live_storage, "live", live_sender, PausedClock())
        beats = [asyncio.create_task(heartbeats(n)) for n in (paused, live)]
        try:
            paused.engine.start_push(stored, by=None)
            await eventually(lambda: not sender.running.is_set(), "the pause", within=30)
            # The live replica takes the paused one for dead, and its push over.
            await eventually_async(
                lambda: _finished(live_storage), "the push taken over and finished", within=60
            )
            _resume(paused, clock, sender)
            await eventually(lambda: _gave_back(paused.replica), "the give-back", within=30)
        finally:
            await _stop(beats, [paused, live])
    # Every send either replica could make is made: the paused one's runs were stopped
    # in its give-back, and the push it ran is finished.
    copies = Counter(m.chat_id for m in server.sent() if m.chat_id in set(CHATS))
    assert sorted(copies) == CHATS
    assert sender.held > 0  # it was paused with sends on their way
    # Only those sends repeat: each sender's one, confirmed just before the pause.
    assert sum(copies.values()) - len(CHATS) <= SENDERS


async def _stop(beats: list[asyncio.Task[None]], nodes: list[Node]) -> None:
    for task in beats:
        task.cancel()
    for ended in await asyncio.gather(*beats, return_exceptions=True):
        if isinstance(ended, Exception):
            raise ended  # a heartbeat that failed: the test's premise did not hold
    for each in nodes:
        await each.engine.close()


def _pause(paused: Node, clock: PausedClock, sender: PausableSender) -> None:
    clock.pause()
    paused.beating.clear()
    sender.running.clear()


def _resume(paused: Node, clock: PausedClock, sender: PausableSender) -> None:
    clock.resume()
    sender.running.set()
    paused.beating.set()


def _gave_back(replica: Replica) -> bool:
    """It forfeited (generation 1) and gave everything back (2): it was told."""
    return replica.generation >= 2 and not replica.owes_give_back


async def _finished(storage: Storage) -> bool:
    return not await storage.pushes.unfinished()
