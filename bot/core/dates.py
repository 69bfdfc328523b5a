# ruff: noqa: RUF002  (Cyrillic examples in the docstring)
"""Dates and times as a reader reads them: in their language's words and their own time zone.

English keeps the day-month order the bot has always written ("7 December 2026"); every
other language takes its own long date form from CLDR, through Babel ("7 de diciembre de
2026", in Ukrainian "7 грудня 2026 р.").
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates

from bot.core.languages import ReaderLocale

# English as written in Britain: day, month, year. Any other language: its own.
_CLDR_LOCALE = {"en": "en_GB"}


@lru_cache(maxsize=64)
def babel_locale(language: str) -> Locale:
    try:
        return Locale.parse(_CLDR_LOCALE.get(language, language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_GB")  # an operator's language CLDR does not know


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local(value: datetime, locale: ReaderLocale) -> datetime:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(_zone(locale.zone))


def format_date(value: datetime, locale: ReaderLocale) -> str:
    """The day, in the reader's zone and words."""
    return str(
        babel_dates.format_date(_local(value, locale), "long", babel_locale(locale.language))
    )


def format_datetime(value: datetime, locale: ReaderLocale) -> str:
    """The day and the 24-hour time, in the reader's zone and words, the zone named after."""
    local = _local(value, locale)
    cldr = babel_locale(locale.language)
    time = babel_dates.format_time(local, "HH:mm", locale=cldr)
    return _joined(cldr, format_date(value, locale), f"{time} {locale.zone}")


def format_moment(value: datetime, locale: ReaderLocale) -> str:
    """A day of the week, its date and time, as given (already in the chat's own zone):
    "Monday 7 December, 08:00", "lun, 7 de diciembre, 08:00"."""
    cldr = babel_locale(locale.language)
    day = babel_dates.format_skeleton("MMMMEEEEd", value, locale=cldr)
    return _joined(cldr, day, babel_dates.format_time(value, "HH:mm", locale=cldr))


def _joined(cldr: Locale, day: str, time: str) -> str:
    """A day and a time as the language joins them: "7 December 2026, 14:05", Arabic with
    its own comma."""
    pattern = str(babel_dates.get_datetime_format("medium", locale=cldr))
    return pattern.replace("{1}", day).replace("{0}", time)
