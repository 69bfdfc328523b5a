"""What the update being handled is about: its ids for log lines, its outcome for /metrics.

The update processor (bot/telegram/updates.py) opens a scope for each update before PTB runs its
handlers; everything that update's handlers await, and every task they start, sees the same
scope through a context variable, so a log line anywhere below carries the update's ids and
the flood gate and error handler can say how the update ended without a return value PTB
would not pass on. Outside any update (the push's scheduled runs, start-up) there is none.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import Enum


class UpdateOutcome(Enum):
    HANDLED = "handled"
    DROPPED = "dropped"  # the flood gate stopped it
    FAILED = "failed"  # a handler raised; the error handler took it


@dataclass(slots=True)
class UpdateScope:
    update_id: int | None
    chat_id: int | None
    brief_id: int | None = None
    outcome: UpdateOutcome = UpdateOutcome.HANDLED
    # Chats a request of this update's failed to reach: no apology is sent there.
    unreachable: set[int] = field(default_factory=set)


_current: ContextVar[UpdateScope | None] = ContextVar("briefbot_update", default=None)


def current() -> UpdateScope | None:
    return _current.get()


@contextmanager
def update_scope(update_id: int | None, chat_id: int | None) -> Iterator[UpdateScope]:
    """The scope of one update, for as long as its handlers run."""
    scope = UpdateScope(update_id, chat_id)
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def serving_brief(brief_id: int) -> None:
    """The update is about this brief: its log lines say so."""
    scope = _current.get()
    if scope is not None:
        scope.brief_id = brief_id


def sending_failed(chat_id: int | None) -> None:
    """A request of this update to `chat_id` failed (bot/telegram/rate_limiter.py hears them
    all)."""
    scope = _current.get()
    if scope is not None and chat_id is not None:
        scope.unreachable.add(chat_id)


def reachable(chat_id: int) -> bool:
    """Whether no request of this update to the chat has failed."""
    scope = _current.get()
    return scope is None or chat_id not in scope.unreachable


def mark(outcome: UpdateOutcome) -> None:
    """How the update ended, if not handled; the first mark stands (an update dropped by the
    flood gate is not also failed by an error in its "slow down" answer)."""
    scope = _current.get()
    if scope is not None and scope.outcome is UpdateOutcome.HANDLED:
        scope.outcome = outcome
