"""The delivery engine: every brief reaches every subscriber once, within Telegram's limits.

Exactly once: nothing is sent without first claiming its row in the delivery record
(storage.deliveries), and the row is marked sent with the message ids as soon as Telegram
answers. A claim only succeeds on a missing or failed row, so overlapping ticks, a push
beside the schedule, or a second push never send a brief to a chat twice. A crash leaves
claimed rows "sending"; at start they become "failed" and are sent again. Only a send whose
request Telegram had accepted when the process died is repeated: at most the number of
requests in flight, bounded by `concurrency` and in practice rate times the round-trip time.

Rate: every send waits for its turn in the Pacer (bot/push/pacing.py): evenly at the
configured rate, at most one message per second per chat, after any reply to a reader
waiting in the same budget; a 429 (RetryAfter) pauses every send, replies included, for
the advised time before the message is retried. It sends through its own Sender, not the
application's bot (see bot/push/sender.py for why).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time as clock_time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.keyboards import part_data
from bot.push.pacing import Pacer
from bot.push.sender import (
    Flood,
    Migrated,
    Refused,
    Sender,
    SendError,
    Transient,
    Unreachable,
)
from bot.push.timing import next_due, zone
from bot.reading import Reply, render_part
from bot.rendering import Renderer
from storage import BriefHeader, PushRun, Storage, StoredBrief, Subscriber

log = logging.getLogger(__name__)
_T = TypeVar("_T")

DIGEST_ABOVE = 5  # more new briefs than this arrive as one digest message
BATCH = 500  # subscribers read per query: memory stays flat however many there are
WINDOW_LIMIT = 100  # briefs per delivery; a longer backlog continues on the next tick
RETRY_DELAYS = (0.5, 1.0, 2.0)  # backoff for timeouts and 5xx answers before giving up
MAX_RETRY_AFTER = 5  # RetryAfter answers honoured for one message before it is failed
RETRY_LATER = timedelta(minutes=1)  # a chat whose send failed is due again this soon
TITLE_CHARS = 60
# How long a commit of sent marks waits for more: at 1000 messages/s, five make one commit.
GATHER_SECONDS = 0.005


class Outcome(Enum):
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, or being sent by another worker
    FAILED = "failed"  # recorded; tried again on a later tick
    REFUSED = "refused"  # recorded; the same again would fail the same way: tried next day
    UNREACHABLE = "unreachable"  # blocked or gone: the subscriber is paused


@dataclass
class Tally:
    total: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    unreachable: int = 0
    withdrawn: bool = False  # the brief was withdrawn while its push ran: the push stops
    started: float = field(default_factory=clock_time.monotonic)

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.SENT:
            self.sent += 1
        elif outcome is Outcome.SKIPPED:
            self.skipped += 1
        else:
            self.failed += 1
            self.unreachable += outcome is Outcome.UNREACHABLE

    def progress(self) -> Progress:
        return Progress(
            total=self.total,
            sent=self.sent,
            failed=self.failed,
            skipped=self.skipped,
            elapsed=clock_time.monotonic() - self.started,
            withdrawn=self.withdrawn,
        )


@dataclass(frozen=True, slots=True)
class Progress:
    total: int
    sent: int
    failed: int
    skipped: int
    elapsed: float
    finished: bool = False
    withdrawn: bool = False

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.sent - self.failed - self.skipped)

    @property
    def rate(self) -> float:
        """Messages per second so far."""
        return self.sent / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        return self.remaining / self.rate if self.rate > 0 else None


ProgressCallback = Callable[[Progress], Awaitable[None]]


def utc_now() -> datetime:
    return datetime.now(UTC)


def default_concurrency(rate: float | None) -> int:
    # Enough workers to keep the rate while some wait out a chat's one-second spacing.
    return 32 if not rate else max(8, min(64, math.ceil(rate * 1.5)))


class PushEngine:
    def __init__(
        self,
        sender: Sender,
        storage: Storage,
        renderer: Renderer,
        *,
        rate: float | None,
        concurrency: int | None = None,
        clock: Callable[[], datetime] = utc_now,
        pacer: Pacer | None = None,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        self._sender = sender
        self._storage = storage
        self._renderer = renderer
        self._pacer = pacer or Pacer(rate)
        self._concurrency = concurrency or default_concurrency(rate)
        self._clock = clock
        self._retry_delays = retry_delays
        self._schedule_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._marks = _SentMarks(storage, clock)

    @property
    def concurrency(self) -> int:
        return self._concurrency

    # -- running in the background -----------------------------------------------------------

    def trigger_due(self) -> None:
        """Start a scheduled delivery in the background unless one is running."""
        if not self._schedule_lock.locked():
            self._spawn(self.deliver_due())

    def start_push(
        self,
        stored: StoredBrief,
        *,
        by: int | None,
        on_progress: ProgressCallback | None = None,
        run: PushRun | None = None,
    ) -> asyncio.Task[PushRun]:
        return self._spawn(self.push(stored, by=by, on_progress=on_progress, run=run))

    async def close(self) -> None:
        """Stop what is running; claims left "sending" are released at the next start."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._sender.close()

    def _spawn(self, work: Coroutine[Any, Any, _T]) -> asyncio.Task[_T]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("push: background delivery failed", exc_info=task.exception())

    # -- the daily schedule -------------------------------------------------------------------

    async def deliver_due(self) -> Tally:
        """Deliver to every subscriber due now, after any run already in progress."""
        async with self._schedule_lock:
            now = self._clock()
            tally = Tally()
            replies: dict[int, Reply | None] = {}

            async def produce(queue: asyncio.Queue[_Job | None]) -> None:
                cursor: Subscriber | None = None
                while True:
                    batch = await self._storage.subscribers.due(
                        now,
                        limit=BATCH,
                        after_chat_id=cursor.chat_id if cursor else None,
                        after_due_at=cursor.next_due_at if cursor else None,
                    )
                    for subscriber in batch:
                        tally.total += 1
                        await queue.put(_bind(self._deliver_daily, subscriber, now, tally, replies))
                    if len(batch) < BATCH:
                        return
                    cursor = batch[-1]

            await self._run_pool(produce)
            if tally.total:
                log.info(
                    "daily push: %d chats due, %d sent, %d failed, %d skipped",
                    tally.total,
                    tally.sent,
                    tally.failed,
                    tally.skipped,
                )
            return tally

    async def _deliver_daily(
        self,
        subscriber: Subscriber,
        now: datetime,
        tally: Tally,
        replies: dict[int, Reply | None],
    ) -> None:
        """Sends that failed, and the briefs published since the previous delivery; then the
        chat's next due time."""
        scheduled = _scheduled(subscriber)
        owed = await self._storage.deliveries.failed_for(
            subscriber.chat_id, since=subscriber.subscribed_at, limit=WINDOW_LIMIT
        )
        # Due before its time only to retry a failed /push send: the day's briefs wait for it.
        headers = (
            await self._storage.briefs.published_since(
                _window_start(subscriber), limit=WINDOW_LIMIT
            )
            if scheduled <= now
            else []
        )
        candidates = _oldest_first(owed, headers)
        pending = set(
            await self._storage.deliveries.undelivered(
                subscriber.chat_id, [h.id for h in candidates]
            )
        )
        wanted = [h for h in candidates if h.id in pending]
        chat_id = subscriber.chat_id
        if len(wanted) > DIGEST_ABOVE:
            chat_id, outcomes = await self._send_digest(chat_id, wanted, now)
        else:
            outcomes = []
            for header in wanted:
                reply = await self._reply(header.id, replies)
                if reply is None:
                    continue
                chat_id, outcome = await self._deliver(chat_id, header.id, reply)
                outcomes.append(outcome)
                if outcome is Outcome.UNREACHABLE:
                    break
        for outcome in outcomes:
            tally.count(outcome)
        await self._reschedule(subscriber, chat_id, now, outcomes, headers, scheduled)

    async def _reschedule(
        self,
        subscriber: Subscriber,
        chat_id: int,
        now: datetime,
        outcomes: list[Outcome],
        headers: list[BriefHeader],
        scheduled: datetime,
    ) -> None:
        if Outcome.UNREACHABLE in outcomes:
            return  # paused; when unblocked, it is due at once and gets what it missed
        if Outcome.FAILED in outcomes:
            await self._storage.subscribers.reschedule(
                chat_id, next_due_at=now + RETRY_LATER, delivered_at=None
            )
            return
        if scheduled > now:
            # A retry ahead of the chat's time: back to that time, the window untouched.
            await self._storage.subscribers.reschedule(
                chat_id, next_due_at=scheduled, delivered_at=None
            )
            return
        if len(headers) == WINDOW_LIMIT:
            # A backlog longer than one delivery: continue from the last brief on the next tick.
            await self._storage.subscribers.reschedule(
                chat_id, next_due_at=now, delivered_at=headers[-1].published_at
            )
            return
        due = next_due(subscriber.delivery_time, zone(subscriber.timezone), now)
        # A refusal (e.g. a group that muted the bot) would repeat within the minute: the
        # chat waits for its next day, and the window still holds what it did not receive.
        delivered = None if Outcome.REFUSED in outcomes else now
        await self._storage.subscribers.reschedule(chat_id, next_due_at=due, delivered_at=delivered)

    async def _reply(self, brief_id: int, replies: dict[int, Reply | None]) -> Reply | None:
        """The brief's summary with its buttons, rendered once per run for every chat."""
        if brief_id not in replies:
            stored = await self._storage.briefs.get(brief_id)
            withdrawn = stored is None or stored.retracted_at is not None
            replies[brief_id] = (
                None
                if stored is None or withdrawn
                else render_part(self._renderer, stored, "summary")
            )
        return replies[brief_id]

    async def _send_digest(
        self, chat_id: int, headers: list[BriefHeader], now: datetime
    ) -> tuple[int, list[Outcome]]:
        """One message listing the titles, a button each; every brief in it claimed first."""
        claimed = [
            h for h in headers if await self._storage.deliveries.claim(h.id, chat_id, at=now)
        ]
        skipped = [Outcome.SKIPPED] * (len(headers) - len(claimed))
        if not claimed:
            return chat_id, skipped
        rows = [
            [InlineKeyboardButton(_short(h.title), callback_data=part_data(h.id, "summary"))]
            for h in claimed
        ]
        texts = self._renderer.messages("push_digest.html", briefs=claimed)
        reply = Reply(texts, InlineKeyboardMarkup(rows))
        # Recorded sent without message ids: corrections edit a copy's first message into
        # the corrected summary, which would overwrite the whole digest. Its buttons open
        # the current version of each brief, so a digest needs no editing.
        ids = [h.id for h in claimed]
        chat_id, outcome = await self._deliver_claimed(chat_id, ids, reply, keep_ids=False)
        return chat_id, [*skipped, *([outcome] * len(claimed))]

    # -- an admin's push ----------------------------------------------------------------------

    async def push(
        self,
        stored: StoredBrief,
        *,
        by: int | None,
        on_progress: ProgressCallback | None = None,
        progress_every: float = 3.0,
        run: PushRun | None = None,
    ) -> PushRun:
        """Send the brief now to every active subscriber who has not received it.

        `run` continues a push interrupted by a restart, under the same record.
        """
        counts = await self._storage.subscribers.counts()
        tally = Tally(total=counts.active)
        if run is None:
            run = await self._storage.pushes.start(
                brief_id=stored.id, by=by, total=counts.active, at=self._clock()
            )
        current = stored
        reply = render_part(self._renderer, stored, "summary")

        async def produce(queue: asyncio.Queue[_Job | None]) -> None:
            nonlocal current, reply
            after: int | None = None
            while True:
                # Read again each batch: a withdrawal stops the push, a correction is sent.
                latest = await self._storage.briefs.get(stored.id)
                if latest is None or latest.retracted_at is not None:
                    tally.withdrawn = True
                    return
                if latest.version != current.version:
                    current, reply = latest, render_part(self._renderer, latest, "summary")
                chats = await self._storage.subscribers.active_chats(
                    after_chat_id=after, limit=BATCH
                )
                claimed = await self._storage.deliveries.claim_many(
                    stored.id, chats, at=self._clock()
                )
                tally.skipped += len(chats) - len(claimed)
                for chat_id in claimed:
                    await queue.put(_bind(self._push_one, chat_id, stored.id, reply, tally))
                if len(chats) < BATCH:
                    return
                after = chats[-1]

        reporter = asyncio.create_task(_report(tally, on_progress, progress_every))
        try:
            await self._run_pool(produce)
        finally:
            reporter.cancel()
        finished = await self._storage.pushes.finish(
            run.id, sent=tally.sent, failed=tally.failed, skipped=tally.skipped, at=self._clock()
        )
        if on_progress is not None:
            await on_progress(replace(tally.progress(), finished=True))
        return finished

    async def _push_one(self, chat_id: int, brief_id: int, reply: Reply, tally: Tally) -> None:
        if tally.withdrawn:
            # Claimed before the withdrawal was seen: recorded, never sent nor retried.
            await self._fail([brief_id], chat_id, "withdrawn before it was sent")
            return
        chat_id, outcome = await self._deliver_claimed(chat_id, [brief_id], reply)
        tally.count(outcome)
        if outcome is Outcome.FAILED:
            # The daily delivery sends the chat's failed rows; this one should not wait a day.
            await self._storage.subscribers.due_by(chat_id, self._clock() + RETRY_LATER)

    # -- one delivery -------------------------------------------------------------------------

    async def _deliver(self, chat_id: int, brief_id: int, reply: Reply) -> tuple[int, Outcome]:
        if not await self._storage.deliveries.claim(brief_id, chat_id, at=self._clock()):
            return chat_id, Outcome.SKIPPED
        return await self._deliver_claimed(chat_id, [brief_id], reply)

    async def _deliver_claimed(
        self, chat_id: int, brief_ids: list[int], reply: Reply, *, keep_ids: bool = True
    ) -> tuple[int, Outcome]:
        """Send what the claims cover and record the result; returns the chat's current id."""
        try:
            try:
                message_ids = await self._send_reply(chat_id, reply)
            except Migrated as moved:
                # The group became a supergroup: the subscription and these claims move too.
                await self._storage.subscribers.migrate(chat_id, moved.new_chat_id)
                chat_id = moved.new_chat_id
                message_ids = await self._send_reply(chat_id, reply)
        except Unreachable as error:
            await self._fail(brief_ids, chat_id, str(error))
            await self._storage.subscribers.set_blocked(chat_id, True, at=self._clock())
            return chat_id, Outcome.UNREACHABLE
        except Refused as error:
            await self._fail(brief_ids, chat_id, str(error))
            return chat_id, Outcome.REFUSED
        except SendError as error:
            await self._fail(brief_ids, chat_id, str(error))
            return chat_id, Outcome.FAILED
        except Exception as error:
            # A bug must not leave the claim "sending" until the next restart.
            await self._fail(brief_ids, chat_id, f"{type(error).__name__}: {error}")
            raise
        recorded = message_ids if keep_ids else []
        await self._marks.record([(b, chat_id, recorded) for b in brief_ids])
        return chat_id, Outcome.SENT

    async def _fail(self, brief_ids: list[int], chat_id: int, error: str) -> None:
        for brief_id in brief_ids:
            await self._storage.deliveries.mark_failed(
                brief_id, chat_id, error[:500], at=self._clock()
            )

    async def _send_reply(self, chat_id: int, reply: Reply) -> list[int]:
        """The reply's messages in order, the keyboard under the last; their ids."""
        last = len(reply.texts) - 1
        return [
            await self._send(chat_id, text, reply.keyboard if index == last else None)
            for index, text in enumerate(reply.texts)
        ]

    async def _send(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        """One message, retried through flood control, timeouts and server errors.

        Raises Migrated or Unreachable for the caller to act on, SendError to give up.
        """
        floods = 0
        failures = 0
        while True:
            await self._pacer.acquire(chat_id)
            try:
                return await self._sender.send(chat_id, text, markup)
            except Flood as error:
                floods += 1
                if floods > MAX_RETRY_AFTER:
                    raise
                self._pacer.pause(error.retry_after)
            except Transient:
                if failures >= len(self._retry_delays):
                    raise
                await asyncio.sleep(self._retry_delays[failures])
                failures += 1

    # -- workers ------------------------------------------------------------------------------

    async def _run_pool(
        self, produce: Callable[[asyncio.Queue[_Job | None]], Awaitable[None]]
    ) -> None:
        """Run the producer's jobs on `concurrency` workers; the queue is bounded."""
        queue: asyncio.Queue[_Job | None] = asyncio.Queue(maxsize=2 * self._concurrency)
        workers = [asyncio.create_task(_work(queue)) for _ in range(self._concurrency)]
        try:
            await produce(queue)
            for _ in workers:
                await queue.put(None)
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)


