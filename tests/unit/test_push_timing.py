"""When subscribers are due: every rule checked against chosen instants (an injected clock)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config.zones import is_region_zone, parse_clock
from bot.core.subscriptions.timing import (
    ZoneFound,
    ZoneUnknown,
    local_instant,
    looks_like_clock,
    next_due,
    resolve_zone,
    zone,
)

BERLIN = zone("Europe/Berlin")
NEW_YORK = zone("America/New_York")


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_a_morning_time_is_due_later_the_same_day() -> None:
    assert next_due(time(7, 30), BERLIN, utc(2026, 1, 15, 5, 0)) == utc(2026, 1, 15, 6, 30)


def test_a_time_already_past_today_is_due_tomorrow() -> None:
    assert next_due(time(7, 30), BERLIN, utc(2026, 1, 15, 6, 31)) == utc(2026, 1, 16, 6, 30)


def test_the_same_clock_time_moves_in_utc_with_summer_time() -> None:
    assert next_due(time(7, 30), BERLIN, utc(2026, 7, 15, 0, 0)) == utc(2026, 7, 15, 5, 30)
    assert next_due(time(8, 0), NEW_YORK, utc(2026, 1, 15, 0, 0)) == utc(2026, 1, 15, 13, 0)
    assert next_due(time(8, 0), NEW_YORK, utc(2026, 7, 15, 0, 0)) == utc(2026, 7, 15, 12, 0)


def test_a_zone_west_of_utc_can_be_due_on_the_next_utc_day() -> None:
    # 22:00 in New York on 15 January is 03:00 UTC on the 16th.
    assert next_due(time(22, 0), NEW_YORK, utc(2026, 1, 15, 12, 0)) == utc(2026, 1, 16, 3, 0)


def test_a_time_skipped_by_spring_forward_is_delivered_at_the_next_valid_minute() -> None:
    # Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
    assert local_instant(date(2026, 3, 29), time(2, 30), BERLIN) == utc(2026, 3, 29, 1, 0)
    assert next_due(time(2, 30), BERLIN, utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 1, 0)
    # New York, 8 March 2026: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
    assert next_due(time(2, 15), NEW_YORK, utc(2026, 3, 8, 0, 0)) == utc(2026, 3, 8, 7, 0)


def test_after_the_gap_day_the_normal_time_returns() -> None:
    delivered = utc(2026, 3, 29, 1, 0, 2)
    assert next_due(time(2, 30), BERLIN, delivered) == utc(2026, 3, 30, 0, 30)


def test_a_time_repeated_in_autumn_is_due_once_at_its_first_occurrence() -> None:
    # Berlin, 25 October 2026: 02:00-03:00 happens twice (CEST at 00:xx UTC, CET at 01:xx).
    first = next_due(time(2, 30), BERLIN, utc(2026, 10, 24, 12, 0))
    assert first == utc(2026, 10, 25, 0, 30)
    after_delivery = next_due(time(2, 30), BERLIN, first + timedelta(seconds=3))
    assert after_delivery == utc(2026, 10, 26, 1, 30)


def test_a_bot_down_at_the_time_catches_up_once_when_it_starts() -> None:
    # Due at 08:00 UTC on the 15th, the bot starts at 10:00 on the 17th: the stored due time
    # is in the past, so the subscriber is due now; the delivery then schedules the 18th,
    # not the missed 16th and 17th.
    missed = next_due(time(8, 0), zone("UTC"), utc(2026, 1, 14, 9, 0))
    start = utc(2026, 1, 17, 10, 0)
    assert missed <= start
    assert next_due(time(8, 0), zone("UTC"), start) == utc(2026, 1, 18, 8, 0)


def test_a_bot_down_at_the_time_catches_up_the_same_day() -> None:
    # Down over Berlin's 07:30, up again at 11:00 local: still due today, and only once today.
    due = next_due(time(7, 30), BERLIN, utc(2026, 5, 4, 20, 0))
    restart = utc(2026, 5, 5, 9, 0)
    assert due < restart
    assert due.astimezone(BERLIN).date() == restart.astimezone(BERLIN).date()
    assert next_due(time(7, 30), BERLIN, restart).astimezone(BERLIN).date() == date(2026, 5, 6)


@pytest.mark.parametrize(
    "name", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia", "UTC"]
)
@pytest.mark.parametrize("clock", [time(0, 0), time(1, 30), time(2, 30), time(8, 0), time(23, 59)])
def test_a_simulated_year_delivers_once_every_local_day(name: str, clock: time) -> None:
    """Deliver at each due instant for a year (2011 includes Samoa's skipped day)."""
    tz = zone(name)
    for year in (2011, 2026):
        start = utc(year, 1, 1, 12, 0)
        now = start
        days: list[date] = []
        moved = 0
        while now < utc(year + 1, 1, 1, 0, 0):
            due = next_due(clock, tz, now)
            local = due.astimezone(tz)
            days.append(local.date())
            moved += local.time() != clock
            now = due + timedelta(seconds=1)
        assert len(days) == len(set(days)), "a local day was delivered twice"
        assert moved <= 1, "only a spring-forward gap may move the time"
        gaps = [b - a for a, b in itertools.pairwise(days)]
        assert all(g <= timedelta(days=2) for g in gaps)
        assert sum(1 for g in gaps if g == timedelta(days=2)) <= 1  # Samoa's missing 30 Dec


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(
        ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
    ),
    clock=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    after=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 1, 1)),
)
def test_next_due_is_the_first_matching_instant_after(
    name: str, clock: time, after: datetime
) -> None:
    tz = zone(name)
    after = after.replace(tzinfo=UTC)
    due = next_due(clock, tz, after)
    assert after < due <= after + timedelta(days=1, hours=2)
    local = due.astimezone(tz)
    if local.time().replace(second=0) != clock:
        # Only a gap moves the time, and only forward to the minute the gap ends.
        before = (due - timedelta(minutes=1)).astimezone(tz)
        assert before.utcoffset() != local.utcoffset()
    # Asking again a moment earlier gives the same answer: the schedule is stable.
    assert next_due(clock, tz, due - timedelta(microseconds=1)) == due


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("utc", "UTC"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_zone_names_resolve_when_unambiguous(typed: str, expected: str) -> None:
    assert resolve_zone(typed) == ZoneFound(expected)


def test_an_unknown_zone_gets_suggestions() -> None:
    found = resolve_zone("berlinn")
    assert isinstance(found, ZoneUnknown)
    assert found.suggestions[0] == "Europe/Berlin"
    paris = resolve_zone("paris france")
    assert isinstance(paris, ZoneUnknown)
    assert "Europe/Paris" in paris.suggestions


def test_nonsense_gets_no_suggestions() -> None:
    assert resolve_zone("qqqqzzzz") == ZoneUnknown(())


@pytest.mark.parametrize(
    ("text", "expected"),
    [("07:30", time(7, 30)), ("7:30", time(7, 30)), ("7.05", time(7, 5)), ("23:59", time(23, 59))],
)
def test_clock_times_parse(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["24:00", "7:60", "7", "seven", "07:3", ""])
def test_malformed_clock_times_are_refused(text: str) -> None:
    assert parse_clock(text) is None


def test_a_malformed_time_is_still_recognised_as_a_time() -> None:
    assert looks_like_clock("25:00")
    assert looks_like_clock("7")
    assert not looks_like_clock("berlin")


@pytest.mark.parametrize(
    ("name", "region"),
    [
        ("UTC", True),
        ("Europe/Berlin", True),
        ("America/Argentina/Buenos_Aires", True),
        ("localtime", False),
        ("Factory", False),
        ("posixrules", False),
        ("US/Eastern", False),
        ("Etc/GMT+5", False),
        ("/usr/share/zoneinfo/Europe/Berlin", False),
        ("Europe/../Europe/Berlin", False),
        ("europe/berlin", False),  # a setting is written exactly; /subscribe forgives case
    ],
)
def test_only_region_zones_and_utc_may_be_chosen(name: str, region: bool) -> None:
    assert is_region_zone(name) is region
    assert isinstance(resolve_zone(name), ZoneFound) is (region or name == "europe/berlin")


@pytest.mark.parametrize(
    ("alias", "region"),
    [("US/Eastern", "America/New_York"), ("japan", "Asia/Tokyo"), ("GB", "Europe/London")],
)
def test_an_old_alias_is_refused_with_its_region_name_first(alias: str, region: str) -> None:
    found = resolve_zone(alias)
    assert isinstance(found, ZoneUnknown)
    assert found.suggestions[0] == region
