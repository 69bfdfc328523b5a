"""Counting what a delivery run did, and the figures an admin's push reports as it goes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class Outcome(Enum):
    """What became of one delivery to one chat."""

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
    started: float = field(default_factory=time.monotonic)
    # Told of every count as it is made: /metrics (bot/core/metrics.py Metrics.push_run).
    on_count: Callable[[Outcome, int], None] | None = None

    def count(self, outcome: Outcome, times: int = 1) -> None:
        if outcome is Outcome.SENT:
            self.sent += times
        elif outcome is Outcome.SKIPPED:
            self.skipped += times
        else:
            self.failed += times
            self.unreachable += times if outcome is Outcome.UNREACHABLE else 0
        if self.on_count is not None:
            self.on_count(outcome, times)

    def progress(self, *, finished: bool = False) -> Progress:
        return Progress(
            total=self.total,
            sent=self.sent,
            failed=self.failed,
            skipped=self.skipped,
            elapsed=time.monotonic() - self.started,
            finished=finished,
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
