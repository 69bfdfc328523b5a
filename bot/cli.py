"""The `briefbot` command: parse, import and run."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot import lifecycle
from bot.bot_api import ignore_retry_after_notice
from bot.config import ConfigError, load_config, load_database_path, load_health_settings
from bot.lifecycle import ExitCode
from bot.logs import protect_output, setup_logging
from bot.web import health
from brief import BriefError, ParseResult, Problem, parse_file, to_json
from storage import Storage, UnusableDatabaseError


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
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    parse = commands.add_parser("parse", help="print a brief file as JSON, or list its problems")
    parse.add_argument("file", type=Path)
    parse.set_defaults(handler=_parse)
    publish = commands.add_parser("import", help="publish brief files into the database")
    publish.add_argument("files", type=Path, nargs="+", metavar="FILE")
    publish.set_defaults(handler=_import)
    run = commands.add_parser("run", help="start the bot (long polling, or a webhook)")
    run.set_defaults(handler=_run)
    health = commands.add_parser(
        "health",
        help="say whether the running bot is ready (for a container HEALTHCHECK)",
        description="Check that the bot started with the same settings is ready, and print "
        "one line saying so or why not. Exit code 0: ready; 1: not. With HTTP_PORT or "
        "WEBHOOK_URL set it asks the bot's http://127.0.0.1:HTTP_PORT/readyz (HTTP_PORT "
        "defaults to 8080 with WEBHOOK_URL); otherwise it reads the heartbeat the bot writes "
        "to DATABASE_PATH every 30 s while ready (healthy when under 90 s old). Reads "
        "HTTP_PORT, WEBHOOK_URL and DATABASE_PATH, from the environment or .env.",
    )
    health.set_defaults(handler=_health)
    return parser


def read_brief(path: Path) -> ParseResult:
    """Parse a `.json` file as the JSON form, anything else as the text form."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BriefError([Problem(f"cannot read the file: {error.strerror}")]) from None
    return parse_file(data, as_json=path.suffix.lower() == ".json")


def _parse(args: argparse.Namespace) -> int:
    try:
        result = read_brief(args.file)
    except BriefError as error:
        _report(args.file, error.problems)
        return 1
    _report(args.file, result.warnings, prefix="warning: ")
    json.dump(to_json(result.brief), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _import(args: argparse.Namespace) -> int:
    # Importing needs only the database, not a token: it can run beside the bot.
    database = load_database_path()
    try:
        return asyncio.run(_import_files(database, args.files))
    except UnusableDatabaseError as error:
        return _unusable_database(database, error)


async def _import_files(database: Path, files: Sequence[Path]) -> int:
    refused = 0
    storage = await Storage.open(database)
    try:
        for path in files:
            try:
                result = read_brief(path)
            except BriefError as error:
                print(f"{path}: refused", file=sys.stderr)
                _report(path, error.problems)
                refused += 1
                continue
            _report(path, result.warnings, prefix="warning: ")
            stored = await storage.briefs.publish(result.brief, by=None, at=datetime.now(UTC))
            print(f"{path}: published as brief #{stored.id}: {stored.brief.title}")
    finally:
        await storage.close()
    return 1 if refused else 0


def _report(path: Path, problems: Sequence[Problem], prefix: str = "") -> None:
    for problem in problems:
        print(f"{path}: {prefix}{problem}", file=sys.stderr)


def _unusable_database(path: Path, error: UnusableDatabaseError) -> int:
    print(
        f"briefbot: DATABASE_PATH {path} cannot be used: {error}; set DATABASE_PATH to a "
        "writable SQLite file (created if missing) in an existing folder",
        file=sys.stderr,
    )
    return ExitCode.UNUSABLE_SETTING


def _run(args: argparse.Namespace) -> int:
    try:
        config = load_config()
    except ConfigError as error:
        print(f"briefbot: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE_SETTING
    protect_output(config.token)
    setup_logging(config.log_level, config.token)
    try:
        return asyncio.run(lifecycle.run(config))
    except UnusableDatabaseError as error:
        return _unusable_database(config.database_path, error)


def _health(args: argparse.Namespace) -> int:
    # Docker gives exit codes other than 0 and 1 no meaning for a HEALTHCHECK.
    try:
        settings = load_health_settings()
    except ConfigError as error:
        print(f"not ready: {error}")
        return 1
    if settings.http_port is not None:
        problem = asyncio.run(health.readyz_problem(settings.http_port))
    else:
        problem = asyncio.run(health.heartbeat_problem(settings.database_path))
    print("ready" if problem is None else f"not ready: {problem}")
    return 0 if problem is None else 1
