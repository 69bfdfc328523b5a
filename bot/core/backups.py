"""The daily backup: a job of the running bot writing `briefbot-YYYYmmdd-HHMMSS.db` (UTC)
into BACKUP_DIR and deleting the oldest of those beyond BACKUP_KEEP.

Nothing is kept in memory: when each backup was taken is read from the folder, so a
restart neither repeats a backup nor skips one. The name only says which files are this
job's (only those are ever deleted); when one was taken is the time the file system
recorded for its last write (its mtime). A name is text that a clock set wrong once, a
restore or an operator may have written; a backup named in the future used to hold every
backup back until that date. A file whose recorded time is itself in the future (the
clock was wrong when it was written) says nothing about when the last backup was taken:
it does not count, and it is the first pruned. Several replicas sharing the folder would
each take one (SQLite serves one host; one replica is the supported setup).
"""

from __future__ import annotations

import asyncio
import logging
import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.services import Services
from storage import BackupError

log = logging.getLogger(__name__)

CHECK_INTERVAL = timedelta(hours=1)
# A day, less half a check: checks an hour apart find the last backup 24 h old, give or
# take the milliseconds a check is late, and do not drift an hour later each day.
EVERY = timedelta(days=1) - CHECK_INTERVAL / 2
# The first check waits for the start's own work (catching up on the push) to be done.
FIRST_CHECK = timedelta(minutes=1)
# A backup's mtime may run this far ahead of the check's clock (file systems round times).
CLOCK_SLACK = timedelta(minutes=1)
_NAME = re.compile(r"briefbot-([0-9]{8}-[0-9]{6})\.db")
_STAMP = "%Y%m%d-%H%M%S"


def backup_name(at: datetime) -> str:
    return f"briefbot-{at.astimezone(UTC).strftime(_STAMP)}.db"


def taken(folder: Path) -> list[tuple[datetime, Path]]:
    """The backups this job named in `folder`, each with its recorded time, oldest first."""
    found = []
    for path in folder.iterdir():
        if not _ours(path.name):
            continue
        try:
            status = path.stat()
        except FileNotFoundError:  # deleted meanwhile
            continue
        if stat.S_ISREG(status.st_mode):
            found.append((_recorded(status.st_mtime), path))
    return sorted(found)


def _recorded(mtime: float) -> datetime:
    """A file's time as a datetime; one past what a datetime holds (a clock far off, or a
    `touch -d` typo) counts as the far future, which is_due passes over."""
    try:
        return datetime.fromtimestamp(mtime, UTC)
    except (OverflowError, OSError, ValueError):
        return datetime.max.replace(tzinfo=UTC) if mtime > 0 else datetime.min.replace(tzinfo=UTC)


def is_due(folder: Path, now: datetime) -> bool:
    past = [when for when, _ in taken(folder) if when <= now + CLOCK_SLACK]
    return not past or now - past[-1] >= EVERY


def prune(folder: Path, keep: int, now: datetime) -> list[Path]:
    """Delete the oldest backups beyond `keep`, those dated in the future first; returns
    those deleted."""
    backups = sorted(taken(folder), key=lambda b: (b[0] <= now + CLOCK_SLACK, b[0]))
    doomed = [path for _, path in backups[: max(len(backups) - keep, 0)]]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def _ours(name: str) -> bool:
    match = _NAME.fullmatch(name)
    if match is None:
        return False
    try:
        datetime.strptime(match[1], _STAMP)
    except ValueError:  # shaped like ours, not a time (20240231): not one of ours
        return False
    return True


async def daily_backup(services: Services) -> None:
    """One check, every CHECK_INTERVAL (a job the composition root schedules): a backup
    if the last is a day old, then the oldest beyond BACKUP_KEEP deleted."""
    folder, keep = services.config.backup_dir, services.config.backup_keep
    if folder is None:
        return
    now = datetime.now(UTC)
    try:
        if not await asyncio.to_thread(is_due, folder, now):
            return
        target = folder / backup_name(now)
        await services.storage.backup(target)
        deleted = await asyncio.to_thread(prune, folder, keep, now)
    except (BackupError, OSError) as error:
        # Logged (and so seen by the error monitoring) but the bot serves on; the next
        # check, an hour later, tries again.
        log.error("the daily backup into %s failed: %s", folder, error)
        return
    log.info("backed up the database to %s; deleted %d older backups", target, len(deleted))
