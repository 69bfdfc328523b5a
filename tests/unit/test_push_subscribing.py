"""What /subscribe and the /settings buttons ask for, apart from Telegram and storage."""

from __future__ import annotations

from datetime import time

from bot.push.subscribing import BadZone, parse_request

EIGHT = time(8, 0)


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
