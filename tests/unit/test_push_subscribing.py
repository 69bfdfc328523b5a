"""What /subscribe and the /settings buttons ask for, apart from Telegram and storage."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.core.chat import SettingsChoice
from bot.core.subscriptions.subscribing import (
    SETTINGS_ZONES,
    BadZone,
    Request,
    parse_request,
    settings_request,
)
from bot.telegram.keyboards import parse_settings_data, settings_data
from storage import Subscriber

EIGHT = time(8, 0)
DEFAULTS = Request(EIGHT, "UTC")
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def subscriber(clock: time, zone: str, *, active: bool = True) -> Subscriber:
    return Subscriber(
        chat_id=42,
        delivery_time=clock,
        timezone=zone,
        active=active,
        blocked=False,
        subscribed_at=NOW,
        next_due_at=NOW,
        last_delivered_at=None,
    )


def test_a_misspelled_zone_keeps_the_time_the_reader_gave() -> None:
    for typed in ("7.30", "7:30", "07:30", "7h30"):
        request = parse_request([typed, "Berlinn"], default_time=EIGHT, default_zone="UTC")
        assert isinstance(request, BadZone)
        assert request.clock == time(7, 30)
        assert "Europe/Berlin" in request.suggestions


def test_a_misspelled_zone_without_a_time_suggests_the_default_time() -> None:
    request = parse_request(["Berlinn"], default_time=EIGHT, default_zone="UTC")
    assert isinstance(request, BadZone)
    assert request.clock == EIGHT


def test_a_time_button_keeps_the_zone_and_a_zone_button_keeps_the_time() -> None:
    current = subscriber(time(7, 15), "Asia/Tokyo")
    berlin = str(SETTINGS_ZONES.index("Europe/Berlin"))
    assert settings_request(current, pressed("sub:time:0900"), defaults=DEFAULTS) == Request(
        time(9, 0), "Asia/Tokyo"
    )
    assert settings_request(current, pressed(f"sub:zone:{berlin}"), defaults=DEFAULTS) == Request(
        time(7, 15), "Europe/Berlin"
    )


def test_a_chat_not_subscribed_starts_from_the_configured_defaults() -> None:
    stopped = subscriber(time(7, 15), "Asia/Tokyo", active=False)
    for current in (None, stopped):
        assert settings_request(current, pressed("sub:on"), defaults=DEFAULTS) == DEFAULTS
        assert settings_request(current, pressed("sub:time:0600"), defaults=DEFAULTS) == Request(
            time(6, 0), "UTC"
        )
        assert settings_request(current, pressed("sub:zone:1"), defaults=DEFAULTS) == Request(
            EIGHT, SETTINGS_ZONES[1]
        )


def test_unsubscribe_asks_for_no_subscription() -> None:
    current = subscriber(time(7, 15), "Asia/Tokyo")
    assert settings_request(current, pressed("sub:off"), defaults=DEFAULTS) is None
    assert settings_request(None, pressed("sub:off"), defaults=DEFAULTS) is None


def test_values_from_an_old_or_forged_button_are_kept_in_range() -> None:
    current = subscriber(time(7, 15), "UTC")
    assert settings_request(current, pressed("sub:time:2975"), defaults=DEFAULTS) == Request(
        time(23, 59), "UTC"
    )
    assert settings_request(current, pressed("sub:zone:99"), defaults=DEFAULTS) == Request(
        time(7, 15), SETTINGS_ZONES[-1]
    )


def pressed(data: str) -> SettingsChoice:
    press = parse_settings_data(data)
    assert press is not None
    return press


@pytest.mark.parametrize(
    "data", ["sub:", "sub:maybe", "sub:time:9", "sub:zone:123", "brief:1:facts", ""]
)
def test_data_no_settings_button_carries_is_no_press(data: str) -> None:
    assert parse_settings_data(data) is None


def test_every_press_reads_back_from_its_own_data() -> None:
    presses = [
        SettingsChoice("on"),
        SettingsChoice("off"),
        SettingsChoice("time", clock=time(6, 30)),
        SettingsChoice("zone", zone_index=len(SETTINGS_ZONES) - 1),
    ]
    for press in presses:
        assert len(settings_data(press).encode()) <= 64
        assert parse_settings_data(settings_data(press)) == press
