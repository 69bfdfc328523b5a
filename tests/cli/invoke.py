"""`briefbot` run in the test's process, its output captured."""

from __future__ import annotations

import pytest

from bot.cli import main


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
