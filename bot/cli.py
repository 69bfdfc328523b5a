"""The `briefbot` command: parse, import, run and backup."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TypeAlias

from bot import cli_check, cli_database, lifecycle
from bot.config import (
    SETTINGS,
    ConfigError,
    load_config,
    load_health_settings,
)
from bot.core.catalogues import TemplatesError
from bot.core.publishing.importing import ImportTally, import_files, read_brief, report
from bot.lifecycle import ExitCode
from bot.logs import protect_output, setup_logging
from bot.telegram.bot_api import ignore_retry_after_notice
from bot.version import briefbot_version
from bot.web import health
from brief import BriefError, to_json
from storage import (
    BackupError,
    BackupTargetError,
    UnusableDatabaseError,
)
from storage.opening import DatabaseLocation, open_storage, sole_server
from storage.sole import DatabaseInUseError

# The `briefbot` subcommands, as argparse keeps them.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def main(argv: Sequence[str] | None = None) -> int:
    ignore_retry_after_notice()
    args = _arguments().parse_args(argv)
    try:
        command: int = args.handler(args)
        sys.stdout.flush()  # here, where a closed pipe can still be caught
    except BrokenPipeError:
        # The reader went away (`briefbot parse FILE | head`): stop quietly, as `cat` does.
        # Python flushes stdout again at exit; pointing it at /dev/null keeps that quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return command


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefbot", description="A Telegram bot for news briefs.")
    parser.add_argument("--version", action="version", version=f"briefbot {briefbot_version()}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    _brief_commands(commands)
    _serving_commands(commands)
    _database_commands(commands)
    return parser


def _brief_commands(commands: Commands) -> None:
    parse = _command(commands, "parse", "print a brief file as JSON, or list its problems", ())
    parse.add_argument("file", type=Path)
    parse.set_defaults(handler=_parse)
    publish = _command(
        commands,
        "import",
        "publish brief files into the database; content already published is skipped",
        ("DATABASE_PATH",),
    )
    publish.add_argument("files", type=Path, nargs="+", metavar="FILE")
    publish.add_argument(
        "--dry-run", action="store_true", help="check and report, write nothing to the database"
    )
    publish.add_argument(
        "--force", action="store_true", help="publish content that is already published again"
    )
    publish.set_defaults(handler=_import)


def _serving_commands(commands: Commands) -> None:
    run = _command(commands, "run", "start the bot (long polling, or a webhook)", SETTINGS)
    run.set_defaults(handler=_run)
    settings = _command(
        commands,
        "check",
        "check every setting, show those in effect, and ask Telegram about the token, the "
        "channels and the webhook",
        SETTINGS,
        details="Every problem is listed at once. Exit code 0: all is well, 1: Telegram "
        "refused, could not be reached or disagrees with the settings, 2: a setting is wrong.",
    )
    settings.set_defaults(handler=cli_check.check)
    backup = _command(
        commands,
        "backup",
        "write a consistent, checked copy of the database, also while the bot runs",
        ("DATABASE_PATH",),
    )
    backup.add_argument("path", type=Path, metavar="PATH", help="the file to write")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    backup.set_defaults(handler=_backup)
    check = _command(
        commands,
        "health",
        "say in one line whether the running bot is ready (for a container HEALTHCHECK)",
        (
            "HTTP_HOST",
            "HTTP_PORT",
            "WEBHOOK_URL",
            "DATABASE_URL",
            "DATABASE_URL_FILE",
            "DATABASE_PATH",
        ),
        details="Exit code 0: ready, 1: not. With HTTP_PORT or WEBHOOK_URL set it asks the "
        "bot's /readyz at HTTP_HOST:HTTP_PORT (127.0.0.1 when HTTP_HOST is every address; "
        "HTTP_PORT defaults to 8080 with WEBHOOK_URL); otherwise it reads the heartbeat "
        "the bot writes to the database every 30 s while ready (healthy when under 90 s "
        "old).",
    )
    check.set_defaults(handler=_health)


def _database_commands(commands: Commands) -> None:
    migrate = _command(
        commands,
        "migrate",
        "bring the database's schema up to this briefbot's; with PostgreSQL run it once "
        "before starting the bot (which does not migrate PostgreSQL itself)",
        ("DATABASE_URL", "DATABASE_URL_FILE", "DATABASE_PATH"),
    )
    migrate.set_defaults(handler=cli_database.migrate)
    restore = _command(
        commands,
        "restore",
        "put a backup in the SQLite database's place, once checked; the bot must be stopped",
        ("DATABASE_PATH",),
        details="The database it replaces is kept beside it as "
        "DATABASE_PATH.replaced-<UTC time>. Exit code 0: restored, 2: the backup or the "
        "database cannot be used (nothing changed), 3: a bot or another process has the "
        "database open. PostgreSQL: pg_restore (docs/operators/backups.md).",
    )
    restore.add_argument("backup", type=Path, metavar="BACKUP", help="the backup file")
    restore.set_defaults(handler=cli_database.restore)
    copy = _command(
        commands,
        "copy-db",
        "copy every row of the SQLite database (DATABASE_PATH) into an empty PostgreSQL "
        "database, migrating it first; all or nothing",
        ("DATABASE_PATH",),
    )
    copy.add_argument("--to", required=True, metavar="URL", help="postgresql://user@host/name")
    copy.set_defaults(handler=cli_database.copy_db)


def _command(
    commands: Commands,
    name: str,
    does: str,
    reads: Sequence[str],
    *,
    details: str = "",
) -> argparse.ArgumentParser:
    """A subcommand whose help says what it does (in the list: `does`; in its own help,
    with `details`) and which settings it reads."""
    settings = (
        f"reads {', '.join(reads)} from the environment or ./.env (the environment wins)"
        if reads
        else "reads no settings"
    )
    description = f"{does[0].upper()}{does[1:]}. {details}".strip()
    return commands.add_parser(name, help=does, description=description, epilog=f"It {settings}.")


def _parse(args: argparse.Namespace) -> int:
    try:
        result = read_brief(args.file)
    except BriefError as error:
        report(args.file, error.problems)
        return 1
    report(args.file, result.warnings, prefix="warning: ")
    json.dump(to_json(result.brief), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _import(args: argparse.Namespace) -> int:
    # Importing needs only the database, not a token: it can run beside the bot.
    database = cli_database.location()
    if database is None:
        return ExitCode.UNUSABLE_SETTING
    exists = database.url is not None or database.path.exists()
    try:
        tally = asyncio.run(_import_files(database, args, exists=exists))
    except UnusableDatabaseError as error:
        return cli_database.unusable_database(database, error)
    print(tally.line(dry_run=args.dry_run))
    return 1 if tally.refused else 0


async def _import_files(
    database: DatabaseLocation, args: argparse.Namespace, *, exists: bool
) -> ImportTally:
    if args.dry_run and not exists:
        # Nothing published yet, and a dry run must not create the file.
        return await import_files(None, args.files, dry_run=True, force=args.force)
    async with await open_storage(database, read_only=args.dry_run) as storage:
        # An empty file has no tables yet: nothing in it is published.
        found = storage if storage.schema_version else None
        return await import_files(found, args.files, dry_run=args.dry_run, force=args.force)


def _backup(args: argparse.Namespace) -> int:
    location = cli_database.location()
    if location is None:
        return ExitCode.UNUSABLE_SETTING
    if location.url is not None:
        print(
            "briefbot: DATABASE_URL is set: back PostgreSQL up with pg_dump "
            "(or the server's own backups); `briefbot backup` copies an SQLite file",
            file=sys.stderr,
        )
        return ExitCode.UNUSABLE_SETTING
    database = location.path
    if not database.is_file():
        # Opening would create an empty database: a wrong DATABASE_PATH, not a backup.
        print(
            f"briefbot: DATABASE_PATH {database} does not exist: nothing to back up",
            file=sys.stderr,
        )
        return ExitCode.UNUSABLE_SETTING
    try:
        asyncio.run(_write_backup(database, args.path, overwrite=args.force))
    except UnusableDatabaseError as error:
        return cli_database.unusable_database(location, error)
    except BackupTargetError as error:
        print(f"briefbot: cannot back up to {args.path}: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE_SETTING
    except BackupError as error:
        print(f"briefbot: the backup failed: {error}", file=sys.stderr)
        return ExitCode.FAILED
    print(f"backed up {database} to {args.path}")
    return 0


async def _write_backup(database: Path, target: Path, *, overwrite: bool) -> None:
    async with await open_storage(DatabaseLocation(database)) as storage:
        await storage.backup(target, overwrite=overwrite)


def _run(args: argparse.Namespace) -> int:
    try:
        config = load_config()
    except ConfigError as error:
        cli_database.tell_problems(error)
        return ExitCode.UNUSABLE_SETTING
    cli_database.warn_about_settings()
    protect_output(config.token)
    setup_logging(config.log_level, config.token, config.log_format)
    try:
        # Before anything is read or written: a second bot on the file would take over the
        # first one's claims and pushes at its start (bot/core/replicas/replica.py) and send them
        # again.
        with sole_server(config.database):
            return asyncio.run(lifecycle.run(config))
    except DatabaseInUseError as error:
        print(
            f"briefbot: DATABASE_PATH {config.database_path} is served by another "
            f"`briefbot run` (process {error.holder or 'unknown'}, holding {error.lock_path}): "
            "stop that one first; one process serves an SQLite file (exit code "
            f"{ExitCode.OTHER_INSTANCE:d})",
            file=sys.stderr,
        )
        return ExitCode.OTHER_INSTANCE
    except UnusableDatabaseError as error:
        return cli_database.unusable_database(config.database, error)
    except TemplatesError as error:
        print(f"briefbot: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE_SETTING


def _health(args: argparse.Namespace) -> int:
    # Docker gives exit codes other than 0 and 1 no meaning for a HEALTHCHECK.
    try:
        settings = load_health_settings()
    except ConfigError as error:
        print(f"not ready: {'; '.join(error.problems)}")
        return 1
    if settings.http_port is not None:
        problem = asyncio.run(health.readyz_problem(settings.http_port, settings.http_host))
    else:
        problem = asyncio.run(health.heartbeat_problem(settings.database))
    print("ready" if problem is None else f"not ready: {problem}")
    return 0 if problem is None else 1
