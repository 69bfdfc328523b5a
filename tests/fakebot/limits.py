"""Flood limits and injected failures: the ways Telegram refuses a correct request."""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakebot.errors import ApiError, MalformedAnswer, too_many_requests

SENDING_METHODS = frozenset(
    {
        "sendMessage", "sendDocument", "sendVoice", "copyMessage", "editMessageText",
        "editMessageCaption", "editMessageReplyMarkup",
    }
)  # fmt: skip


@dataclass
class RateLimits:
    """Telegram's documented flood limits; off unless ``enabled``."""

    enabled: bool = False
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20
    global_per_second: int = 30
    methods: frozenset[str] = SENDING_METHODS


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float
    stamp: float

    def wait_needed(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.per_second


class RateLimiter:
    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._buckets: dict[int | None, _Bucket] = {}
        self.refusals = 0

    def check(self, method: str, chat_id: int | None) -> None:
        """Takes one send from the chat's and the global allowance, or raises 429."""
        if not self.limits.enabled or method not in self.limits.methods:
            return
        now = time.monotonic()
        buckets = [self._bucket(None, now)]
        if chat_id is not None:
            buckets.append(self._bucket(chat_id, now))
        wait = max(bucket.wait_needed(now) for bucket in buckets)
        if wait > 0:
            self.refusals += 1
            raise too_many_requests(max(1, math.ceil(wait)))
        for bucket in buckets:
            bucket.tokens -= 1

    def _bucket(self, chat_id: int | None, now: float) -> _Bucket:
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            capacity, rate = self._allowance(chat_id)
            bucket = self._buckets[chat_id] = _Bucket(capacity, rate, capacity, now)
        return bucket

    def _allowance(self, chat_id: int | None) -> tuple[float, float]:
        limits = self.limits
        if chat_id is None:
            return float(limits.global_per_second), float(limits.global_per_second)
        if chat_id > 0:
            return float(limits.private_burst), limits.private_per_second
        return float(limits.group_per_minute), limits.group_per_minute / 60


def busiest_window(stamps: list[float], span: float = 1.0) -> int:
    """The most stamps within any `span` seconds (a window closed at its start, open at its end)."""
    ordered = sorted(stamps)
    start = most = 0
    for end, stamp in enumerate(ordered):
        while stamp - ordered[start] >= span:
            start += 1
        most = max(most, end - start + 1)
    return most


@dataclass
class Fault:
    """An injected refusal or malformed answer for ``method`` (optionally only for one chat)."""

    method: str
    error: ApiError | MalformedAnswer
    chat_id: int | None = None
    times: int | None = 1  # None: every time
    ratio: float = 1.0
    rng: random.Random = field(default_factory=random.Random)

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.method != method or self.times == 0:
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def fire(self) -> bool:
        """Whether this request is refused; spends one of ``times`` when it is."""
        if self.ratio < 1.0 and self.rng.random() >= self.ratio:
            return False
        if self.times is not None:
            self.times -= 1
        return True


@dataclass
class Delay:
    method: str
    seconds: float
    chat_id: int | None = None
    times: int | None = 1
    until: asyncio.Event | None = None  # set: the answer goes at once, the time not run out

    def take(self, method: str, chat_id: int | None) -> float:
        if self.method != method or self.times == 0:
            return 0.0
        if self.chat_id is not None and self.chat_id != chat_id:
            return 0.0
        if self.times is not None:
            self.times -= 1
        return self.seconds

    async def hold(self, seconds: float) -> None:
        if self.until is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.until.wait(), seconds)


def make_error(error_code: int, description: str, parameters: dict[str, Any] | None) -> ApiError:
    return ApiError(error_code, description, parameters)
