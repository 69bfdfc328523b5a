"""When the daily backup is due and which backups it deletes (bot/core/backups.py), from
the files in the folder: a day after the last, not before; one named or written by a clock
set wrong holds nothing back and goes first; one whose recorded time a datetime cannot
hold does not stop the job (is_due and prune must not raise, or the job fails every hour).
The job itself, run by the bot, is tests/e2e/push/test_backup.py."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.backups import backup_name, is_due, prune

SHM = Path("/dev/shm")  # tmpfs keeps 64-bit times; ext4 clamps them to the year 2446


@pytest.mark.skipif(not SHM.is_dir(), reason="needs a tmpfs at /dev/shm")
def test_a_backup_dated_past_the_year_9999_does_not_stop_the_daily_backup() -> None:
    with tempfile.TemporaryDirectory(dir=SHM) as name:
        folder = Path(name)
        odd = folder / "briefbot-20260101-000000.db"
        odd.write_bytes(b"")
        os.utime(odd, (99_999_999_999_999, 99_999_999_999_999))  # touch -d @99999999999999
        now = datetime.now(UTC)
        assert is_due(folder, now)  # a far-future file counts for nothing
        assert prune(folder, 1, now) == []


def backup_file(folder: Path, at: datetime, *, written: datetime | None = None) -> Path:
    """A backup as the job names it for `at`, its file written at `written` (else `at`)."""
    path = folder / backup_name(at)
    path.write_text("a backup")
    stamp = (written or at).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_a_backup_is_due_a_day_after_the_last_and_not_before(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    assert is_due(tmp_path, now)  # none yet
    backup_file(tmp_path, now - timedelta(days=1))
    assert is_due(tmp_path, now)
    backup_file(tmp_path, now)  # what the job writes then
    assert not is_due(tmp_path, now + timedelta(hours=1))  # the next check, an hour later
    assert prune(tmp_path, 7, now) == []


@pytest.mark.parametrize(
    "written", [timedelta(days=300), -timedelta(days=2)], ids=["by-that-clock", "days-ago"]
)
def test_a_backup_named_in_the_future_does_not_hold_the_daily_backup_back(
    tmp_path: Path, written: timedelta
) -> None:
    """Named by a clock set 300 days ahead, and written by it too, or two days ago."""
    now = datetime.now(UTC)
    ahead = backup_file(tmp_path, now + timedelta(days=300), written=now + written)
    assert is_due(tmp_path, now)
    taken = backup_file(tmp_path, now)
    assert prune(tmp_path, 1, now) == [ahead]  # the one dated wrongly is the one pruned
    assert list(tmp_path.iterdir()) == [taken]
