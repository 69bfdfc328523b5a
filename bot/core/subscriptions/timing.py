"""When a subscriber is due: local clock times in IANA zones, as UTC instants.

Pure functions of their arguments (no clock is read here), so every rule can be tested
against any instant: daylight-saving gaps and repeats, and catching up after downtime.
Which zones and times of day are taken at all is bot/config/zones.py, which the settings
read too.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from bot.config.zones import is_region_zone, loadable_zone, region_zones, zone_names


def utc_now() -> datetime:
    """Now, in UTC: the clock services take unless a test gives them another."""
    return datetime.now(UTC)


# A gap is an hour at most today; a whole skipped day (Samoa, 2011) is the worst on record.
_MAX_GAP_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class ZoneFound:
    name: str


@dataclass(frozen=True, slots=True)
class ZoneUnknown:
    """No zone by that name; `suggestions` are the closest names, best first (maybe none)."""

    suggestions: tuple[str, ...]


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant the clocks in `zone` show `at` on `day`.

    A time skipped by a spring-forward gap becomes the first minute after the gap; a time
    repeated in autumn means its first occurrence (fold=0), so it is due once. None when the
    gap runs past the end of the day (Samoa skipped 30 December 2011 whole): that day has
    no such time, and the next day's delivery carries everything since the previous one.
    """
    wall = datetime.combine(day, at.replace(second=0, microsecond=0, tzinfo=None))
    for minutes in range(_MAX_GAP_MINUTES + 1):
        moment = wall + timedelta(minutes=minutes)
        if moment.date() != day:
            return None
        candidate = moment.replace(tzinfo=zone)
        if _exists(candidate):
            return candidate.astimezone(UTC)
    return None


def next_due(at: time, zone: ZoneInfo, after: datetime) -> datetime:
    """The first instant strictly after `after` at which it is `at` o'clock in `zone`.

    Called with the moment of a delivery, it skips the second pass through a repeated hour
    and the rest of a day missed while the bot was down: each local day is due once.
    """
    after_utc = after.astimezone(UTC)
    today = after_utc.astimezone(zone).date()
    candidates = (local_instant(today + timedelta(days=d), at, zone) for d in range(-1, 4))
    return min(c for c in candidates if c is not None and c > after_utc)


def resolve_zone(text: str) -> ZoneFound | ZoneUnknown:
    """An IANA name from what a reader typed: `Europe/Berlin`, `berlin`, `new york`, `utc`."""
    key = _normalise(text)
    names = zone_names()
    if key in names:
        return ZoneFound(names[key])
    cities = _cities().get(key, ())
    if cities and _same_clock(cities):
        # Links such as America/Buenos_Aires → America/Argentina/Buenos_Aires keep the same
        # clocks; the longer, regional name is the canonical one.
        return ZoneFound(max(cities, key=len))
    if cities:
        return ZoneUnknown(tuple(sorted(cities)))
    same = _region_for_alias().get(key)
    if same is not None:  # an old alias (US/Eastern): its region name says the same
        return ZoneUnknown((same, *(s for s in _suggestions(key) if s != same))[:5])
    return ZoneUnknown(_suggestions(key))


def looks_like_clock(text: str) -> bool:
    """Whether the reader meant a time (valid or not), so it is not taken for a zone."""
    return bool(re.fullmatch(r"\d{1,2}([:.h]\d*)?", text.strip()))


def zone(name: str) -> ZoneInfo:
    """The zone for a name already validated (stored or from configuration)."""
    found = loadable_zone(name)
    if found is None:
        raise ValueError(f"unknown time zone {name!r}")
    return found


def _exists(moment: datetime) -> bool:
    """Whether the wall time survives a round trip through UTC (false inside a gap)."""
    assert moment.tzinfo is not None
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def _same_clock(names: tuple[str, ...]) -> bool:
    probes = [datetime(year, month, 1, tzinfo=UTC) for year in (2000, 2026) for month in (1, 7)]
    offsets = {tuple(probe.astimezone(ZoneInfo(n)).utcoffset() for probe in probes) for n in names}
    return len(offsets) == 1


def _normalise(text: str) -> str:
    return re.sub(r"[\s_]+", "_", text.strip()).lower()


def _suggestions(key: str) -> tuple[str, ...]:
    cities = _cities()
    # "paris france": a word of it may name a city on its own.
    by_word = [name for word in key.split("_") for name in cities.get(word, ())]
    pool = {**zone_names(), **{city: min(names) for city, names in cities.items()}}
    matches = difflib.get_close_matches(key, pool, n=3, cutoff=0.6)
    return tuple(dict.fromkeys([*by_word, *(pool[m] for m in matches)]))[:5]


@cache
def _region_for_alias() -> dict[str, str]:
    """Each old alias this host still has (`us/eastern`, `japan`) → the region name whose
    rules are the very same file (`America/New_York`), built on the first unknown zone."""
    regions: dict[bytes, str] = {}
    for name in sorted(region_zones(), key=len):  # the shorter name of equals, as tzdata
        regions.setdefault(_zone_file(name), name)
    aliases = (n for n in available_timezones() if not is_region_zone(n))
    found = {alias.lower(): regions.get(_zone_file(alias), "") for alias in aliases}
    return {alias: region for alias, region in found.items() if region}


def _zone_file(name: str) -> bytes:
    """The zone's compiled rules (TZif), as zoneinfo reads them; b"" if none."""
    for root in zoneinfo.TZPATH:
        with suppress(OSError):
            return (Path(root) / name).read_bytes()
    with suppress(ImportError, OSError, ValueError):  # the tzdata package, if installed
        return resources.files("tzdata.zoneinfo").joinpath(name).read_bytes()
    return b""


@cache
def _cities() -> dict[str, tuple[str, ...]]:
    """Last part of each name (`new_york`) → the zones that end with it."""
    found: dict[str, list[str]] = {}
    for name in region_zones():
        found.setdefault(name.rsplit("/", 1)[-1].lower(), []).append(name)
    return {city: tuple(sorted(names)) for city, names in found.items()}
