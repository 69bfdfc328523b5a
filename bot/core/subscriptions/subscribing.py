"""What `/subscribe` and `/settings` mean, apart from Telegram: parsing and the next due time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from bot.config.zones import FALLBACK_ZONE, loadable_zone, parse_clock
from bot.core.chat import SettingsChoice
from bot.core.subscriptions.timing import (
    ZoneUnknown,
    looks_like_clock,
    next_due,
    resolve_zone,
    zone,
)
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
    current = await storage.subscribers.get(chat_id)
    if (
        current is not None
        and current.active
        and not current.blocked
        and (current.delivery_time, current.timezone) == (request.delivery_time, request.timezone)
    ):
        # Nothing changes: a delivery still owed (say, the bot was down) stays owed.
        return current
    due = next_due(request.delivery_time, zone(request.timezone), now)
    return await storage.subscribers.subscribe(
        chat_id,
        delivery_time=request.delivery_time,
        timezone=request.timezone,
        next_due_at=due,
        at=now,
    )


def settings_request(
    current: Subscriber | None, press: SettingsChoice, *, defaults: Request
) -> Request | None:
    """What a press under /settings asks for: the subscription to keep, or None to stop.

    A button changes one half of a live subscription and keeps the other; a chat not
    subscribed starts from the configured defaults.
    """
    if press.step == "off":
        return None
    live = current is not None and current.active
    base = Request(current.delivery_time, kept_zone(current)) if live and current else defaults
    if press.clock is not None:
        return Request(press.clock, base.timezone)
    if press.zone_index is not None:
        return Request(base.delivery_time, SETTINGS_ZONES[press.zone_index])
    return base


async def change_settings(
    storage: Storage, chat_id: int, press: SettingsChoice, *, defaults: Request, now: datetime
) -> Subscriber | None:
    """Apply a press under /settings (see settings_request); the chat's subscription after it."""
    current = await storage.subscribers.get(chat_id)
    wanted = settings_request(current, press, defaults=defaults)
    if wanted is None:
        await storage.subscribers.unsubscribe(chat_id)
        return await storage.subscribers.get(chat_id)
    return await subscribe(storage, chat_id, wanted, now=now)


def local_due(subscriber: Subscriber) -> datetime:
    """The next delivery as the subscriber's clocks will show it."""
    return subscriber.next_due_at.astimezone(zone(kept_zone(subscriber)))


def kept_zone(subscriber: Subscriber) -> str:
    """The subscriber's zone, or FALLBACK_ZONE when this host can no longer load the one
    stored (the daily push moves it there: bot/core/push/daily.py)."""
    return subscriber.timezone if loadable_zone(subscriber.timezone) else FALLBACK_ZONE