_Job = Callable[[], Awaitable[None]]
_Sent = tuple[int, int, list[int]]  # brief_id, chat_id, message ids


class _SentMarks:
    """Group commit of sends to the delivery record.

    Each worker waits until its own send is committed, so the crash bound is unchanged;
    marks that arrive while one commit runs go together in the next. One commit per
    message would cost about 0.2 ms of CPU each, as much as the send itself, so a commit
    first waits GATHER_SECONDS for the sends finishing meanwhile.
    """

    def __init__(self, storage: Storage, clock: Callable[[], datetime]) -> None:
        self._storage = storage
        self._clock = clock
        self._lock = asyncio.Lock()
        self._pending: list[tuple[int, _Sent]] = []
        self._numbers = itertools.count(1)
        self._committed = 0

    async def record(self, sent: list[_Sent]) -> None:
        last = 0
        for row in sent:
            last = next(self._numbers)
            self._pending.append((last, row))
        async with self._lock:  # FIFO: a waiter finds its rows committed by an earlier one
            if last <= self._committed:
                return
            await asyncio.sleep(GATHER_SECONDS)
            batch, self._pending = self._pending, []
            try:
                await self._storage.deliveries.mark_sent_many(
                    [row for _, row in batch], at=self._clock()
                )
            except BaseException:
                self._pending[:0] = batch  # their own workers will write them
                raise
            self._committed = max(self._committed, batch[-1][0])


