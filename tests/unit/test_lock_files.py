"""The lock files pin what pyproject.toml asks for: requirements-test.lock (CI: the
dependencies, the test extra and the build backend) and requirements.lock (the image: the
dependencies and the build backend, at CI's versions). A dependency added to pyproject.toml,
removed from it, or given a range its pin leaves, without running scripts/lock, fails here
with the command to run."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
RELOCK = "run scripts/lock, then commit requirements.lock and requirements-test.lock"
# How uv's annotations name a requirement that pyproject.toml states itself.
FROM_PYPROJECT = "briefbot (pyproject.toml)"
IMAGE, CI = "requirements.lock", "requirements-test.lock"


@dataclass(frozen=True)
class Pin:
    version: Version
    hashes: int
    via: frozenset[str]  # the lock's `# via` annotations: what asked for it


def pins(lock: str) -> dict[NormalizedName, Pin]:
    """The lock's `name==version [; marker]` entries, each with the indented lines below it."""
    found = {}
    text = (ROOT / lock).read_text(encoding="utf-8")
    for entry in re.split(r"\n(?=\S)", text):
        if entry.startswith("#") or not entry.strip():
            continue
        requirement = Requirement(entry.splitlines()[0].removesuffix("\\").strip())
        [pinned] = requirement.specifier
        assert pinned.operator == "==", entry
        via = re.findall(r"^\s+#\s+(?:via\s+)?(\S.*)$", entry, flags=re.MULTILINE)
        found[canonicalize_name(requirement.name)] = Pin(
            version=Version(pinned.version),
            hashes=len(re.findall(r"--hash=sha256:[0-9a-f]{64}", entry)),
            via=frozenset(line for line in via if line != "via"),
        )
    return found


def asked(lock: str) -> list[Requirement]:
    """What pyproject.toml asks the lock to hold."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [*pyproject["project"]["dependencies"], *pyproject["build-system"]["requires"]]
    if lock == CI:
        wanted += pyproject["project"]["optional-dependencies"]["test"]
    return [Requirement(text) for text in wanted]


@pytest.mark.parametrize("lock", [IMAGE, CI])
def test_every_requirement_is_pinned_inside_its_range(lock: str) -> None:
    pinned = pins(lock)
    problems = []
    for requirement in asked(lock):
        pin = pinned.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{requirement} is not pinned")
        elif not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{requirement.name}=={pin.version} is outside {requirement}")
        elif pin.hashes == 0:
            problems.append(f"{requirement.name}=={pin.version} has no hash")
    assert not problems, f"{lock} is out of date with pyproject.toml ({RELOCK}): {problems}"


@pytest.mark.parametrize("lock", [IMAGE, CI])
def test_nothing_is_pinned_for_pyproject_that_it_no_longer_asks_for(lock: str) -> None:
    wanted = {canonicalize_name(requirement.name) for requirement in asked(lock)}
    stale = sorted(
        name for name, pin in pins(lock).items() if FROM_PYPROJECT in pin.via and name not in wanted
    )
    assert not stale, f"{lock} pins {stale} for pyproject.toml, which no longer asks: {RELOCK}"


def test_the_image_installs_what_ci_tests() -> None:
    tested = pins(CI)
    differing = {
        name: (str(pin.version), str(tested[name].version) if name in tested else None)
        for name, pin in pins(IMAGE).items()
        if name not in tested or tested[name].version != pin.version
    }
    assert not differing, f"{IMAGE} and {CI} disagree (image, CI): {differing}: {RELOCK}"


@pytest.mark.parametrize("lock", [IMAGE, CI])
def test_the_extras_asked_for_are_pinned(lock: str) -> None:
    """python-telegram-bot[rate-limiter,job-queue]: what each extra brings, read from the
    installed package's metadata when it is the locked release."""
    pinned = pins(lock)
    problems = []
    for requirement in (r for r in asked(lock) if r.extras):
        name = canonicalize_name(requirement.name)
        if Version(metadata.version(name)) != pinned[name].version:
            pytest.skip(f"this environment's {name} is not {lock}'s: pip install -r {CI}")
        for text in metadata.requires(name) or []:
            brought = Requirement(text)
            extras = [
                e
                for e in requirement.extras
                if brought.marker and brought.marker.evaluate({"extra": e})
            ]
            pin = pinned.get(canonicalize_name(brought.name))
            if extras and (
                pin is None or not brought.specifier.contains(pin.version, prereleases=True)
            ):
                problems.append(f"{requirement.name}[{','.join(extras)}] needs {brought}")
    assert not problems, f"{lock} lacks what extras bring ({RELOCK}): {problems}"


def test_the_homeservers_lock_pins_the_synapse_its_list_asks_for() -> None:
    """requirements-synapse.lock (CI's .venv-synapse, the Matrix tests' homeserver) holds the
    release requirements-synapse.in names, and a hash for every file of everything it pins:
    `pip install --require-hashes` refuses anything less."""
    listed = (ROOT / "requirements-synapse.in").read_text(encoding="utf-8").splitlines()
    wanted = [Requirement(line) for line in listed if line.strip() and not line.startswith("#")]
    pinned = pins("requirements-synapse.lock")
    relock = "run scripts/lock, then commit requirements-synapse.lock"
    for requirement in wanted:
        pin = pinned.get(canonicalize_name(requirement.name))
        assert pin is not None, f"{requirement} is not pinned: {relock}"
        assert requirement.specifier.contains(pin.version), f"{requirement}: {pin}: {relock}"
    assert [name for name, pin in pinned.items() if pin.hashes == 0] == []
