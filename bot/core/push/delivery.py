"""One path from a claim to a recorded send: what makes every delivery happen once.

Nothing is sent without first claiming its row in the delivery record
(storage.deliveries); `Delivery.send` takes only a `Claim`, which only `Delivery.claim`
and `Delivery.claim_chats` make. A claim succeeds only on a missing or failed row, so
overlapping ticks, a push beside the schedule, or a second push never send a brief to a
chat twice. Right before each send's turn the database confirms the row is still this
replica's, under its lease (bot/core/push/confirm.py), so a replica that stalled sends nothing
another took over. The row is marked sent with the message ids as soon as Telegram
answers. A crash leaves claimed rows "sending", each with the replica that claimed it;
once that replica is taken for dead (bot/core/replicas/replica.py), they become "failed" and are
sent
again. Only a send whose request Telegram had accepted when the process died (or stalled)
is repeated: at most the number of requests in flight, in practice rate times the
round-trip time.

Every send waits for its turn in the Pacer (bot/core/budget/pacing.py): evenly at the configured
rate, at most one message per second per chat; a 429 pauses every send for the advised
time before the message is retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.budget.pacing import Turns
from bot.core.chat import Keyboard, Reply
from bot.core.push.confirm import Confirmation, Confirmations
from bot.core.push.marks import SentMarks
from bot.core.push.sending import (
    Flood,
    Migrated,
    PushSender,
    Refused,
    SendError,
    Transient,
    Unreachable,
)
from bot.core.push.tally import Outcome
from storage import Storage

RETRY_DELAYS = (0.5, 1.0, 2.0)  # backoff for timeouts and 5xx answers before giving up
MAX_RETRY_AFTER = 5  # RetryAfter answers honoured for one message before it is failed
RETRY_LATER = timedelta(minutes=1)  # a chat whose send failed is due again this soon


@dataclass(frozen=True, slots=True)
class Claim:
    """Briefs this process claimed in the delivery record for one chat, and may now send,
    as long as its lease holds for `generation`."""

    chat_id: int
    brief_ids: tuple[int, ...]
    generation: int = 0


class Lease(Protocol):  # bot/core/replicas/replica.py Replica
    @property
    def id(self) -> str: ...
    @property
    def generation(self) -> int: ...
    def holds(self, generation: int) -> bool: ...
    def forfeit(self, why: str) -> None: ...


class LeaseLost(Exception):
    """This replica may have been taken for dead: what it claimed may be another's now."""


class _Gone(Exception):
    """The claim's rows are no longer this replica's to send, though its lease holds."""


