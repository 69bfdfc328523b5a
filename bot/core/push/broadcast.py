"""An admin's /push: one brief, now, to every active subscriber who has not received it,
with a tally the admin's progress message reports as it goes; and the command's answer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from bot.core.chat import Reply
from bot.core.languages import ReaderLocale, speaking
from bot.core.push.delivery import RETRY_LATER, Claim, Delivery, LeaseLost
from bot.core.push.tally import Outcome, Progress, Tally
from bot.core.push.workers import Queue, run_pool
from bot.core.reading import Reason, Refusal, find_brief, parse_brief_id, render_part
from bot.core.rendering import Renderer
from storage import PushRun, Storage, StoredBrief

log = logging.getLogger(__name__)

BROADCAST_BATCH = 500  # subscribers read and claimed per query
PROGRESS_EVERY = 3.0  # seconds between progress reports

ProgressCallback = Callable[[Progress], Awaitable[None]]


class Broadcast:
    """One push of one brief; re-reads the brief every batch, so a withdrawal stops it and
    a correction is sent from then on."""

    def __init__(
        self,
        delivery: Delivery,
        storage: Storage,
        renderer: Renderer,
        stored: StoredBrief,
        clock: Callable[[], datetime],
    ) -> None:
        self._delivery = delivery
        self._storage = storage
        self._renderer = renderer
        self._clock = clock
        self._brief_id = stored.id
        self._current = stored
        # The current version's summary, rendered once for each language and zone it goes to.
        self._replies: dict[ReaderLocale, Reply] = {}
        self.tally = Tally()
        # Set once a send found this replica's lease lost: the claims still queued are
        # left as they are, for the give-back to release at once (bot/core/replicas/replica.py).
        self._lost = False

    async def run(
        self,
        concurrency: int,
        *,
        by: int | None,
        run: PushRun | None,
        on_progress: ProgressCallback | None,
        progress_every: float = PROGRESS_EVERY,
        reports_to: tuple[int, int] | None = None,
        on_error: Callable[[], None] | None = None,
    ) -> PushRun:
        """Push; `run` continues a push interrupted by a restart, under the same record."""
        counts = await self._storage.subscribers.counts()
        self.tally.total = counts.active
        if run is None:
            run = await self._storage.pushes.begin(
                brief_id=self._brief_id,
                by=by,
                total=counts.active,
                at=self._clock(),
                owner=self._delivery.owner,
                progress=reports_to,
            )
        reporter = asyncio.create_task(_report(self.tally, on_progress, progress_every))
        try:
            await run_pool(concurrency, self._produce, on_error)
        finally:
            reporter.cancel()
        tally = self.tally
        finished = await self._storage.pushes.finish(
            run.id,
            sent=tally.sent,
            failed=tally.failed,
            skipped=tally.skipped,
            at=self._clock(),
            owner=self._delivery.owner,
        )
        if finished is None:
            # Taken over meanwhile (this replica was taken for dead): the replica running
            # it now closes it and reports its end.
            log.info("push %d goes on in another replica", run.id)
            return run
        if on_progress is not None:
            await on_progress(tally.progress(finished=True))
        return finished

    async def _produce(self, queue: Queue) -> None:
        after: int | None = None
        while True:
            if not await self._refresh():
                self.tally.withdrawn = True
                return
            chats = await self._storage.subscribers.active_chats(
                after_chat_id=after, limit=BROADCAST_BATCH
            )
            claims = await self._delivery.claim_chats(self._brief_id, chats)
            self.tally.count(Outcome.SKIPPED, len(chats) - len(claims))
            languages = await self._storage.languages.of_chats([c.chat_id for c in claims])
            for claim in claims:
                language = languages[claim.chat_id]
                locale = self._renderer.locale_for(language.chosen, language.seen, language.zone)
                await queue.put(partial(self._send, claim, self._reply(locale)))
            if len(chats) < BROADCAST_BATCH:
                return
            after = chats[-1]

    async def _refresh(self) -> bool:
        """Read the brief again: False when it was withdrawn; a correction is sent from now."""
        latest = await self._storage.briefs.get(self._brief_id)
        if latest is None or latest.retracted_at is not None:
            return False
        if latest.version != self._current.version:
            self._current = latest
            self._replies.clear()
        return True

    def _reply(self, locale: ReaderLocale) -> Reply:
        if locale not in self._replies:
            with speaking(locale.language, locale.zone):
                self._replies[locale] = render_part(self._renderer, self._current, "summary")
        return self._replies[locale]

    async def _send(self, claim: Claim, reply: Reply) -> None:
        if self._lost:
            return
        if self.tally.withdrawn:
            # Claimed before the withdrawal was seen: recorded, never sent nor retried.
            await self._delivery.fail(claim, "withdrawn before it was sent")
            return
        try:
            chat_id, outcome = await self._delivery.send(claim, reply)
        except LeaseLost:
            # Given back; the run stops at its next claim, and is taken over.
            self._lost = True
            return
        self.tally.count(outcome)
        if outcome is Outcome.FAILED:
            # The daily delivery sends the chat's failed rows; this one should not wait a day.
            await self._storage.subscribers.due_by(chat_id, self._clock() + RETRY_LATER)


@dataclass(frozen=True, slots=True)
class PushCommand:
    """What /push answers: why not, or (with the brief to push) the status message that the
    push's progress then edits (bot/core/push/progress.py)."""

    reply: Reply
    stored: StoredBrief | None = None


async def push_command(
    storage: Storage, renderer: Renderer, *, admin_id: int, args: list[str]
) -> PushCommand:
    """/push [id]: the brief by the readers' rules (no number: the latest), or why not."""
    brief_id = parse_brief_id("push", args)
    if isinstance(brief_id, Refusal):
        reason = {"reason": Reason.BAD_ARGUMENT.value, "argument": " ".join(args)[:64]}
        return PushCommand(Reply([renderer.render("push_refused.html", **reason)]))
    found = await find_brief(storage, admin_id, brief_id, latest_first=True)
    if isinstance(found, Refusal):
        text = renderer.render("push_refused.html", reason=found.reason.value, **found.context)
        return PushCommand(Reply([text]))
    return PushCommand(Reply([renderer.render("push_started.html", stored=found)]), found)


async def _report(tally: Tally, on_progress: ProgressCallback | None, every: float) -> None:
    if on_progress is None:
        return
    while True:
        await asyncio.sleep(every)
        try:
            await on_progress(tally.progress())
        except Exception:
            # A progress message that cannot be edited must not stop the push itself.
            log.exception("push: could not report progress")
