"""`briefbot --version`, each command's help, `import` beyond publishing, and `backup`."""

from __future__ import annotations

import asyncio
import sqlite3
import tomllib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import SETTINGS
from brief import Brief, parse_text
from storage import Storage
from tests.cli.invoke import cli
from tests.conftest import DATA
from tests.databases import dump, read_only

BRIEFS = DATA / "briefs"
PUTIN = BRIEFS / "putin-north-korea.txt"
WIND = BRIEFS / "coastal-wind-farm.txt"
INVALID = BRIEFS / "invalid" / "empty.txt"


def exits(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[object, str]:
    with pytest.raises(SystemExit) as stopped:
        main(list(args))
    return stopped.value.code, capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = exits(capsys, "--version")
    assert code == 0
    assert out.strip() == f"briefbot {project_version()}"


def project_version() -> str:
    """The version pyproject.toml declares, which the installed package's metadata carries."""
    with (DATA.parents[1] / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


@pytest.mark.parametrize(
    ("command", "does", "reads"),
    [
        ("parse", "print a brief file as JSON", ()),
        ("import", "publish brief files", ("DATABASE_PATH",)),
        ("backup", "consistent, checked copy of the database", ("DATABASE_PATH",)),
        ("run", "start the bot", SETTINGS),
        ("check", "check every setting, show those in effect, and ask Telegram", SETTINGS),
    ],
)
def test_each_command_says_what_it_does_and_the_settings_it_reads(
    capsys: pytest.CaptureFixture[str], command: str, does: str, reads: tuple[str, ...]
) -> None:
    code, out = exits(capsys, command, "--help")
    assert code == 0
    text = " ".join(out.split())  # argparse wraps lines
    assert does.lower() in text.lower()
    for name in reads:
        assert name in text
    if not reads:
        assert "reads no settings" in text


def test_dry_run_reports_and_writes_nothing(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "import", "--dry-run", str(PUTIN), str(INVALID), str(PUTIN))
    assert code == 1
    assert not database.exists(), "a dry run created the database"
    assert f"{PUTIN}: would publish: Putin Makes First Visit" in out
    assert f"{PUTIN}: same content as {PUTIN}; would skip" in out
    assert f"{INVALID}: refused" in err
    assert out.splitlines()[-1] == ("dry run, nothing written: would publish 1, skip 1, refuse 1")
    assert cli(capsys, "import", str(PUTIN))[0] == 0
    before = dump(database)
    code, out, _ = cli(capsys, "import", "--dry-run", str(PUTIN), str(WIND))
    assert code == 0
    assert f"{PUTIN}: already published as #1; would skip" in out
    assert f"{WIND}: would publish" in out
    assert dump(database) == before


def test_content_already_published_is_skipped_unless_forced(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, "import", str(PUTIN))[0] == 0
    # The same brief saved again with other spacing is the same content.
    respaced = tmp_path / "respaced.txt"
    respaced.write_text(
        "\n".join(f"{line}   " for line in PUTIN.read_text(encoding="utf-8").splitlines()) + "\n\n"
    )
    code, out, _ = cli(capsys, "import", str(respaced), str(WIND))
    assert code == 0
    assert out.splitlines() == [
        f"{respaced}: already published as #1; skipped (--force to publish)",
        f"{WIND}: published as brief #2: Regulators Clear Largest Offshore Wind Farm on the Coast",
        "published 1, skipped 1, refused 0",
    ]
    code, out, _ = cli(capsys, "import", "--force", str(PUTIN))
    assert code == 0
    assert out.splitlines()[0].startswith(f"{PUTIN}: published as brief #3")


def test_a_corrected_brief_is_compared_by_its_current_content(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, "import", str(PUTIN))[0] == 0
    original = parse_text(PUTIN.read_text(encoding="utf-8")).brief
    asyncio.run(_correct(database, 1, replace(original, summary="Corrected summary.")))
    code, out, _ = cli(capsys, "import", str(PUTIN))
    assert code == 0
    assert out.splitlines()[-1] == "published 1, skipped 0, refused 0"


def test_withdrawn_content_is_skipped_too_and_says_so(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, "import", str(PUTIN))[0] == 0
    asyncio.run(_retract(database, 1))
    code, out, _ = cli(capsys, "import", str(PUTIN))
    assert code == 0
    assert out.splitlines()[0] == (
        f"{PUTIN}: already published as #1 (withdrawn); skipped (--force to publish)"
    )


async def _correct(database: Path, brief_id: int, brief: Brief) -> None:
    async with await Storage.open(database) as storage:
        assert await storage.briefs.correct(brief_id, brief, by=None, at=datetime.now(UTC))


async def _retract(database: Path, brief_id: int) -> None:
    async with await Storage.open(database) as storage:
        await storage.briefs.retract(brief_id, by=None, at=datetime.now(UTC))


def test_backup_writes_a_copy_that_opens(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, "import", str(PUTIN), str(WIND))[0] == 0
    target = tmp_path / "copy.db"
    code, out, err = cli(capsys, "backup", str(target))
    assert (code, err) == (0, "")
    assert out.strip() == f"backed up {database} to {target}"
    assert dump(target) == dump(database)
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("case", ["missing folder", "unwritable folder", "exists", "no database"])
def test_backup_refusals_are_one_line_and_exit_code_2(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    if case != "no database":
        assert cli(capsys, "import", str(PUTIN))[0] == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "copy.db"
    if case == "missing folder":
        target = tmp_path / "nowhere" / "copy.db"
    if case == "exists":
        target.write_text("an older backup")
    expected = {
        "missing folder": f"briefbot: cannot back up to {target}: the folder {target.parent} "
        "does not exist",
        "unwritable folder": f"briefbot: cannot back up to {target}: the folder {folder} "
        "cannot be written",
        "exists": f"briefbot: cannot back up to {target}: {target} already exists "
        "(use --force to replace it)",
        "no database": f"briefbot: DATABASE_PATH {database} does not exist: nothing to back up",
    }[case]
    if case == "unwritable folder":
        with read_only(folder):
            code, out, err = cli(capsys, "backup", str(target))
    else:
        code, out, err = cli(capsys, "backup", str(target))
    assert (code, out) == (2, "")
    [line] = err.splitlines()
    assert line.startswith(expected)
    if case == "no database":
        assert not database.exists(), "backup created an empty database"
    if case == "exists":
        assert target.read_text() == "an older backup"
        assert cli(capsys, "backup", "--force", str(target))[0] == 0
        assert dump(target) == dump(database)
