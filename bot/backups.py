"""The daily backup: a job of the running bot writing `briefbot-YYYYmmdd-HHMMSS.db` (UTC)
into BACKUP_DIR and deleting the oldest of those beyond BACKUP_KEEP.

Nothing is kept in memory: when the last backup was taken is read from the names in the
folder, so a restart neither repeats a backup nor skips one. Several replicas sharing the
folder would each take one (SQLite serves one host; one replica is the supported setup).
Only files named as this job names them are ever deleted.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.context import BotContext
from storage import BackupError

log = logging.getLogger(__name__)

CHECK_INTERVAL = timedelta(hours=1)
# A day, less half a check: checks an hour apart find the last backup 24 h old, give or
# take the milliseconds a check is late, and do not drift an hour later each day.
EVERY = timedelta(days=1) - CHECK_INTERVAL / 2
# The first check waits for the start's own work (catching up on the push) to be done.
FIRST_CHECK = timedelta(minutes=1)
_NAME = re.compile(r"briefbot-([0-9]{8}-[0-9]{6})\.db")
_STAMP = "%Y%m%d-%H%M%S"


def backup_name(at: datetime) -> str:
    return f"briefbot-{at.astimezone(UTC).strftime(_STAMP)}.db"


def taken(folder: Path) -> list[tuple[datetime, Path]]:
    """The backups this job wrote into `folder`, oldest first."""
    found = []
    for path in folder.iterdir():
        match = _NAME.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        try:
            when = datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC)
        except ValueError:  # shaped like ours, not a time (20240231): not one of ours
            continue
        found.append((when, path))
    return sorted(found)


def is_due(folder: Path, now: datetime) -> bool:
    backups = taken(folder)
    return not backups or now - backups[-1][0] >= EVERY


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest backups beyond `keep`; returns those deleted."""
    backups = taken(folder)
    doomed = [path for _, path in backups[: max(len(backups) - keep, 0)]]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


async def daily_backup(context: BotContext) -> None:
    folder, keep = context.config.backup_dir, context.config.backup_keep
    if folder is None:
        return
    now = datetime.now(UTC)
    try:
        if not await asyncio.to_thread(is_due, folder, now):
            return
        target = folder / backup_name(now)
        await context.storage.backup(target)
        deleted = await asyncio.to_thread(prune, folder, keep)
    except (BackupError, OSError) as error:
        # Logged (and so seen by the error monitoring) but the bot serves on; the next
        # check, an hour later, tries again.
        log.error("the daily backup into %s failed: %s", folder, error)
        return
    log.info("backed up the database to %s; deleted %d older backups", target, len(deleted))
