"""`briefbot check`: every setting read and every problem told at once; then the settings in
effect, where each came from and the secrets masked; then what Telegram says of the token,
each channel and the webhook; with MATRIX_HOMESERVER set, what the homeserver says of the
access token and the rooms of MATRIX_ROOM_IDS (Matrix alone, without TELEGRAM_BOT_TOKEN:
Telegram is not asked). Exit code 0 only when all is well.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cli_settings import settings_table
from bot.config import (
    SETTINGS,
    Config,
    ConfigError,
    both_databases,
    config_from,
    misspellings,
    read_environment,
)
from bot.config.matrix import MatrixSettings
from bot.core.catalogues import TemplatesError
from bot.core.channels.checks import ChannelCheck, ChannelProblem
from bot.core.redaction import redact
from bot.core.rendering import Renderer
from bot.lifecycle import ExitCode
from bot.logs import setup_logging
from bot.matrix.checkup import MatrixCheckup, ask_matrix
from bot.telegram.checkup import Checkup, WebhookState, ask_telegram
from storage.postgres.urls import redacted

DOTENV = Path(".env")
_DOCS = "docs/operators/matrix.md"
OK, PROBLEM, NOTE = "ok", "PROBLEM", "note"
# A delivery error this recent means Telegram cannot deliver now; an older one is history.
RECENT_ERROR = timedelta(minutes=15)
_CHANNEL_PROBLEMS = {
    ChannelProblem.UNREACHABLE: "Telegram does not know this chat, or the bot is not in this "
    "private channel ({detail}): check the id, and add the bot as an administrator",
    ChannelProblem.NOT_CHANNEL: "this is not a channel (a group or a user): CHANNEL_IDS takes "
    "channels only",
    ChannelProblem.RIGHTS_UNKNOWN: "Telegram would not tell the bot's rights there ({detail})",
    ChannelProblem.NOT_ADMIN: "the bot is not an administrator there ({detail}): make it one, "
    'with the right "Post messages"',
    ChannelProblem.CANNOT_POST: 'the bot is an administrator without the right "Post '
    'messages": give it that right',
}


def check(args: argparse.Namespace) -> int:
    environment = read_environment(None, DOTENV)
    # What `briefbot run` warns about: problems here, so that a start after a clean check
    # says nothing of the settings.
    hints = [*misspellings(environment, SETTINGS), *both_databases(environment.values)]
    try:
        config = config_from(environment)
    except ConfigError as error:
        problems = [*error.problems, *hints]
        print(f"{len(problems)} {_plural(len(problems), 'problem')} in the settings:")
        for problem in problems:
            print(f"  {PROBLEM}  {problem}")
        print("Telegram was not asked: fix the settings first, then run `briefbot check` again.")
        return ExitCode.UNUSABLE_SETTING
    setup_logging("WARNING", config.token, config.log_format)  # a library's warnings, redacted
    print("Settings (from the environment, which wins, from ./.env, or the default):")
    for line in settings_table(config, environment):
        print(f"  {line}")
    hints.extend(_templates_problems(config))
    for hint in hints:
        print(f"  {PROBLEM}  {hint}")
    lines = _ask_telegram(config) if config.telegram else []
    if config.matrix is not None:
        lines += _ask_matrix(config.matrix)
    troubles = len(hints) + sum(verdict == PROBLEM for verdict, _ in lines)
    print("All is well." if not troubles else f"{troubles} {_plural(troubles, 'problem')} found.")
    if hints:
        return ExitCode.UNUSABLE_SETTING
    return ExitCode.FAILED if troubles else 0


def _ask_telegram(config: Config) -> list[tuple[str, str]]:
    """What Telegram says, printed; not asked with Matrix alone (no TELEGRAM_BOT_TOKEN)."""
    found = asyncio.run(ask_telegram(config))
    lines = _telegram_lines(config, found)
    _print_section(f"Telegram, at {redacted(config.telegram_api_url)}", lines, config.token)
    return lines


def _print_section(heading: str, lines: list[tuple[str, str]], secret: str) -> None:
    """One app's findings under its heading, each line with its verdict, `secret` redacted."""
    print(f"{heading}:")
    for verdict, text in lines:
        print(f"  {verdict:<7}  {redact(text, secret)}")


def _templates_problems(config: Config) -> list[str]:
    """What would stop the start in TEMPLATES_DIR or BOT_LANGUAGE (bot/core/rendering.py)."""
    try:
        Renderer(overrides=config.templates_dir, default_language=config.bot_language)
    except TemplatesError as error:
        return [str(error)]
    return []


def _telegram_lines(config: Config, found: Checkup) -> list[tuple[str, str]]:
    if found.token_refused:
        return [
            (
                PROBLEM,
                f"the Bot API refused TELEGRAM_BOT_TOKEN ({found.failure}): copy the token "
                "again from @BotFather (/mybots), and check TELEGRAM_API_URL if you set it",
            )
        ]
    if found.failure:
        return [
            (
                PROBLEM,
                f"the Bot API cannot be reached ({found.failure}): check the network, "
                "TELEGRAM_API_URL and the proxy settings",
            )
        ]
    lines = [(OK, f"TELEGRAM_BOT_TOKEN is the bot @{found.username}'s (id {found.bot_id})")]
    lines += [_channel_line(channel) for channel in found.channels]
    if found.webhook_failure:
        lines.append((PROBLEM, f"getWebhookInfo failed ({found.webhook_failure})"))
    elif found.webhook is not None:
        lines += _webhook_lines(config.webhook_url, found.webhook)
    return lines


