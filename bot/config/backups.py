"""BACKUP_DIR and BACKUP_KEEP: the daily backup (bot/core/backups.py)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bot.config.errors import ConfigError, quoted
from bot.config.numbers import whole_number

BACKUP_KEEP_DEFAULT = 7


def backup_dir(env: Mapping[str, str]) -> Path | None:
    raw = env.get("BACKUP_DIR", "").strip()
    if not raw:
        return None
    folder = Path(raw)
    if not folder.is_dir():
        raise ConfigError(
            f"BACKUP_DIR must be an existing folder for the daily backups, got {quoted(raw)}: "
            "create it, or leave BACKUP_DIR empty for no daily backup"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(
            f"BACKUP_DIR {quoted(raw)} cannot be written by this user (uid {os.getuid()}): "
            "change its owner or permissions"
        )
    return folder


def backup_keep(env: Mapping[str, str]) -> int:
    raw = env.get("BACKUP_KEEP", "").strip()
    if not raw:
        return BACKUP_KEEP_DEFAULT
    keep = whole_number(raw)
    if keep is None or keep < 1:
        raise ConfigError(
            f"BACKUP_KEEP must be how many daily backups to keep, 1 or more, got {quoted(raw)}"
        )
    return keep
