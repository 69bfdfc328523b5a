"""Flood control: a chat sending faster than a reader can read has its excess dropped.

The gate judges; its handler (bot/telegram/limits/flood_handler.py) runs first, in a handler group
of its own (bot/app.py), so an excess update costs one dictionary look-up and never
reaches storage or the budget for sends. PTB hands every
update to a task of its own and lets `concurrent_updates` of them run at once, in the
order they came; a dropped update gives its place back at once, so a flood of thousands
passes through in a moment and the next reader's update is handled right after it, while
the few let through wait in their chat's own turn for sending (bot/core/budget/pacing.py).

Each chat has a token bucket: a short burst, then a few updates a second. The first update
dropped in a burst gets one "slow down" answer; the others get none until the chat has
been quiet long enough to have its whole burst back. A dropped button press after that
one is left unanswered: the client stops its spinner by itself after a few seconds, and
answering each would turn a flood of presses into as many requests of ours.

A chat whose replies already wait their turn for more than MAX_BACKLOG seconds is treated
as over its allowance too: a reply cut into several messages costs more of the chat's
sending turns than it took from its bucket, and those waiting replies hold their places
among the updates handled at once.

An admin's paste arrives as many messages within a moment (a client cuts a long text into
pieces of 4096 characters, up to 256 for the largest upload) and no piece is answered on
its own: an admin's plain text and files in a private chat have an allowance of their own,
UPLOAD_BURST pieces at once, still bounded.

A user counts as well as a chat: a message or press in a group spends the chat's bucket and
the user's own (USER_BURST, USER_PER_SECOND: two chats' worth, so a reader tapping buttons
in a group and in the private chat at once is never held up). Without it one account in 60
groups had a burst in each, 360 replies at once, and every reader waited behind them for
the one sending budget. A message sent on behalf of a channel or group (`sender_chat`)
counts against that chat, not the anonymous account Telegram names as its author (shared by
every such message in every group). In a private chat the chat is the user: one bucket.
Channel posts and updates with no user count as before. The first update the user's bucket
drops is warned about in the chat it came from, once a burst for the user across all chats.

Inline queries (`@bot words`) come while a user types, each new letter a new query (the
client waits for a pause, but not long): they spend a bucket of their own, per user, with
a larger burst, and what goes over it is dropped without a word. An unanswered inline
query only leaves the user's result list as it was; a warning would have no chat to go to.

The buckets are kept in memory, per process: one per chat and one per user sending right
now (a user's bucket is pruned as a chat's is, once full again, so memory follows the
number of senders of the last few seconds, bounded as before). After a restart every chat
and user starts with its whole burst, which a flooder gets once more: harmless. With
several replicas (webhook mode behind a load balancer) each counts only the updates it
receives, so a flooding chat may get one burst per replica, and a user one user's burst per
replica; but the backlog a chat's replies wait is read from the chat's one turn all replicas
share (bot/core/budget/shared.py), so past MAX_BACKLOG each replica drops it once it has answered
it (a replica learns the shared turn when it asks for it). Updates still unread are dropped
early (bot/telegram/limits/early.py) by their chat's bucket only; a user's bucket judges them once
read, which costs the reading of a few hundred updates, not their sending.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import Enum

BURST = 6  # a reader tapping Facts, Sources and Narratives in a row is well inside it
PER_SECOND = 2.0
UPLOAD_BURST = 300  # a paste up to the upload limit is at most 256 pieces
UPLOAD_PER_SECOND = 20.0
INLINE_BURST = 20  # a title typed letter by letter, then a page or two scrolled
INLINE_PER_SECOND = 4.0
USER_BURST = 2 * BURST  # per user across chats: an honest reader in a couple of chats at once
USER_PER_SECOND = 2 * PER_SECOND
MAX_BACKLOG = 3.0  # seconds a chat's replies may already wait for its turn
_PRUNE_ABOVE = 4096


class Allowance(Enum):
    """Which of a sender's buckets an update spends."""

    CHAT = "chat"  # messages and button presses, per chat
    UPLOAD = "upload"  # an admin's paste or files in a private chat
    INLINE = "inline"  # inline queries, per user
    USER = "user"  # messages and button presses, per user across every chat


SenderKey = tuple[int, Allowance]


@dataclass(frozen=True, slots=True)
class Arrival:
    """What the gate reads of an update, as the adapter found it (bot/telegram/limits/
    flood_handler.py): plain ids, so that the gate judges any chat app's updates."""

    # The chat whose allowance a message or button press spends (a press on a message too
    # old for Telegram to name its chat: its user); None for every other update.
    chat: int | None = None
    # Who it counts against besides its chat: the chat a message was sent on behalf of,
    # else its user (for an inline query, who typed it); None when no one is named.
    user: int | None = None
    inline: bool = False  # an inline query: spends `user`'s inline allowance alone
    # Who sent plain text (not a command) or a file in a private chat: an upload when an admin.
    pasted_by: int | None = None


