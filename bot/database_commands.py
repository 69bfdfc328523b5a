"""`briefbot migrate` and `briefbot copy-db`: the schema, and moving from SQLite."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import ConfigError, database_warnings, load_database, misspelled_settings
from bot.lifecycle import ExitCode
from storage import StorageError, UnusableDatabaseError
from storage.opening import DatabaseLocation, migrate_database
from storage.postgres.copy import copy_to_postgres
from storage.postgres.db import redacted


def location() -> DatabaseLocation | None:
    """The database the settings name, or None after saying what is wrong with them."""
    try:
        database = load_database()
    except ConfigError as error:
        print(f"briefbot: {error}", file=sys.stderr)
        return None
    for warning in [*misspelled_settings(), *database_warnings()]:
        print(warning, file=sys.stderr)
    return database


def migrate(args: argparse.Namespace) -> int:
    database = location()
    if database is None:
        return ExitCode.UNUSABLE_SETTING
    try:
        before, after = asyncio.run(migrate_database(database))
    except UnusableDatabaseError as error:
        print(f"briefbot: {database.setting} {database} cannot be used: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE_SETTING
    except StorageError as error:
        print(f"briefbot: {error}", file=sys.stderr)
        return ExitCode.FAILED
    if before == after:
        print(f"{database} is up to date (schema version {after})")
    else:
        print(f"migrated {database} from schema version {before} to {after}")
    return 0


def copy_db(args: argparse.Namespace) -> int:
    database = location()
    if database is None:
        return ExitCode.UNUSABLE_SETTING
    target: str = args.to
    if not target.startswith(("postgresql://", "postgres://")):
        print("briefbot: --to must be a postgresql:// URL", file=sys.stderr)
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
