"""The one error a setting can raise."""

from __future__ import annotations


class ConfigError(ValueError):
    """A missing or malformed setting; the message names the variable and what to change."""
