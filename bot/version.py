"""Which briefbot this is: the installed package's version, read from its metadata here and
nowhere else (`briefbot --version`, the start-up log line, /metrics' build info)."""

from __future__ import annotations

import platform
from functools import cache
from importlib import metadata


@cache
def briefbot_version() -> str:
    """The version `pip install` recorded, as pyproject.toml gives it."""
    try:
        return metadata.version("briefbot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def python_version() -> str:
    """The Python the bot runs on, e.g. 3.12.11."""
    return platform.python_version()
