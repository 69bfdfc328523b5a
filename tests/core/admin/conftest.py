"""The admins' side of the core in process: commands, uploads, presses and the copies'
replacement, from the values an adapter reads to the reply it would send."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from brief import ParseResult
from brief.isolated import Upload, parse_upload
from tests.core.conftest import NOW

ADMIN = 1000
CHAT = ADMIN  # an admin's private chat has the admin's id
PUTIN = "Putin Makes First Visit to North Korea in 24 Years"


async def parse(upload: Upload) -> ParseResult:
    """The parser in this process: its child process changes nothing the core decides."""
    return parse_upload(upload)


def clock() -> datetime:
    return NOW


def brief_text(briefs_dir: Path, name: str = "putin-north-korea.txt") -> str:
    return (briefs_dir / name).read_text(encoding="utf-8")


def corrected_text(briefs_dir: Path, title: str = "Putin Visits North Korea") -> str:
    """The Putin brief under another title: a correction of it."""
    _, *rest = brief_text(briefs_dir).splitlines()
    return "\n".join([title, *rest])
