"""The database on the command line: where the settings point, what is said when it cannot
serve, `briefbot migrate` and `briefbot copy-db`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from bot.config import ConfigError, database_warnings, load_database, misspelled_settings
from bot.config.numbers import check_url
from bot.lifecycle import ExitCode
from storage import StorageError, UnusableDatabaseError, UnwritableDatabaseError
from storage.opening import DatabaseLocation, migrate_database
from storage.postgres.copy import copy_to_postgres
from storage.postgres.urls import redacted


def location() -> DatabaseLocation | None:
    """The database the settings name, or None after saying what is wrong with them."""
    try:
        database = load_database()
    except ConfigError as error:
        print(f"briefbot: {error}", file=sys.stderr)
        return None
    warn_about_settings()
    return database


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
        before, after = asyncio.run(migrate_database(database))
    except UnusableDatabaseError as error:
        return unusable_database(database, error)
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
