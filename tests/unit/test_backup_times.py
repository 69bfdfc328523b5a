"""A backup whose recorded time a datetime cannot hold does not stop the daily backup
(is_due and prune must not raise, or the job fails every hour)."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.backups import is_due, prune

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
