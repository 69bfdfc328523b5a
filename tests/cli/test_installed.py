"""The package as `pip install .` leaves it: run from outside any checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA


def test_installed_package_parses_and_renders_from_anywhere(tmp_path: Path) -> None:
    # No PYTHONPATH and a foreign working directory: only the installed package can answer.
    env = {"PATH": os.environ.get("PATH", "")}
    brief = DATA / "briefs" / "putin-north-korea.txt"
    parsed = subprocess.run(
        [sys.executable, "-m", "bot", "parse", str(brief)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(parsed.stdout)["title"].startswith("Putin Makes First Visit")
    rendered = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bot.core.rendering import Renderer; print(Renderer().render('start.html'))",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "Welcome to briefbot" in rendered.stdout