class Delivery:
    def __init__(
        self,
        sender: PushSender,
        storage: Storage,
        pacer: Turns,
        clock: Callable[[], datetime],
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        lease: Lease | None = None,
    ) -> None:
        """`lease`: this replica (bot/core/replicas/replica.py), whose id its claims carry and whose
        lease every send needs; None for a process that is the only sender."""
        self._lease = lease
        self.owner = None if lease is None else lease.id
        self._confirmations = None if lease is None else Confirmations(storage, lease.id)
        self._sender = sender
        self._storage = storage
        self._pacer = pacer
        self._clock = clock
        self._retry_delays = retry_delays
        self._marks = SentMarks(storage, clock)

    def check_lease(self) -> None:
        """Raise LeaseLost when this replica knows it may not claim now (it owes a
        give-back): a run that meets it stops, rather than claim what it could not send."""
        if self._lease is not None and not self._lease.holds(self._lease.generation):
            raise LeaseLost("this replica lost its lease")

    async def claim(self, chat_id: int, brief_ids: Sequence[int]) -> Claim | None:
        """Claim each brief for the chat; None when another run holds or sent every one.
        LeaseLost when this replica may not claim now."""
        self.check_lease()
        generation = self._generation()
        won = [
            brief_id
            for brief_id in brief_ids
            if await self._storage.deliveries.claim(
                brief_id, chat_id, at=self._clock(), owner=self.owner
            )
        ]
        return Claim(chat_id, tuple(won), generation) if won else None

    async def claim_chats(self, brief_id: int, chats: list[int]) -> list[Claim]:
        """Claim one brief for many chats in one statement; the chats won, in order.
        LeaseLost when this replica may not claim now."""
        self.check_lease()
        generation = self._generation()
        won = await self._storage.deliveries.claim_many(
            brief_id, chats, at=self._clock(), owner=self.owner
        )
        return [Claim(chat_id, (brief_id,), generation) for chat_id in won]

    async def send(
        self, claim: Claim, reply: Reply, *, keep_ids: bool = True
    ) -> tuple[int, Outcome]:
        """Send what the claim covers and record the result; returns the chat's current id.

        `keep_ids=False` records the send without its message ids, so corrections leave
        that message alone.
        """
        chat_id = claim.chat_id
        try:
            try:
                message_ids = await self._send_reply(chat_id, reply, claim)
            except Migrated as moved:
                # The group became a supergroup: the subscription and these claims move too.
                await self._storage.subscribers.migrate(chat_id, moved.new_chat_id)
                chat_id = moved.new_chat_id
                message_ids = await self._send_reply(chat_id, reply, claim)
        except _Gone:
            # Recorded sent meanwhile (a mark of the run before a give-back, written late):
            # not owed, and nothing else this replica holds is in doubt.
            return chat_id, Outcome.SKIPPED
        except LeaseLost as error:
            # Released for another replica if still this one's; sent by whoever claims it.
            # Raised on: the run that meets it stops rather than count a failure.
            await self.fail(Claim(chat_id, claim.brief_ids), str(error))
            raise
        except Unreachable as error:
            await self.fail(Claim(chat_id, claim.brief_ids), str(error))
            await self._storage.subscribers.set_blocked(chat_id, True, at=self._clock())
            return chat_id, Outcome.UNREACHABLE
        except Refused as error:
            await self.fail(Claim(chat_id, claim.brief_ids), str(error))
            return chat_id, Outcome.REFUSED
        except SendError as error:
            await self.fail(Claim(chat_id, claim.brief_ids), str(error))
            return chat_id, Outcome.FAILED
        except Exception as error:
            # A bug must not leave the claim "sending" until the next restart.
            await self.fail(Claim(chat_id, claim.brief_ids), f"{type(error).__name__}: {error}")
            raise
        recorded = message_ids if keep_ids else []
        await self._marks.record([(b, chat_id, recorded) for b in claim.brief_ids])
        return chat_id, Outcome.SENT

    async def fail(self, claim: Claim, error: str) -> None:
        """Record the claim as failed, with why: a later run may claim it again."""
        for brief_id in claim.brief_ids:
            await self._storage.deliveries.mark_failed(
                brief_id, claim.chat_id, error[:500], at=self._clock(), owner=self.owner
            )

    def _generation(self) -> int:
        return 0 if self._lease is None else self._lease.generation

    async def _send_reply(self, chat_id: int, reply: Reply, claim: Claim) -> list[int]:
        """The reply's messages in order, the keyboard under the last; their ids."""
        last = len(reply.texts) - 1
        return [
            await self._send(chat_id, text, reply.keyboard if index == last else None, claim)
            for index, text in enumerate(reply.texts)
        ]

    async def _send(self, chat_id: int, text: str, keyboard: Keyboard | None, claim: Claim) -> int:
        """One message, retried through flood control, timeouts and server errors.

        Raises Migrated or Unreachable for the caller to act on, SendError to give up,
        LeaseLost when this replica may no longer send what it claimed, _Gone when this
        claim is no longer its own.
        """
        floods = 0
        failures = 0
        while True:
            # Each attempt is confirmed, just before its turn: a stall after the answer
            # repeats only this send. Before the turn, not between it and the request, so
            # that the database's answer time never bunches sends the pacer spaced evenly.
            await self._confirm(chat_id, claim)
            await self._pacer.acquire(chat_id)
            try:
                return await self._sender.send(chat_id, text, keyboard)
            except Flood as error:
                floods += 1
                if floods > MAX_RETRY_AFTER:
                    raise
                self._pacer.pause(error.retry_after, chat_id)
            except Transient:
                if failures >= len(self._retry_delays):
                    raise
                await asyncio.sleep(self._retry_delays[failures])
                failures += 1

    async def _confirm(self, chat_id: int, claim: Claim) -> None:
        """Raise LeaseLost unless the claim may be sent now: this process has not given it
        up, and the database says its rows are still this replica's, under a lease valid
        by the database's clock. When the lease is not, everything this replica holds may
        be another's: it forfeits, and gives it all back at its next beat."""
        lease, confirmations = self._lease, self._confirmations
        if lease is None or confirmations is None:
            return
        if not lease.holds(claim.generation):
            raise LeaseLost("this replica gave up this claim")
        answer = await confirmations.ask(tuple((b, chat_id) for b in claim.brief_ids))
        if answer is Confirmation.LOST:
            lease.forfeit("lost its lease")
            raise LeaseLost("this replica lost its lease")
        if answer is Confirmation.GONE:
            raise _Gone

    async def close(self) -> None:
        await self._sender.close()
