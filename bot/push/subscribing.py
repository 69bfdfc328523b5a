"""What `/subscribe` and `/settings` mean, apart from Telegram: parsing and the next due time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from bot.push.timing import ZoneUnknown, looks_like_clock, next_due, parse_clock, resolve_zone, zone
from storage import Storage, Subscriber

# The choices /settings offers as buttons; any other time or zone goes through /subscribe.
SETTINGS_TIMES = (time(6, 0), time(7, 0), time(8, 0), time(9, 0), time(12, 0), time(18, 0))
SETTINGS_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)


@dataclass(frozen=True, slots=True)
class Request:
    delivery_time: time
    timezone: str


@dataclass(frozen=True, slots=True)
class BadTime:
    text: str


@dataclass(frozen=True, slots=True)
class BadZone:
    """An unknown zone; `clock` is the time already read, for the suggested commands."""

    text: str
    suggestions: tuple[str, ...]
    clock: time


def parse_request(
    args: list[str], *, default_time: time, default_zone: str
) -> Request | BadTime | BadZone:
    """`[HH:MM] [time zone]`, each optional; the zone may be several words (`new york`)."""
    rest = list(args)
    clock = default_time
    if rest and looks_like_clock(rest[0]):
        parsed = parse_clock(rest[0])
        if parsed is None:
            return BadTime(rest[0][:16])
        clock = parsed
        rest = rest[1:]
    if not rest:
        return Request(clock, default_zone)
    typed = " ".join(rest)[:64]
    found = resolve_zone(typed)
    if isinstance(found, ZoneUnknown):
        return BadZone(typed, found.suggestions, clock)
    return Request(clock, found.name)


async def subscribe(
    storage: Storage, chat_id: int, request: Request, *, now: datetime
) -> Subscriber:
    due = next_due(request.delivery_time, zone(request.timezone), now)
    return await storage.subscribers.subscribe(
        chat_id,
        delivery_time=request.delivery_time,
        timezone=request.timezone,
        next_due_at=due,
        at=now,
    )


def local_due(subscriber: Subscriber) -> datetime:
    """The next delivery as the subscriber's clocks will show it."""
    return subscriber.next_due_at.astimezone(zone(subscriber.timezone))