def _scheduled(subscriber: Subscriber) -> datetime:
    """The chat's own delivery time that follows its previous delivery (or subscription)."""
    last = subscriber.last_delivered_at
    base = subscriber.subscribed_at if last is None else max(last, subscriber.subscribed_at)
    return next_due(subscriber.delivery_time, zone(subscriber.timezone), base)


def _oldest_first(*groups: list[BriefHeader]) -> list[BriefHeader]:
    unique = {h.id: h for group in groups for h in group}
    return sorted(unique.values(), key=lambda h: (h.published_at, h.id))


def _window_start(subscriber: Subscriber) -> datetime:
    """Where the chat's next delivery starts: its previous one, or its (re)subscription.

    A new subscription, or one renewed after /unsubscribe (which moves subscribed_at), gets
    the briefs of the day before its first delivery, not what came while it was away. A
    chat that only blocked the bot keeps its subscribed_at, so it gets what it missed.
    """
    floor = min(subscriber.subscribed_at, subscriber.next_due_at - timedelta(days=1))
    last = subscriber.last_delivered_at
    return floor if last is None else max(last, floor)


def _bind(function: Callable[..., Awaitable[None]], *args: Any) -> _Job:
    async def job() -> None:
        await function(*args)

    return job


async def _work(queue: asyncio.Queue[_Job | None]) -> None:
    while True:
        job = await queue.get()
        if job is None:
            return
        try:
            await job()
        except Exception:
            # The failed delivery is already recorded; one chat's bug must not stop the push.
            log.exception("push: a delivery failed unexpectedly")


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


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else f"{title[: TITLE_CHARS - 1]}…"
