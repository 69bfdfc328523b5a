"""A PostgreSQL URL as it may be printed: its passwords hidden, however it is written.

libpq and asyncpg take a password in the user info (`user:password@host`) and in the
query (`?password=`, and `?sslpassword=` for the client key), names in any letter case
and percent-encoded. An operator may also write the URL wrongly (a `#` or `/` in the
password not percent-encoded, several hosts, an IPv6 address in brackets): the URL is not
parsed as one (urlsplit raises on `h1:5432,h2:5433`), only cut where a password may
stand, so that nothing written there is ever shown and nothing here ever raises.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

HIDDEN = "***"
_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
# Where a query parameter's value ends; ';' too, which some parsers also split on.
_PARAMETER = re.compile(r"([^&;=]*)(=?)([^&;]*)")


def redacted(url: str) -> str:
    """The URL with every password replaced by ***; any text at all is accepted."""
    scheme, separator, rest = url.partition("://") if "://" in url else ("", "", url)
    # The user info ends at the last @: a password holding an @ not percent-encoded is
    # hidden whole (a rare @ in the query hides the host too: better than a password).
    userinfo, at, after = rest.rpartition("@")
    if at:
        user, colon, _password = userinfo.partition(":")
        rest = f"{user}:{HIDDEN}@{after}" if colon else rest
    before, question, query = rest.partition("?")
    if question:
        rest = f"{before}?{_PARAMETER.sub(_hide_secret_value, query)}"
    return f"{scheme}{separator}{rest}"


def _hide_secret_value(match: re.Match[str]) -> str:
    name, equals, value = match.groups()
    if equals and value and unquote(name).strip().lower() in _SECRET_PARAMETERS:
        return f"{name}={HIDDEN}"
    return match[0]


def secrets(url: str) -> list[str]:
    """Every password written in the URL, as written and as decoded: for hiding in texts
    that quote a piece of the URL (asyncpg's own error for a URL it cannot parse)."""
    found = []
    _scheme, _separator, rest = url.partition("://") if "://" in url else ("", "", url)
    userinfo, at, _after = rest.rpartition("@")
    if at and ":" in userinfo:
        found.append(userinfo.partition(":")[2])
    for name, equals, value in _PARAMETER.findall(rest.partition("?")[2]):
        if equals and unquote(name).strip().lower() in _SECRET_PARAMETERS:
            found.append(value)
    return [text for secret in found if secret for text in {secret, unquote(secret)}]


# A quoted piece sharing this many characters in a row with a password is hidden whole.
SHARED_RUN = 4


def scrubbed(text: str, url: str) -> str:
    """`text` with every password of `url` hidden, and any quoted piece that holds part of
    one: asyncpg quotes what it could not parse, which for a `#` in a password is the part
    before it, and for a `?` the part after it running on into the host."""
    hidden = secrets(url)
    for secret in sorted(hidden, key=len, reverse=True):
        text = text.replace(secret, HIDDEN)

    def quoted(match: re.Match[str]) -> str:
        return HIDDEN if any(_overlaps(match[2], secret) for secret in hidden) else match[0]

    return re.sub(r"(['\"])([^'\"]+)\1", quoted, text)


def _overlaps(piece: str, secret: str) -> bool:
    """Whether `piece` is inside `secret`, or shares SHARED_RUN characters in a row with it
    (the whole secret, when it is shorter): a piece may start inside a password and end
    outside it. A piece as short as a run may be hidden needlessly, never shown wrongly."""
    if piece in secret:
        return True
    run = min(SHARED_RUN, len(secret))
    return any(secret[i : i + run] in piece for i in range(len(secret) - run + 1))
