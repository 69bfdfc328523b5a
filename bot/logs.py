"""Logging set-up that keeps the bot token out of every log line."""

from __future__ import annotations

import logging


class RedactingFormatter(logging.Formatter):
    """Replaces the token wherever it appears in the finished line, traceback included.

    Bot API URLs carry the token, and an exception's text may quote one; redacting the
    formatted output catches it wherever it came from.
    """

    def __init__(self, token: str, fmt: str) -> None:
        super().__init__(fmt)
        self._token = token

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text.replace(self._token, "<token>") if self._token else text


def setup_logging(level: str, token: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter(token, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request URL, and Bot API URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
