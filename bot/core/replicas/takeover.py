"""What a replica does at each heartbeat: say it is alive, give back what it owes, and
carry on what replicas that stopped beating left half-done (bot/core/replicas/replica.py says when a
replica is taken for dead, and what it then owes).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Protocol

from bot.core.chat import Messenger, Reply
from bot.core.push.engine import PushEngine
from bot.core.push.progress import ProgressMessage
from bot.core.rendering import Renderer
from bot.core.replicas.replica import Replica
from storage import PushRun, Storage, StoredBrief

log = logging.getLogger(__name__)


class PushParts(Protocol):
    """What a take-over reaches: bot/core/services.py's Services, or a test's few parts."""

    @property
    def storage(self) -> Storage: ...
    @property
    def renderer(self) -> Renderer: ...
    @property
    def replica(self) -> Replica: ...
    @property
    def push(self) -> PushEngine: ...
    @property
    def messenger(self) -> Messenger: ...


async def take_over(services: PushParts) -> list[asyncio.Task[PushRun]]:
    """What replicas that stopped beating left half-done goes on here: their claimed sends
    are released to be sent again, and each push they ran is resumed under its own
    record. On SQLite this is what a restart left (the last process is gone).

    A push whose brief is gone or withdrawn is closed with the tally it had, so /stats
    does not show it running forever.
    """
    storage, engine, replica = services.storage, services.push, services.replica
    dead = await replica.take_for_dead()
    if dead:
        log.warning("replicas taken for dead (their lease ran out): %s", ", ".join(dead))
    # Their runs first, then their sends: a replica gone when its run is taken is still
    # gone at the release (one taken for dead gives back all it held before joining
    # again), so a resumed push never finds the sends of its dead owner still held.
    runs = await storage.pushes.take_over(replica.id)
    released = await storage.deliveries.release_in_flight()
    if released:
        log.warning("%d sends were in flight in a replica that stopped; they go again", released)
    resumed: list[asyncio.Task[PushRun]] = []
    for run in runs:
        stored = None if run.brief_id is None else await storage.briefs.get(run.brief_id)
        if stored is None or stored.retracted_at is not None:
            log.warning("push %d was interrupted and its brief withdrawn; closing it", run.id)
            await storage.pushes.finish(
                run.id, sent=run.sent, failed=run.failed, skipped=run.skipped, at=datetime.now(UTC)
            )
            continue
        log.warning("push %d of brief %d was interrupted; resuming it", run.id, stored.id)
        report = await _resumed_report(services.messenger, services.renderer, run, stored)
        resumed.append(engine.start_push(stored, by=run.started_by, run=run, on_progress=report))
    return resumed


async def beat(services: PushParts) -> None:
    """The replica's heartbeat (a job of the chat app's adapter, every HEARTBEAT): say it
    is alive, then take over what the dead left."""
    try:
        await keep_alive(services)
    except Exception as error:
        # The database is unreachable, most likely: one line per beat, no notice to the
        # admins (they hear of it from /readyz and the replies that fail). Without its
        # heartbeat its lease runs out, and the database confirms none of its sends.
        log.warning("replica heartbeat failed: %s: %s", type(error).__name__, error)


async def keep_alive(services: PushParts) -> None:
    """One heartbeat: say this replica is alive, give back what it owes, take over what
    dead replicas left."""
    replica, engine, storage = services.replica, services.push, services.storage
    await replica.beat()
    if replica.owes_give_back:
        owed = replica.generation
        # It was taken for dead, its lease ran out, or a run died on an error: others may
        # have taken its work, or nobody ever will. Stop it all and give it back, then
        # join again; whatever nobody took is taken below. Retried at every beat until done.
        await engine.stop_runs()
        await storage.deliveries.release_held(replica.id)
        await storage.pushes.release(replica.id)
        await replica.given_back(owed)
    await take_over(services)
    await replica.tidy()


async def _resumed_report(
    messenger: Messenger, renderer: Renderer, run: PushRun, stored: StoredBrief
) -> ProgressMessage | None:
    """The admin who started the push sees it go on: the progress message it had, or a
    new one."""
    if run.progress is not None:
        return ProgressMessage(messenger, renderer, run.progress, stored)
    if run.started_by is None:
        return None
    text = renderer.render("push_resumed.html", stored=stored)
    try:
        sent = await messenger.send(run.started_by, Reply([text]))
    except Exception as error:
        # A timeout or the chat app's fault: the push resumes all the same, unseen.
        log.warning(
            "could not tell admin %s the push resumed: %s: %s",
            run.started_by,
            type(error).__name__,
            error,
        )
        return None
    if sent is None:  # the admin's chat refused it (the messenger logged why)
        log.warning("could not tell admin %s the push resumed: the chat refused it", run.started_by)
        return None
    return ProgressMessage(messenger, renderer, (run.started_by, sent[0]), stored)
