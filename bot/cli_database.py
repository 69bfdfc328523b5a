"""The database on the command line: where the settings point, what is said when it cannot
serve, `briefbot migrate`, `briefbot restore` and `briefbot copy-db`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from bot.config import ConfigError, database_warnings, load_database, misspelled_settings
from bot.config.numbers import check_url
from bot.lifecycle import ExitCode
from storage import (
    MigrationBackupError,
    StorageError,
    UnusableDatabaseError,
    UnwritableDatabaseError,
)
from storage.migrations import LATEST_VERSION
from storage.opening import DatabaseLocation, migrate_with_backup
from storage.postgres.copy import copy_to_postgres
from storage.postgres.urls import redacted
from storage.restore import DatabaseBusyError, Restored, RestoreError, restore_database
from storage.sole import DatabaseInUseError

# Where the operators' page on backups lives, for what is said about PostgreSQL.
BACKUPS_PAGE = "docs/operators/backups.md"


def location() -> DatabaseLocation | None:
    """The database the settings name, or None after saying what is wrong with them."""
    try:
        database = load_database()
    except ConfigError as error:
        tell_problems(error)
        return None
    warn_about_settings()
    return database


def tell_problems(error: ConfigError) -> None:
    """Every problem of the settings, one line each, then the names that look mistyped
    (often the cause: TELEGRAM_TOKEN set, TELEGRAM_BOT_TOKEN missing)."""
    for problem in error.problems:
        print(f"briefbot: {problem}", file=sys.stderr)
    for warning in misspelled_settings():
        print(warning, file=sys.stderr)


def warn_about_settings() -> None:
    """Once the settings were read (so the .env file parses): names that look mistyped,
    and DATABASE_PATH set beside DATABASE_URL, which wins."""
    for warning in [*misspelled_settings(), *database_warnings()]:
        print(warning, file=sys.stderr)


def unusable_database(database: DatabaseLocation, error: UnusableDatabaseError) -> int:
    if database.url is not None:
        print(f"briefbot: DATABASE_URL {database} cannot be used: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE_SETTING
    path = database.path
    if isinstance(error, MigrationBackupError):  # a full disk, most likely: not the setting
        print(f"briefbot: DATABASE_PATH {path} was not migrated: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE_SETTING
    hint = ""
    if isinstance(error, UnwritableDatabaseError):
        # In the container the bot runs as uid 10001, and a volume or bind mount made by
        # root is root's: the most likely cause there, and a one-line fix.
        folder = path.resolve().parent
        hint = (
            f" (this process runs as uid {os.getuid()}: make {folder} and the file its own, "
            f"e.g. `chown -R {os.getuid()} {folder}`; in the container: "
            f"`docker compose run --rm --user root bot chown -R {os.getuid()} {folder}`)"
        )
    print(
        f"briefbot: DATABASE_PATH {path} cannot be used: {error}; set DATABASE_PATH to a "
        f"writable SQLite file (created if missing) in an existing folder{hint}",
        file=sys.stderr,
    )
    return ExitCode.UNUSABLE_SETTING


def migrate(args: argparse.Namespace) -> int:
    database = location()
    if database is None:
        return ExitCode.UNUSABLE_SETTING
    try:
        before, after, kept = asyncio.run(migrate_with_backup(database))
    except UnusableDatabaseError as error:
        return unusable_database(database, error)
    except StorageError as error:
        print(f"briefbot: {error}", file=sys.stderr)
        return ExitCode.FAILED
    if before == after:
        print(f"{database} is up to date (schema version {after})")
    else:
        backed_up = f" (backed up first to {kept})" if kept is not None else ""
        print(f"migrated {database} from schema version {before} to {after}{backed_up}")
    return 0


def restore(args: argparse.Namespace) -> int:
    database = location()
    if database is None:
        return ExitCode.UNUSABLE_SETTING
    if database.url is not None:
        print(
            "briefbot: DATABASE_URL is set: restore PostgreSQL with pg_restore, as "
            f"{BACKUPS_PAGE} shows; `briefbot restore` replaces an SQLite file",
            file=sys.stderr,
        )
        return ExitCode.UNUSABLE_SETTING
    backup: Path = args.backup
    try:
        restored = restore_database(backup, database.path)
    except DatabaseInUseError as error:
        print(
            f"briefbot: not restored: DATABASE_PATH {database.path} is served by a running "
            f"`briefbot run` (process {error.holder or 'unknown'}, holding {error.lock_path}): "
            "stop the bot first, then restore",
            file=sys.stderr,
        )
        return ExitCode.OTHER_INSTANCE
    except UnusableDatabaseError as error:
        return unusable_database(database, error)
    except DatabaseBusyError as error:
        print(f"briefbot: not restored: {error}", file=sys.stderr)
        return ExitCode.OTHER_INSTANCE
    except RestoreError as error:
        print(f"briefbot: not restored: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE_SETTING
    _say_restored(backup, database.path, restored)
    return 0


def _say_restored(backup: Path, database: Path, restored: Restored) -> None:
    print(f"restored {backup} (schema version {restored.version}) to {database}")
    if restored.replaced is None:
        print(f"there was no database at {database}: nothing replaced")
    else:
        print(f"the database it replaced is kept as {restored.replaced}")
    if restored.version < LATEST_VERSION:
        print(
            f"the backup's schema is older than this briefbot's ({LATEST_VERSION}): the next "
            "start (or `briefbot migrate`) migrates it, writing a backup of it first"
        )


def copy_db(args: argparse.Namespace) -> int:
    database = location()
    if database is None:
        return ExitCode.UNUSABLE_SETTING
    target: str = args.to
    if not target.startswith(("postgresql://", "postgres://")):
        print("briefbot: --to must be a postgresql:// URL", file=sys.stderr)
        return ExitCode.UNUSABLE_SETTING
    try:
        # The checks DATABASE_URL passes: the URL will become it.
        check_url("copy-db --to", target)
    except ConfigError as error:
        print(f"briefbot: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE_SETTING
    try:
        copied = asyncio.run(copy_to_postgres(database.path, target))
    except UnusableDatabaseError as error:
        print(f"briefbot: {redacted(target)} cannot be used: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE_SETTING
    except StorageError as error:
        print(f"briefbot: nothing copied: {error}", file=sys.stderr)
        return ExitCode.FAILED
    for table, count in copied.items():
        print(f"{table}: {count}")
    print(f"copied {database.path} to {redacted(target)}: set DATABASE_URL to use it")
    return 0
