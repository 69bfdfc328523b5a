"""Which time zones and times of day the bot takes: for DEFAULT_TIMEZONE and
DEFAULT_DELIVERY_TIME (bot/config/delivery.py) as for a reader's /subscribe
(bot/core/subscriptions/), so that both accept the same. Here, below the core, because the
settings are read before anything else is built.
"""

from __future__ import annotations

import re
from datetime import time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_CLOCK = re.compile(r"(\d{1,2})[:.h](\d{2})")
# The areas of IANA's region names (Area/Location, as its zone1970.tab lists them). A new
# subscription and DEFAULT_TIMEZONE take only those, and UTC (the default): not
# `localtime` (the host's own setting, another zone on the next host), `Factory` (no place
# at all), `posixrules`, nor the old aliases outside the areas (US/Eastern, Japan, EST5EDT),
# which distributions now move to optional packages (Debian's tzdata-legacy), so that a
# name accepted today can be gone after an upgrade. Paths are never names.
REGION_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
# Where a subscriber whose stored zone this host can no longer load is moved.
FALLBACK_ZONE = "UTC"


def parse_clock(text: str) -> time | None:
    """`7:30`, `07:30`, `7.30` or `7h30` as a time of day; None if it is not one."""
    match = _CLOCK.fullmatch(text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return time(int(match[1]), int(match[2]))


def loadable_zone(name: str) -> ZoneInfo | None:
    """The zone by that name, or None when this host cannot load it (any more): a name
    stored earlier may be gone after the time zone data was upgraded or trimmed."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def is_region_zone(name: str) -> bool:
    """Whether `name`, exactly as written, is a zone new subscriptions may take."""
    return zone_names().get(name.lower()) == name


@cache
def region_zones() -> tuple[str, ...]:
    """The names a subscription may take (REGION_AREAS), built on first use (not at import)."""
    regions = (n for n in available_timezones() if n.split("/", 1)[0] in REGION_AREAS)
    return (FALLBACK_ZONE, *sorted(n for n in regions if "/" in n))


@cache
def zone_names() -> dict[str, str]:
    """Lower-cased name → the name."""
    return {name.lower(): name for name in region_zones()}
