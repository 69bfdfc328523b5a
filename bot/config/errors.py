"""The one error a setting can raise."""

from __future__ import annotations


class ConfigError(ValueError):
    """A missing or malformed setting; the message names the variable and what to change."""


# How much of a malformed value an error quotes: enough to recognise a typo, never a
# whole file pasted into a variable (one line stays one readable line in a log).
QUOTED_CHARS = 40


def quoted(value: str) -> str:
    """`value` as an error line quotes it: repr()'d, cut to QUOTED_CHARS with an ellipsis."""
    if len(value) <= QUOTED_CHARS:
        return repr(value)
    return f"{value[:QUOTED_CHARS]!r}…"