class Verdict(Enum):
    PASS = "pass"
    WARN = "warn"  # dropped, and the chat is told once to slow down
    DROP = "drop"


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


class FloodGate:
    def __init__(
        self,
        admin_ids: Collection[int],
        backlog: Callable[[int], float],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._admins = frozenset(admin_ids)
        self._backlog = backlog
        self._clock = clock
        self._buckets: dict[SenderKey, _Bucket] = {}
        self._prune_at = _PRUNE_ABOVE

    def judge(self, arrival: Arrival) -> Verdict:
        senders = self._senders(arrival)
        if not senders:
            return Verdict.PASS  # membership changes and the like: rare, and must not be lost
        now = self._clock()
        buckets = [(sender, self._refilled(sender, now)) for sender in senders]
        for (key, allowance), bucket in buckets:
            # Pieces of a paste are not answered one by one, inline answers are no messages,
            # and a user's replies wait in their chats' turns: none builds a backlog here.
            backlogged = allowance is Allowance.CHAT and self._backlog(key) > MAX_BACKLOG
            if bucket.tokens < 1 or backlogged:
                return _refuse(allowance, bucket)
        for _, bucket in buckets:
            bucket.tokens -= 1  # spent only once every bucket let the update through
        return Verdict.PASS

    def _refilled(self, sender: SenderKey, now: float) -> _Bucket:
        burst, rate = _allowance(sender[1])
        bucket = self._buckets.get(sender)
        if bucket is None:
            if len(self._buckets) >= self._prune_at:
                self._prune(now)
            bucket = self._buckets[sender] = _Bucket(float(burst), now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.stamp) * rate)
        bucket.stamp = now
        if bucket.tokens >= burst:
            bucket.warned = False  # quiet long enough: a new burst, with its own warning
        return bucket

    def drops_silently(self, sender: SenderKey | None) -> bool:
        """Whether `judge` would drop the next update of (chat, allowance) without a word;
        for updates still unread (bot/telegram/limits/early.py). Spends nothing."""
        bucket = None if sender is None else self._buckets.get(sender)
        if sender is None or bucket is None:
            return False
        chat_id, allowance = sender
        if not bucket.warned and allowance is not Allowance.INLINE:
            return False
        burst, rate = _allowance(allowance)
        tokens = min(burst, bucket.tokens + (self._clock() - bucket.stamp) * rate)
        if tokens >= burst:
            return False  # a new burst: judged, and warned again if need be
        chat_turns = allowance is Allowance.CHAT
        return tokens < 1 or (chat_turns and self._backlog(chat_id) > MAX_BACKLOG)

    @property
    def admins(self) -> frozenset[int]:
        return self._admins

    @property
    def tracked_chats(self) -> int:
        return len(self._buckets)

    def _senders(self, arrival: Arrival) -> list[SenderKey]:
        """The buckets an update spends: its chat's (an admin's upload has its own) and its
        user's, the user's alone for inline queries; none for updates always let through."""
        if arrival.inline:
            return [] if arrival.user is None else [(arrival.user, Allowance.INLINE)]
        key = arrival.chat
        if key is None:
            return []
        if arrival.pasted_by is not None and arrival.pasted_by in self._admins:
            return [(key, Allowance.UPLOAD)]
        user = arrival.user
        if user is None or user == key:
            return [(key, Allowance.CHAT)]
        return [(user, Allowance.USER), (key, Allowance.CHAT)]

    def _prune(self, now: float) -> None:
        # A bucket full again is as good as a new one: only chats sending right now stay.
        def refilled(key: SenderKey, bucket: _Bucket) -> bool:
            burst, rate = _allowance(key[1])
            return bucket.tokens + (now - bucket.stamp) * rate >= burst

        self._buckets = {
            key: bucket for key, bucket in self._buckets.items() if not refilled(key, bucket)
        }
        self._prune_at = max(_PRUNE_ABOVE, 2 * len(self._buckets))


_ALLOWANCES = {
    Allowance.CHAT: (BURST, PER_SECOND),
    Allowance.UPLOAD: (UPLOAD_BURST, UPLOAD_PER_SECOND),
    Allowance.INLINE: (INLINE_BURST, INLINE_PER_SECOND),
    Allowance.USER: (USER_BURST, USER_PER_SECOND),
}


def _refuse(allowance: Allowance, bucket: _Bucket) -> Verdict:
    """An update over the allowance of `bucket`: warned about once a burst, else dropped."""
    if bucket.warned or allowance is Allowance.INLINE:
        return Verdict.DROP
    bucket.warned = True
    return Verdict.WARN


def _allowance(allowance: Allowance) -> tuple[int, float]:
    """A bucket's burst and its refill per second."""
    return _ALLOWANCES[allowance]
