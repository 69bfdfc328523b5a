"""The release workflow (.github/workflows/release.yml), checked without GitHub: what a version
tag publishes and with which rights, read from the file, and the shell of its steps run here
(the tag check, the notes from CHANGELOG.md, and `gh release create` with a stand-in `gh`).
actionlint checks the rest in .ci/run."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
CHANGELOG = """# Changelog

## [Unreleased]

- Work in progress.

## [0.2.0] - 2026-12-01

### Added

- SOCKS5 proxies.

## [0.1.0] - 2026-11-01

- The first release.
"""


def workflow() -> dict[Any, Any]:
    loaded = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def step(name: str) -> dict[str, Any]:
    """The step of that name, in whichever job holds it."""
    [found] = [
        s for job in workflow()["jobs"].values() for s in job["steps"] if s.get("name") == name
    ]
    assert isinstance(found, dict)
    return found


def uses(job: str) -> dict[str, dict[str, Any]]:
    """The job's actions by name (without the version), with their inputs."""
    steps = workflow()["jobs"][job]["steps"]
    return {s["uses"].partition("@")[0]: s.get("with", {}) for s in steps if "uses" in s}


def run(name: str, cwd: Path, tag: str, path: str = "") -> subprocess.CompletedProcess[str]:
    """The step's shell as GitHub runs it with `shell: bash`."""
    assert workflow()["defaults"]["run"]["shell"] == "bash"
    script = cwd / "step.sh"
    script.write_text(step(name)["run"])
    env = {"PATH": f"{path}{os.environ['PATH']}", "GITHUB_REF_NAME": tag}
    command = ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_a_version_tag_and_nothing_else_starts_it() -> None:
    triggers = workflow()[True]  # YAML 1.1 reads the key `on` as true
    assert triggers == {"push": {"tags": ["v*"]}}


def test_each_job_has_only_the_rights_it_needs() -> None:
    assert workflow()["permissions"] == {}
    rights = {name: job["permissions"] for name, job in workflow()["jobs"].items()}
    assert rights == {
        "dist": {"contents": "read"},
        "image": {"contents": "read", "packages": "write"},
        "release": {"contents": "write"},
    }


def test_the_image_is_built_for_amd64_and_arm64_and_pushed_to_ghcr() -> None:
    image = uses("image")
    assert list(image)[:3] == [
        "docker/setup-qemu-action",
        "docker/setup-buildx-action",
        "docker/login-action",
    ]
    assert image["docker/login-action"]["registry"] == "ghcr.io"
    meta = image["docker/metadata-action"]
    assert meta["images"] == "ghcr.io/${{ github.repository }}"
    # The version without its `v`, and `latest` for a release (not a pre-release).
    assert (meta["tags"], meta["flavor"]) == ("type=pep440,pattern={{version}}", "latest=auto")
    built = image["docker/build-push-action"]
    assert set(built["platforms"].split(",")) == {"linux/amd64", "linux/arm64"}
    assert built["push"] is True
    assert built["tags"] == "${{ steps.meta.outputs.tags }}"
    assert workflow()["jobs"]["image"]["needs"] == "dist"  # the tag is checked first


def test_the_tag_must_be_the_package_version(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / f"briefbot-{VERSION}-py3-none-any.whl").touch()
    assert run("The tag is the package's version", tmp_path, f"v{VERSION}").returncode == 0
    refused = run("The tag is the package's version", tmp_path, "v9.9.9")
    assert refused.returncode == 1
    assert refused.stdout.startswith(f"::error::the tag v9.9.9 is not v{VERSION}, ")


@pytest.mark.parametrize(
    ("tag", "notes"),
    [
        ("v0.2.0", "\n### Added\n\n- SOCKS5 proxies.\n\n"),
        ("v0.1.0", "\n- The first release.\n"),
        ("v0.3.0", ""),
    ],
)
def test_the_release_notes_are_the_changelog_section(tmp_path: Path, tag: str, notes: str) -> None:
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG)
    done = run("Release notes from CHANGELOG.md", tmp_path, tag)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "notes.md").read_text() == notes
    assert ("::warning::" in done.stdout) is (not notes)


@pytest.mark.parametrize(
    ("tag", "notes", "expected"),
    [
        ("v0.2.0", "- SOCKS5 proxies.\n", ["--notes-file", "notes.md"]),
        ("v0.2.0", "\n", ["--generate-notes"]),
        ("v0.3.0rc1", "- Soon.\n", ["--notes-file", "notes.md", "--prerelease"]),
        ("v0.3.0.dev2", "- Soon.\n", ["--notes-file", "notes.md", "--prerelease"]),
    ],
)
def test_the_release_carries_the_sdist_and_the_wheel(
    tmp_path: Path, tag: str, notes: str, expected: list[str]
) -> None:
    version = tag.removeprefix("v")
    dist = tmp_path / "dist"
    dist.mkdir()
    files = [f"briefbot-{version}-py3-none-any.whl", f"briefbot-{version}.tar.gz"]
    for name in files:
        (dist / name).touch()
    (tmp_path / "notes.md").write_text(notes)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text('#!/bin/sh\nprintf "%s\\n" "$@" > gh-args\n')
    (bin_dir / "gh").chmod(0o755)
    done = run("Publish the release with the sdist and the wheel", tmp_path, tag, f"{bin_dir}:")
    assert done.returncode == 0, done.stderr
    argv = (tmp_path / "gh-args").read_text().splitlines()
    assert argv[:2] == ["release", "create"]
    assert argv[2] == tag
    assert sorted(argv[3:5]) == sorted(f"dist/{name}" for name in files)
    assert argv[5:] == ["--verify-tag", "--title", f"briefbot {version}", *expected]


def test_compose_names_the_image_this_version_publishes() -> None:
    """compose.yaml pulls what a release of this very version pushed (the owner stands for
    the repository's, as docs/operators/docker.md says), and keeps `build:` for a clone; a new
    version in pyproject.toml moves the image's tag with it."""
    bot = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))["services"]["bot"]
    assert bot["image"] == f"ghcr.io/briefbot/briefbot:{VERSION}", (
        f"compose.yaml's image: set its tag to {VERSION}, the version in pyproject.toml"
    )
    assert bot["build"] == "."
