"""Flood control: a chat sending faster than a reader can read has its excess dropped.

Runs first, in a handler group of its own (bot/app.py), so an excess update costs one
dictionary look-up and never reaches storage or the budget for sends. PTB hands every
update to a task of its own and lets `concurrent_updates` of them run at once, in the
order they came; a dropped update gives its place back at once, so a flood of thousands
passes through in a moment and the next reader's update is handled right after it, while
the few let through wait in their chat's own turn for sending (bot/push/pacing.py).

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

Inline queries (`@bot words`) come while a user types, each new letter a new query (the
client waits for a pause, but not long): they spend a bucket of their own, per user, with
a larger burst, and what goes over it is dropped without a word. An unanswered inline
query only leaves the user's result list as it was; a warning would have no chat to go to.

The buckets are kept in memory, per process. After a restart every chat starts with its
whole burst, which a flooder gets once more: harmless. With several replicas (webhook mode
behind a load balancer) each counts only the updates it receives, so a flooding chat may
get one burst per replica; but the backlog its replies wait is read from the chat's one
turn all replicas share (bot/push/shared.py), so past MAX_BACKLOG each replica drops it
once it has answered it (a replica learns the shared turn when it asks for it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import Enum

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.context import BotContext
from bot.scope import Outcome, mark

log = logging.getLogger(__name__)

BURST = 6  # a reader tapping Facts, Sources and Narratives in a row is well inside it
PER_SECOND = 2.0
UPLOAD_BURST = 300  # a paste up to the upload limit is at most 256 pieces
UPLOAD_PER_SECOND = 20.0
INLINE_BURST = 20  # a title typed letter by letter, then a page or two scrolled
INLINE_PER_SECOND = 4.0
MAX_BACKLOG = 3.0  # seconds a chat's replies may already wait for its turn
_PRUNE_ABOVE = 4096


class Allowance(Enum):
    """Which of a sender's buckets an update spends."""

    CHAT = "chat"  # messages and button presses, per chat
    UPLOAD = "upload"  # an admin's paste or files in a private chat
    INLINE = "inline"  # inline queries, per user


Sender = tuple[int, Allowance]


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
        self._buckets: dict[Sender, _Bucket] = {}
        self._prune_at = _PRUNE_ABOVE

    def judge(self, update: Update) -> Verdict:
        sender = self._sender(update)
        if sender is None:
            return Verdict.PASS  # membership changes and the like: rare, and must not be lost
        key, allowance = sender
        burst, rate = _allowance(allowance)
        now = self._clock()
        bucket = self._buckets.get(sender)
        if bucket is None:
            if len(self._buckets) >= self._prune_at:
                self._prune(now)
            bucket = self._buckets[sender] = _Bucket(float(burst), now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.stamp) * rate)
        bucket.stamp = now
        if bucket.tokens >= burst:
            bucket.warned = False  # quiet long enough: a new burst, with its own warning
        # Pieces of a paste are not answered one by one, and inline answers are no messages:
        # neither builds a backlog.
        if bucket.tokens >= 1 and (
            allowance is not Allowance.CHAT or self._backlog(key) <= MAX_BACKLOG
        ):
            bucket.tokens -= 1
            return Verdict.PASS
        if bucket.warned or allowance is Allowance.INLINE:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def drops_silently(self, sender: Sender | None) -> bool:
        """Whether `judge` would drop the next update of (chat, allowance) without a word;
        for updates still unread (bot/limits/early.py). Spends nothing."""
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

    def _sender(self, update: Update) -> Sender | None:
        """The bucket an update spends: its chat's (an admin's upload has its own), the
        user's for inline queries; None for updates always let through."""
        if update.inline_query is not None:
            return update.inline_query.from_user.id, Allowance.INLINE
        key = _chat(update)
        if key is None:
            return None
        return key, Allowance.UPLOAD if self._is_upload(update) else Allowance.CHAT

    def _is_upload(self, update: Update) -> bool:
        message = update.message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return False
        sender = message.from_user
        if sender is None or sender.id not in self._admins:
            return False
        text = message.text
        return message.document is not None or (text is not None and not text.startswith("/"))

    def _prune(self, now: float) -> None:
        # A bucket full again is as good as a new one: only chats sending right now stay.
        def refilled(key: Sender, bucket: _Bucket) -> bool:
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
}


def _allowance(allowance: Allowance) -> tuple[int, float]:
    """A bucket's burst and its refill per second."""
    return _ALLOWANCES[allowance]


def _chat(update: Update) -> int | None:
    """The chat whose allowance an update spends: messages and button presses only."""
    if update.message is None and update.edited_message is None and update.callback_query is None:
        return None
    chat = update.effective_chat
    if chat is not None:
        return chat.id
    user = update.effective_user  # a press on a message too old for Telegram to name its chat
    return None if user is None else user.id


def flood_handler(gate: FloodGate) -> TypeHandler[Update, BotContext, None]:
    """Registered in the earliest handler group: lets an update through or stops it."""

    async def control(update: Update, context: BotContext) -> None:
        verdict = gate.judge(update)
        if verdict is Verdict.PASS:
            return
        mark(Outcome.DROPPED)
        if verdict is Verdict.WARN:
            try:
                await _slow_down(update, context)
            except TelegramError as error:
                # A press too old to answer, a chat that blocked the bot: the update is
                # still dropped, which a raised error would not do (PTB goes on after it).
                log.info("could not ask chat to slow down: %s", error)
        raise ApplicationHandlerStop

    return TypeHandler(Update, control)


async def _slow_down(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(context.renderer.render("slow_down.txt"))
        return
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, context.renderer.render("slow_down.html"))
