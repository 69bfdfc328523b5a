"""The `briefbot` command line, as an admin or operator uses it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from bot.cli import main
from brief import parse_text, to_json
from storage import Storage
from tests.conftest import DATA
from tests.databases import UNUSABLE, unusable_database

VALID = sorted((DATA / "briefs").glob("*.txt"))
INVALID_LINES = {
    "one-narrative.txt": ("line 6", "at least two narratives"),
    "citation-out-of-range.txt": ("line 5", "cites source 3, but only 2 sources"),
    "no-facts.txt": ("", "no Facts section"),
    "sources-misnumbered.txt": ("line 5", "skip from 1 to 3"),
    "empty.txt": ("", "empty"),
}


def schema() -> dict[str, object]:
    loaded: dict[str, object] = json.loads((DATA / "brief.schema.json").read_text())
    return loaded


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_parse_prints_schema_valid_json(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    jsonschema.validate(printed, schema())
    assert printed == to_json(parse_text(path.read_text(encoding="utf-8")).brief)


def test_parse_reference_brief(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(DATA / "briefs" / "putin-north-korea.txt")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["title"] == "Putin Makes First Visit to North Korea in 24 Years"
    assert [f["sources"] for f in printed["facts"]] == [[1], [2], [3], [4], [5], [6]]
    assert [s["name"] for s in printed["sources"]] == [
        "Al Jazeera",
        "POLITICO",
        "TASS",
        "BBC News",
        "Guardian",
        "The Diplomat",
    ]
    assert [(n["label"], n["outlet"]) for n in printed["narratives"]] == [
        ("Anti-Russia", "Firstpost"),
        ("Pro-Russia", "TASS"),
    ]


def test_parse_reads_the_json_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    brief = to_json(parse_text((DATA / "briefs" / "harbor-bridge-vote.txt").read_text()).brief)
    path = tmp_path / "brief.json"
    path.write_text(json.dumps(brief))
    assert main(["parse", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == brief


@pytest.mark.parametrize("name", sorted(INVALID_LINES))
def test_parse_refuses_invalid_briefs_with_their_line(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = DATA / "briefs" / "invalid" / name
    assert main(["parse", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    line, reason = INVALID_LINES[name]
    problems = captured.err.strip().splitlines()
    assert any(f"{path}: {line}" in p and reason in p for p in problems), problems


def test_parse_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(tmp_path / "nope.txt")]) == 1
    assert "cannot read the file" in capsys.readouterr().err


def test_import_is_all_or_nothing_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "briefs.db"
    monkeypatch.setenv("DATABASE_PATH", str(database))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    files = [
        DATA / "briefs" / "putin-north-korea.txt",
        DATA / "briefs" / "invalid" / "citation-out-of-range.txt",
        DATA / "briefs" / "coastal-wind-farm.txt",
        DATA / "briefs" / "invalid" / "empty.txt",
    ]
    assert main(["import", *map(str, files)]) == 1
    captured = capsys.readouterr()
    assert "putin-north-korea.txt: published as brief #1" in captured.out
    assert "coastal-wind-farm.txt: published as brief #2" in captured.out
    assert "citation-out-of-range.txt: refused" in captured.err
    assert "citation-out-of-range.txt: line 5: fact cites source 3" in captured.err
    assert "empty.txt: refused" in captured.err

    async def titles() -> list[str]:
        storage = await Storage.open(database)
        try:
            found = [await storage.briefs.get(n) for n in (1, 2, 3)]
            return [s.brief.title for s in found if s is not None]
        finally:
            await storage.close()

    assert asyncio.run(titles()) == [
        "Putin Makes First Visit to North Korea in 24 Years",
        "Regulators Clear Largest Offshore Wind Farm on the Coast",
    ]


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(DATA.parents[1]), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_without_a_token_says_where_to_get_one(tmp_path: Path) -> None:
    result = run_cli("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "@BotFather" in result.stderr


def test_run_with_a_malformed_setting_names_it(tmp_path: Path) -> None:
    result = run_cli("run", env={"TELEGRAM_BOT_TOKEN": "1:a", "ADMIN_IDS": "me"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "ADMIN_IDS" in result.stderr


@pytest.fixture
def unusable(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Path, str]]:
    with unusable_database(request.param, tmp_path) as found:
        yield found


@pytest.mark.parametrize("unusable", UNUSABLE, indirect=True)
@pytest.mark.parametrize("command", ["run", "import"])
def test_an_unusable_database_path_is_one_line_naming_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
    unusable: tuple[Path, str],
    command: str,
    request: pytest.FixtureRequest,
) -> None:
    path, reason = unusable
    kind = request.node.callspec.params["unusable"]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(path))
    # Nothing listens here: a run that went on to Telegram would say so.
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:secret")
    args = ["import", str(DATA / "briefs" / "putin-north-korea.txt")] if command == "import" else []
    assert main(args or ["run"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"briefbot: DATABASE_PATH {path} cannot be used: {reason}")
    assert (
        "; set DATABASE_PATH to a writable SQLite file (created if missing) in an existing folder"
        in line
    )
    if kind == "read-only":  # what a container user whose volume is root's must do
        assert f"this process runs as uid {os.getuid()}" in line
        assert f"chown -R {os.getuid()} {path.resolve().parent}" in line


def test_parse_into_a_pipe_closed_early_ends_quietly(tmp_path: Path) -> None:
    # `briefbot parse FILE | head -1`: the reader leaves after one line.
    text = (DATA / "briefs" / "harbor-bridge-vote.txt").read_text(encoding="utf-8")
    head, facts, rest = text.partition("Facts\n")
    fact = rest.splitlines(keepends=True)[0]
    big = tmp_path / "big.txt"
    big.write_text(head + facts + fact * 2000 + rest, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "parse", str(big)],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(DATA.parents[1])},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    assert process.stdout.readline() == b"{\n"
    process.stdout.close()
    errors = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=60) == 1
    assert errors == b""


@pytest.mark.parametrize("command", ["run", "migrate"])
def test_database_path_beside_database_url_is_warned_about_then_the_url_used(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
    command: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "b.db"))
    # Nothing listens on port 9: the URL is what the command then tries, and says so.
    monkeypatch.setenv("DATABASE_URL", "postgresql://briefbot:pw@127.0.0.1:9/briefbot")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:secret")
    assert main([command]) == 2
    warning, refusal = capsys.readouterr().err.splitlines()
    assert warning.startswith("briefbot: warning: both DATABASE_URL and DATABASE_PATH are set")
    assert refusal.startswith("briefbot: DATABASE_URL postgresql://briefbot:***@127.0.0.1:9/")
    assert not (tmp_path / "b.db").exists()
