"""Logging set-up, and the guard that keeps the bot token out of everything the process prints.

What is taken out of a text, and how, is bot/core/redaction.py; here it is applied to every
log line and to whatever else reaches stdout and stderr.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from telegram.error import TelegramError

from bot.core.redaction import redact
from bot.core.scope import current


class RedactingFormatter(logging.Formatter):
    """Replaces the token wherever it appears in the finished line, traceback included.

    Bot API URLs carry the token, and an exception's text may quote one (PTB's InvalidToken
    does); redacting the formatted output catches it wherever it came from.
    """

    def __init__(self, token: str, fmt: str) -> None:
        super().__init__(fmt)
        self._token = token

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors: time (ISO 8601, UTC), level, logger,
    message; the ids of the update being handled, its chat and the brief it serves, where
    known (bot/core/scope.py); the traceback as `exception` when there is one.

    Each text is redacted before it is encoded, so the line stays valid JSON; json.dumps
    escapes line breaks, so a traceback never splits the line.
    """

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        scope = current()
        if scope is not None:
            ids = ("update_id", scope.update_id), ("chat_id", scope.chat_id)
            known = (*ids, ("brief_id", scope.brief_id))
            entry.update((name, value) for name, value in known if value is not None)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        redacted = {
            name: redact(value, self._token) if isinstance(value, str) else value
            for name, value in entry.items()
        }
        return json.dumps(redacted, ensure_ascii=False)


class RedactingStream(io.TextIOBase):
    """A text stream that passes on whole lines with the token redacted.

    For what reaches stdout or stderr without logging: an uncaught exception's traceback,
    "Exception ignored in ..." at shutdown, a library's print(). Text is held until its
    line ends (or a flush), so a token written in two pieces is still seen whole.
    """

    def __init__(self, stream: TextIO, token: str) -> None:
        super().__init__()
        self.stream = stream
        self._token = token
        self._pending = ""

    def write(self, text: str, /) -> int:
        self._pending += text
        head, newline, tail = self._pending.rpartition("\n")
        if newline:
            self._pending = tail
            self.stream.write(redact(head + newline, self._token))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.stream.write(redact(self._pending, self._token))
            self._pending = ""
        self.stream.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def protect_output(token: str) -> None:
    """From now on, for the whole process, stdout and stderr never show the token."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, RedactingStream):
            stream = stream.stream
        setattr(sys, name, RedactingStream(stream, token))


class ShortTelegramErrors(logging.Filter):
    """PTB's own reports of a failed Bot API call, in one line instead of a traceback.

    PTB logs with the traceback when, say, the last getUpdates of a stop cannot reach the
    Bot API; the error's text says all there is to say. Records of the bot's own loggers
    keep their tracebacks.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, TelegramError) and record.name.startswith("telegram"):
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def setup_logging(level: str, token: str, log_format: str = "text") -> None:
    """Log lines to stderr, as text for people (the default) or as JSON for collectors."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter(token)
        if log_format == "json"
        else RedactingFormatter(token, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(ShortTelegramErrors())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # PTB's job queue runs on APScheduler, which logs every run of every job at INFO: about
    # 40 lines a minute for the bot's four repeating jobs, burying what an operator must
    # read. Its warnings (a job missed, one that raised) still come through; at DEBUG, all.
    chosen = logging.getLogger().level
    logging.getLogger("apscheduler").setLevel(
        chosen if chosen <= logging.DEBUG else max(chosen, logging.WARNING)
    )
    # Warnings as log lines: one format, and through the redacting formatter.
    logging.captureWarnings(True)
