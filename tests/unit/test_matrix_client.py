"""The Matrix account's access token never reaches a log line or a report."""

from __future__ import annotations

from bot.config.matrix import MatrixSettings
from bot.core.redaction import redact
from bot.matrix.client import MATRIX_TOKEN_LABEL, close_client, open_client


async def test_the_access_token_is_redacted_once_the_client_is_opened() -> None:
    token = "syt_YnJpZWZib3Q_abcdefghijklmnop_0a1b2c"
    settings = MatrixSettings("https://matrix.example.org", "@briefbot:example.org", token)
    client = open_client(settings)
    try:
        line = f"GET /sync failed: Authorization: Bearer {token}"
        assert redact(line, "") == f"GET /sync failed: Authorization: Bearer {MATRIX_TOKEN_LABEL}"
    finally:
        await close_client(client)
