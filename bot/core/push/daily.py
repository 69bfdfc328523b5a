"""The daily delivery: each subscriber due now gets what was published since its previous
delivery (and what failed before), then its next due time."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from bot.core.buttons import digest_keyboard
from bot.core.chat import Reply
from bot.core.languages import ReaderLocale, speaking
from bot.core.push.delivery import RETRY_LATER, Delivery, LeaseLost
from bot.core.push.tally import Outcome, Tally
from bot.core.push.workers import Queue, run_pool
from bot.core.reading import render_part
from bot.core.rendering import Renderer
from bot.core.subscriptions.subscribing import kept_zone
from bot.core.subscriptions.timing import next_due, zone
from storage import BriefHeader, Storage, Subscriber

log = logging.getLogger(__name__)

DIGEST_ABOVE = 5  # more new briefs than this arrive as one digest message
DAILY_BATCH = 100  # subscribers claimed per query: memory stays flat however many there are
# A claimed subscriber is held this long for its delivery to reschedule it; if the run
# that claimed it dies, it is due again then, for any replica to take.
HOLD = timedelta(minutes=1)
WINDOW_LIMIT = 100  # briefs per delivery; a longer backlog continues on the next tick


class DailyRun:
    """One tick's delivery to every subscriber due at `now`."""

    def __init__(
        self,
        delivery: Delivery,
        storage: Storage,
        renderer: Renderer,
        clock: Callable[[], datetime],
    ) -> None:
        self._delivery = delivery
        self._storage = storage
        self._renderer = renderer
        self._clock = clock
        self._now = clock()  # who is due, and their next times, as of the tick
        self.tally = Tally()
        # Each brief's summary, rendered once per run for every chat of a language and zone;
        # None when withdrawn.
        self._replies: dict[tuple[int, ReaderLocale], Reply | None] = {}

    async def run(self, concurrency: int, on_error: Callable[[], None] | None = None) -> Tally:
        await run_pool(concurrency, self._produce, on_error)
        if self.tally.total:
            log.info(
                "daily push: %d chats due, %d sent, %d failed, %d skipped",
                self.tally.total,
                self.tally.sent,
                self.tally.failed,
                self.tally.skipped,
            )
        return self.tally

    async def _produce(self, queue: Queue) -> None:
        # Claimed a batch at a time as the workers need them: replicas ticking together
        # share the due chats, each taken by one.
        while True:
            self._delivery.check_lease()  # a replica that lost it takes no more chats
            # Held from the claim, not from the tick: a long run's later batches too.
            batch = await self._storage.subscribers.claim_due(
                self._now, limit=DAILY_BATCH, hold_until=self._clock() + HOLD
            )
            for subscriber in batch:
                self.tally.total += 1
                await queue.put(partial(self._deliver, subscriber))
            if len(batch) < DAILY_BATCH:
                return

    async def _deliver(self, subscriber: Subscriber) -> None:
        """Sends that failed, and the briefs published since the previous delivery; then the
        chat's next due time."""
        # A replica that lost its lease leaves the chat held: due again when the hold ends.
        with contextlib.suppress(LeaseLost):
            await self._deliver_held(subscriber)

    async def _deliver_held(self, subscriber: Subscriber) -> None:
        subscriber = await self._zone_checked(subscriber)
        scheduled = scheduled_time(subscriber)
        owed = await self._storage.deliveries.failed_for(
            subscriber.chat_id, since=subscriber.subscribed_at, limit=WINDOW_LIMIT
        )
        # Due before its time only to retry a failed /push send: the day's briefs wait for it.
        headers = (
            await self._storage.briefs.published_since(window_start(subscriber), limit=WINDOW_LIMIT)
            if scheduled <= self._now
            else []
        )
        candidates = _oldest_first(owed, headers)
        pending = set(
            await self._storage.deliveries.undelivered(
                subscriber.chat_id, [h.id for h in candidates]
            )
        )
        wanted = [h for h in candidates if h.id in pending]
        locale = self._renderer.locale_for(
            subscriber.chosen_language, subscriber.seen_language, subscriber.timezone
        )
        with speaking(locale.language, locale.zone):
            if len(wanted) > DIGEST_ABOVE:
                chat_id, outcomes = await self._send_digest(subscriber.chat_id, wanted)
            else:
                chat_id, outcomes = await self._send_each(subscriber.chat_id, wanted)
        for outcome in outcomes:
            self.tally.count(outcome)
        await self._reschedule(subscriber, chat_id, outcomes, headers, scheduled)

    async def _zone_checked(self, subscriber: Subscriber) -> Subscriber:
        """A zone stored earlier that this host can no longer load (the time zone data was
        upgraded or trimmed) would fail every delivery to the chat, and with it the run,
        every minute: the chat is moved to UTC, said once, and served on."""
        kept = kept_zone(subscriber)
        if kept == subscriber.timezone:
            return subscriber
        log.warning(
            "chat %d: its time zone %r cannot be loaded on this host any more; moved to %s",
            subscriber.chat_id,
            subscriber.timezone[:64],
            kept,
        )
        await self._storage.subscribers.move_zone(
            subscriber.chat_id, subscriber.timezone, kept, at=self._now
        )
        return dataclasses.replace(subscriber, timezone=kept)

    async def _send_each(
        self, chat_id: int, headers: list[BriefHeader]
    ) -> tuple[int, list[Outcome]]:
        outcomes = []
        for header in headers:
            reply = await self._reply(header.id)
            if reply is None:
                continue
            claim = await self._delivery.claim(chat_id, [header.id])
            if claim is None:
                outcomes.append(Outcome.SKIPPED)
                continue
            chat_id, outcome = await self._delivery.send(claim, reply)
            outcomes.append(outcome)
            if outcome is Outcome.UNREACHABLE:
                break
        return chat_id, outcomes

    async def _send_digest(
        self, chat_id: int, headers: list[BriefHeader]
    ) -> tuple[int, list[Outcome]]:
        """One message listing the titles, a button each; every brief in it claimed first."""
        claim = await self._delivery.claim(chat_id, [h.id for h in headers])
        claimed = [h for h in headers if claim is not None and h.id in claim.brief_ids]
        skipped = [Outcome.SKIPPED] * (len(headers) - len(claimed))
        if claim is None:
            return chat_id, skipped
        texts = self._renderer.messages("push_digest.html", briefs=claimed)
        reply = Reply(texts, digest_keyboard(claimed, listen=self._renderer))
        # Recorded sent without message ids: corrections edit a copy's first message into
        # the corrected summary, which would overwrite the whole digest. Its buttons open
        # the current version of each brief, so a digest needs no editing.
        chat_id, outcome = await self._delivery.send(claim, reply, keep_ids=False)
        return chat_id, [*skipped, *([outcome] * len(claimed))]

    async def _reschedule(
        self,
        subscriber: Subscriber,
        chat_id: int,
        outcomes: list[Outcome],
        headers: list[BriefHeader],
        scheduled: datetime,
    ) -> None:
        now, subscribers = self._now, self._storage.subscribers
        if Outcome.UNREACHABLE in outcomes:
            # Paused, and no longer held: once unblocked it is due at once (as it was
            # before this run claimed it) and gets what it missed.
            await subscribers.reschedule(
                chat_id, next_due_at=subscriber.next_due_at, delivered_at=None
            )
            return
        if Outcome.FAILED in outcomes or Outcome.SKIPPED in outcomes:
            # Skipped here means claimed elsewhere and not yet sent: another replica is
            # sending it, or one that died holds it until the living release it. Either
            # way the chat is looked at again within the minute, not tomorrow.
            await subscribers.reschedule(chat_id, next_due_at=now + RETRY_LATER, delivered_at=None)
            return
        if scheduled > now:
            # A retry ahead of the chat's time: back to that time, the window untouched.
            await subscribers.reschedule(chat_id, next_due_at=scheduled, delivered_at=None)
            return
        if len(headers) == WINDOW_LIMIT:
            # A backlog longer than one delivery: continue from the last brief on the next tick.
            await subscribers.reschedule(
                chat_id, next_due_at=now, delivered_at=headers[-1].published_at
            )
            return
        due = next_due(subscriber.delivery_time, zone(subscriber.timezone), now)
        # A refusal (e.g. a group that muted the bot) would repeat within the minute: the
        # chat waits for its next day, and the window still holds what it did not receive.
        delivered = None if Outcome.REFUSED in outcomes else now
        await subscribers.reschedule(chat_id, next_due_at=due, delivered_at=delivered)

    async def _reply(self, brief_id: int) -> Reply | None:
        """The brief's summary with its buttons, in the chat's language; None when it was
        withdrawn."""
        key = (brief_id, self._renderer.locale())
        if key not in self._replies:
            stored = await self._storage.briefs.get(brief_id)
            live = stored is not None and stored.retracted_at is None
            self._replies[key] = (
                render_part(self._renderer, stored, "summary") if stored and live else None
            )
        return self._replies[key]


def scheduled_time(subscriber: Subscriber) -> datetime:
    """The chat's own delivery time that follows its previous delivery (or subscription)."""
    last = subscriber.last_delivered_at
    base = subscriber.subscribed_at if last is None else max(last, subscriber.subscribed_at)
    return next_due(subscriber.delivery_time, zone(subscriber.timezone), base)


def window_start(subscriber: Subscriber) -> datetime:
    """Where the chat's next delivery starts: its previous one, or its (re)subscription.

    A new subscription, or one renewed after /unsubscribe (which moves subscribed_at), gets
    the briefs of the day before its first delivery, not what came while it was away. A
    chat that only blocked the bot keeps its subscribed_at, so it gets what it missed.
    """
    floor = min(subscriber.subscribed_at, subscriber.next_due_at - timedelta(days=1))
    last = subscriber.last_delivered_at
    return floor if last is None else max(last, floor)


def _oldest_first(*groups: list[BriefHeader]) -> list[BriefHeader]:
    unique = {h.id: h for group in groups for h in group}
    return sorted(unique.values(), key=lambda h: (h.published_at, h.id))
