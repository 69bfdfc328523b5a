import io
import json
import logging
import re
import sys
import warnings
from datetime import datetime, timedelta

import pytest
from telegram.error import NetworkError

from bot.core.redaction import redact
from bot.logs import RedactingStream, protect_output, setup_logging

TOKEN = "123456:SECRET-token-value"


def test_the_token_is_redacted_from_messages_arguments_and_tracebacks(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
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


def test_the_secret_half_is_redacted_on_its_own() -> None:
    assert redact("bot123456%3ASECRET-token-value/getMe", TOKEN) == "bot123456%3A<token>/getMe"
    assert redact("no secret here", "") == "no secret here"


def test_the_token_is_redacted_in_any_letter_case() -> None:
    # PTB lower-cases a refusal's text after its first letter, a quoted token with it.
    assert redact(f"Not for bot{TOKEN.lower()}", TOKEN) == "Not for bot<token>"
    assert redact(TOKEN.partition(":")[2].upper(), TOKEN) == "<token>"


def test_output_outside_logging_is_redacted_even_written_in_pieces() -> None:
    sink = io.StringIO()
    stream = RedactingStream(sink, TOKEN)
    stream.write("InvalidToken: The token `123456:SEC")
    assert sink.getvalue() == ""  # held until the line is whole
    stream.write("RET-token-value` was rejected\nnext")
    stream.flush()
    assert sink.getvalue() == "InvalidToken: The token `<token>` was rejected\nnext"


def test_an_uncaught_exception_and_a_warning_never_show_the_token(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        logging.captureWarnings(False)  # as in a fresh process, whatever tests ran before
        protect_output(TOKEN)
        setup_logging("INFO", TOKEN)
        try:
            warnings.warn(f"unclosed session for /bot{TOKEN}/getMe", ResourceWarning, stacklevel=1)
        finally:
            logging.captureWarnings(False)
    try:
        raise ValueError(f"The token `{TOKEN}` was rejected by the server.")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    print(f"a library's print of {TOKEN}")
    sys.stdout.flush()
    sys.stderr.flush()
    printed = capsys.readouterr()
    assert "ValueError: The token `<token>` was rejected" in printed.err
    assert "ResourceWarning: unclosed session for /bot<token>/getMe" in printed.err
    assert printed.out == "a library's print of <token>\n"
    assert "SECRET" not in printed.out + printed.err


def test_ptb_reports_of_a_failed_call_are_one_line(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("INFO", TOKEN)
    try:
        raise NetworkError("aiohttp.ClientConnectorError: Cannot connect to host")
    except NetworkError:
        logging.getLogger("telegram.ext.Updater").exception("Error while calling `get_updates`")
        logging.getLogger("bot.telegram.errors").exception("error while handling an update")
    ptb, *ours = capsys.readouterr().err.splitlines()
    assert ptb.endswith(
        "Error while calling `get_updates` "
        "(NetworkError: aiohttp.ClientConnectorError: Cannot connect to host)"
    )
    assert ours[0].endswith("error while handling an update")
    assert "Traceback (most recent call last):" in ours  # the bot's own keep theirs


def test_text_lines_keep_their_format(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("INFO", TOKEN)
    logging.getLogger("briefbot.test").info("hello %s", "reader")
    [line] = capsys.readouterr().err.splitlines()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO briefbot.test: hello reader", line
    )


def test_json_lines_carry_the_fields_and_never_the_token(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("INFO", TOKEN, "json")
    log = logging.getLogger("briefbot.test")
    log.warning("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"the token {TOKEN}\nand its half {TOKEN.partition(':')[2]}")
    except RuntimeError:
        log.exception("request failed")
    printed = capsys.readouterr().err
    first, second = (json.loads(line) for line in printed.splitlines())
    assert first["message"] == "calling https://api.telegram.org/bot<token>/getMe"
    assert (first["level"], first["logger"]) == ("WARNING", "briefbot.test")
    assert datetime.fromisoformat(first["time"]).utcoffset() == timedelta(0)
    assert "update_id" not in first  # logged outside any update
    assert second["message"] == "request failed"
    assert second["exception"].startswith("Traceback (most recent call last):")
    assert "RuntimeError: the token <token>\nand its half <token>" in second["exception"]
    assert "SECRET" not in printed


@pytest.mark.parametrize(("level", "shown"), [("INFO", False), ("DEBUG", True)])
def test_each_run_of_a_scheduled_job_is_not_logged_unless_debugging(
    restore_logging: None, capsys: pytest.CaptureFixture[str], level: str, shown: bool
) -> None:
    setup_logging(level, TOKEN)
    scheduler = logging.getLogger("apscheduler.executors.default")
    scheduler.info('Running job "push tick" (scheduled at 2026-12-07 16:22:00+00:00)')
    scheduler.warning('Run time of job "push tick" was missed by 0:00:03')
    printed = capsys.readouterr().err
    assert ("Running job" in printed) is shown
    assert "was missed by" in printed
