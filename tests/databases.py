"""Database files the bot cannot use, made the way an operator ends up with them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage import Storage

UNUSABLE = ["missing folder", "folder", "not sqlite", "read-only"]
Dump = dict[str, list[tuple[object, ...]]]


@contextmanager
def unusable_database(kind: str, folder: Path) -> Iterator[tuple[Path, str]]:
    """A DATABASE_PATH of one of the UNUSABLE kinds, and the reason the bot must give."""
    if kind == "missing folder":
        yield folder / "nowhere" / "b.db", f"its folder {folder / 'nowhere'} does not exist"
    elif kind == "folder":
        yield folder, "it is a folder, not a file"
    elif kind == "not sqlite":
        path = folder / "notes.txt"
        path.write_text("these are notes, not a database\n" * 200)
        yield path, "it is not an SQLite database"
    else:
        path = folder / "b.db"
        asyncio.run(_create(path))
        with read_only(path):
            yield path, "it is read-only"


async def _create(path: Path) -> None:
    await (await Storage.open(path)).close()


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Permissions do not stop root, so as root the file is made immutable instead."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        return
    mode = path.stat().st_mode
    path.chmod(0o444)
    try:
        yield
    finally:
        path.chmod(mode)


def dump(path: Path) -> Dump:
    """Every table's rows, in a stable order: what a restore would bring back."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        tables = [
            str(row[0])
            for row in conn.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        # Table names come from the file's own schema, not from input.
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }
