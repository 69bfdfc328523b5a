"""Numbers in settings: the digits 0-9 and nothing else.

`str.isdigit()` is true of a superscript two (U+00B2) and of Arabic-Indic digits (U+0661),
and `int()` reads the latter and `1_000` but not the former: a check with the one and a
conversion with the other let some values through as numbers nobody typed, and ended
others in a bare ValueError. Every number a
setting holds, ports inside URLs included, is read here; anything else is refused with
one line naming the setting.
"""

from __future__ import annotations

import re

from bot.config.errors import ConfigError

# At most 18 digits: every id Telegram gives fits, and int() never refuses it (Python
# limits int() to 4300 digits, with a ValueError of its own).
_WHOLE = re.compile(r"[0-9]{1,18}")
_DECIMAL = re.compile(r"[0-9]{1,18}(\.[0-9]{0,18})?|\.[0-9]{1,18}")
_PORT = re.compile(r"[0-9]{1,5}")


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
    after_user = url.partition("://")[2].rpartition("@")[2]
    hosts = re.split(r"[/?#]", after_user, maxsplit=1)[0]
    for host in hosts.split(","):
        # An IPv6 address is in brackets, its colons before the port's.
        _, colon, port = host.rpartition("]")[2].partition(":")
        if not colon or not port:
            continue
        if not _PORT.fullmatch(port) or not 1 <= int(port) <= 65535:
            raise ConfigError(
                f"{name} has a port that is not a whole number from 1 to 65535 (a password "
                "holding # / ? @ [ or ] must be percent-encoded: %23 %2F %3F %40 %5B %5D)"
            )
