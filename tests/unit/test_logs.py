import logging
from collections.abc import Iterator

import pytest

from bot.logs import setup_logging

TOKEN = "123456:SECRET-token-value"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_the_token_is_redacted_from_messages_arguments_and_tracebacks(
    restore_logging: object, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("INFO", TOKEN)
    log = logging.getLogger("briefbot.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"redirected to https://example.org/bot{TOKEN}/sendMessage")
    except RuntimeError:
        log.exception("request failed")
    printed = capsys.readouterr().err
    assert "RuntimeError: redirected to https://example.org/bot<token>/sendMessage" in printed
    assert "getMe" in printed
    assert TOKEN not in printed
