"""Odd values in settings, digits of other scripts among them: `briefbot run` says in one
line which setting is wrong and exits 2, whatever the value, before it starts anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

SUPERSCRIPT_TWO = "\u00b2"  # str.isdigit() says yes, int() says no
ARABIC = str.maketrans("0123456789", "".join(chr(0x0660 + d) for d in range(10)))


def arabic(text: str) -> str:
    """`text` with its digits in Arabic-Indic (which int() and re's \\d would read)."""
    return text.translate(ARABIC)


ODD = [
    ("ADMIN_IDS", SUPERSCRIPT_TWO),
    ("ADMIN_IDS", f"11,{arabic('22')}"),
    ("ADMIN_IDS", "9" * 5000),  # more digits than int() reads
    ("BACKUP_KEEP", SUPERSCRIPT_TWO),
    ("BACKUP_KEEP", arabic("10")),
    ("HTTP_PORT", SUPERSCRIPT_TWO),
    ("HTTP_PORT", arabic("8080")),
    ("WEBHOOK_MAX_CONNECTIONS", SUPERSCRIPT_TWO),
    ("PUSH_RATE_LIMIT", arabic("10")),
    ("PUSH_RATE_LIMIT", "1_0"),
    ("DEFAULT_DELIVERY_TIME", arabic("07:30")),
    ("DEFAULT_TIMEZONE", "localtime"),
    ("DEFAULT_TIMEZONE", "Factory"),
    ("DEFAULT_TIMEZONE", "US/Eastern"),
    ("CHANNEL_IDS", f"-100{arabic('1234567890')}"),
    ("TELEGRAM_BOT_TOKEN", f"{arabic('123')}:AAH-token"),
    ("TELEGRAM_API_URL", f"http://127.0.0.1:{SUPERSCRIPT_TWO}"),
    ("TELEGRAM_API_URL", f"http://127.0.0.1:{arabic('81')}"),
    ("WEBHOOK_URL", f"https://bot.example.com:{SUPERSCRIPT_TWO}/hook"),
    ("HTTP_PROXY", f"http://proxy.example:{arabic('3128')}"),
    ("DATABASE_URL", f"postgresql://bot:s3cret@db:{SUPERSCRIPT_TWO}/briefbot"),
]


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Valid settings, in a folder without a .env; nothing listens at the Bot API's URL."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:secret")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "b.db"))


@pytest.mark.parametrize(("name", "value"), ODD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ODD)])
@pytest.mark.usefixtures("settings")
def test_an_odd_value_is_one_line_naming_the_setting(
    name: str,
    value: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["run"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"briefbot: {name} "), line
    assert "s3cret" not in line
    assert not (tmp_path / "b.db").exists()  # refused before the database was opened


@pytest.mark.usefixtures("settings")
def test_health_with_an_odd_port_says_not_ready_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HTTP_PORT", SUPERSCRIPT_TWO)
    assert main(["health"]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("not ready: HTTP_PORT must be a whole number from 1 to 65535")