def _ask_matrix(settings: MatrixSettings) -> list[tuple[str, str]]:
    """The homeserver's findings, printed under their own heading; returned for the count."""
    found = asyncio.run(ask_matrix(settings))
    lines = _matrix_lines(settings, found)
    _print_section(f"Matrix, at {redacted(settings.homeserver)}", lines, settings.access_token)
    return lines


def _matrix_lines(settings: MatrixSettings, found: MatrixCheckup) -> list[tuple[str, str]]:
    if found.token_refused:
        return [
            (
                PROBLEM,
                f"the homeserver refused MATRIX_ACCESS_TOKEN ({found.failure}): it was "
                "mistyped, or that session was logged out. Log the bot's account in again and "
                f"set MATRIX_ACCESS_TOKEN (or MATRIX_ACCESS_TOKEN_FILE) to the new token: {_DOCS}",
            )
        ]
    if found.unreachable:
        return [
            (
                PROBLEM,
                f"the homeserver cannot be reached ({found.failure}): check the network and "
                "MATRIX_HOMESERVER, the URL Matrix clients use (such as https://matrix.example.org)",
            )
        ]
    if found.failure:
        return [
            (
                PROBLEM,
                f"the homeserver would not say whose MATRIX_ACCESS_TOKEN is ({found.failure}): "
                "check that MATRIX_HOMESERVER is the URL Matrix clients use, not a web page's",
            )
        ]
    if found.user_id != settings.user_id:
        return [
            (
                PROBLEM,
                f"MATRIX_ACCESS_TOKEN is {found.user_id}'s, not MATRIX_USER_ID "
                f"{settings.user_id}'s: set the bot account's own token, or MATRIX_USER_ID to "
                "the account the token is of",
            )
        ]
    device = f", device {found.device_id}" if found.device_id else ""
    lines = [(OK, f"MATRIX_ACCESS_TOKEN is {found.user_id}'s{device}")]
    if found.rooms_failure:
        lines.append(
            (PROBLEM, f"the homeserver would not list the bot's rooms ({found.rooms_failure})")
        )
    elif found.joined is not None:
        lines += [_room_line(settings, found, room) for room in settings.room_ids]
    return lines


def _room_line(settings: MatrixSettings, found: MatrixCheckup, room: str) -> tuple[str, str]:
    named = f"room {room} (MATRIX_ROOM_IDS)"
    unknown = dict(found.levels_unknown)
    if room in unknown:
        return (
            PROBLEM,
            f"{named}: the homeserver would not tell the bot's rights there ({unknown[room]})",
        )
    if room in found.cannot_post:
        return (
            PROBLEM,
            f"{named}: the bot is in it, but its power level is below what messages need: "
            f"raise {settings.user_id}'s (in Element: Room settings, Roles & Permissions)",
        )
    if found.joined is not None and room in found.joined:
        return OK, f"{named}: the bot is in it and may post there"
    servers = sorted(settings.allowed_servers)
    by = f" by a user of {', '.join(servers)} (MATRIX_ALLOWED_SERVERS)" if servers else ""
    return (
        PROBLEM,
        f"{named}: the bot is not in it. Make the room public, or invite {settings.user_id} "
        f"there: the bot joins it at its next start, or at once when invited{by} while it runs",
    )


def _channel_line(channel: ChannelCheck) -> tuple[str, str]:
    known = [repr(channel.title)] if channel.title else []
    if channel.chat_id is not None and channel.chat_id != channel.ref:
        known.append(f"id {channel.chat_id}")
    named = f"channel {channel.ref}" + (f" ({', '.join(known)})" if known else "")
    if channel.problem is None:
        return OK, f"{named}: the bot may post there"
    wording = _CHANNEL_PROBLEMS[channel.problem].format(detail=channel.detail or "no reason given")
    return PROBLEM, f"{named}: {wording}"


def _webhook_lines(wanted: str | None, webhook: WebhookState) -> list[tuple[str, str]]:
    waiting = f"{webhook.pending} {_plural(webhook.pending, 'update')} waiting"
    set_to = redacted(webhook.url)
    if wanted is None and webhook.url:
        line = (
            PROBLEM,
            f"a webhook is set ({set_to}), and WEBHOOK_URL is not: Telegram posts the updates "
            "there, not to long polling. `briefbot run` removes it at start; if another "
            "process with this token uses it, stop that one first",
        )
    elif wanted is None:
        line = (OK, f"updates by long polling (no webhook set); {waiting}")
    elif not webhook.url:
        line = (OK, "no webhook set yet: `briefbot run` sets WEBHOOK_URL at start")
    elif webhook.url != wanted:
        line = (
            PROBLEM,
            f"Telegram posts the updates to {set_to}, not to WEBHOOK_URL {redacted(wanted)}: "
            "another process with this token set it, or the bot has not run since "
            "WEBHOOK_URL changed (`briefbot run` sets it)",
        )
    else:
        line = (OK, f"updates by webhook to WEBHOOK_URL; {waiting}")
    return [line, *_delivery_error(webhook)]


def _delivery_error(webhook: WebhookState) -> list[tuple[str, str]]:
    if webhook.last_error_at is None:
        return []
    at = webhook.last_error_at.astimezone(UTC)
    recent = datetime.now(UTC) - at < RECENT_ERROR
    said = f"Telegram's last failed delivery, at {at:%Y-%m-%d %H:%M} UTC: {webhook.last_error}"
    if not recent:
        return [(NOTE, said)]
    return [(PROBLEM, f"{said}; check that WEBHOOK_URL reaches the bot's HTTP_PORT")]


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else f"{noun}s"
