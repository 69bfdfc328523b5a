"""Numbers in settings: the digits 0-9 and nothing else; and the URL settings, whose ports
are numbers and whose passwords must not be misread as hosts or ports.

`str.isdigit()` is true of a superscript two (U+00B2) and of Arabic-Indic digits (U+0661),
and `int()` reads the latter and `1_000` but not the former: a check with the one and a
conversion with the other let some values through as numbers nobody typed, and ended
others in a bare ValueError. Every number a
setting holds, ports inside URLs included, is read here; anything else is refused with
one line naming the setting.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.config.errors import ConfigError

# At most 18 digits: every id Telegram gives fits, and int() never refuses it (Python
# limits int() to 4300 digits, with a ValueError of its own).
_WHOLE = re.compile(r"[0-9]{1,18}")
_DECIMAL = re.compile(r"[0-9]{1,18}(\.[0-9]{0,18})?|\.[0-9]{1,18}")
_PORT = re.compile(r"[0-9]{1,5}")
# Where an operator learns how to write a password that holds a URL's own delimiters.
ENCODE_HINT = "a password holding # / ? @ [ or ] must be percent-encoded: %23 %2F %3F %40 %5B %5D"


def whole_number(raw: str) -> int | None:
    """`raw` as a whole number written in 0-9, or None if it is not one."""
    return int(raw) if _WHOLE.fullmatch(raw) else None


def decimal_number(raw: str) -> float | None:
    """`raw` as a decimal number written in 0-9 with an optional `.`, or None."""
    return float(raw) if _DECIMAL.fullmatch(raw) else None


def check_ports(name: str, url: str) -> None:
    """Refuse a URL setting whose host has a port that is not 1-65535 in 0-9 (urllib
    raises on a superscript digit, the HTTP client reads Arabic-Indic ones as 0-9). Hosts
    may be listed with commas, as PostgreSQL's URLs allow. The user info is cut off at its
    last @, as storage.postgres.urls cuts it, not parsed: a password written with a `#`,
    `/` or `[` not percent-encoded would end urllib's host early or make it raise. What
    was taken for a port is never quoted, since in such a URL it is part of the password."""
    for host in _authority(url).split(","):
        # An IPv6 address is in brackets, its colons before the port's.
        _, colon, port = host.rpartition("]")[2].partition(":")
        if not colon or not port:
            continue
        if not _PORT.fullmatch(port) or not 1 <= int(port) <= 65535:
            raise ConfigError(
                f"{name} has a port that is not a whole number from 1 to 65535 ({ENCODE_HINT})"
            )


def check_url(name: str, url: str) -> None:
    """Refuse a URL setting that urllib and storage.postgres.urls would read differently,
    then check its ports. The HTTP client, asyncpg and PTB take a URL apart with urllib,
    which ends the host at the first # / or ? and raises on a lone [ or ]; the redaction
    cuts the user info at the last @. A password holding one of those, not percent-encoded,
    would have part of it taken for a host, a path or a fragment: the URL would be used
    wrongly and a piece of the password could be printed as something else. Nothing of the
    URL is quoted: where the two readings differ, any piece of it may be the password."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:  # a lone [ or ], or characters NFKC turns into delimiters
        raise ConfigError(f"{name} is not a URL urllib can read ({ENCODE_HINT})") from None
    if netloc.rpartition("@")[2] != _authority(url):
        raise ConfigError(
            f"{name} has a user info urllib reads differently from what it is ({ENCODE_HINT})"
        )
    check_ports(name, url)


def _authority(url: str) -> str:
    """The hosts (and ports) after the user info cut at its last @, as
    storage.postgres.urls cuts it, up to the path, query or fragment."""
    after_user = url.partition("://")[2].rpartition("@")[2]
    return re.split(r"[/?#]", after_user, maxsplit=1)[0]
