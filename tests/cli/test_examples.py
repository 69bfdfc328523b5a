"""`examples/`: every brief there is one `briefbot parse` accepts, as the README promises."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from bot.cli import main
from tests.conftest import DATA

EXAMPLES = DATA.parents[1] / "examples"
SCHEMA = json.loads((DATA / "brief.schema.json").read_text(encoding="utf-8"))


def examples() -> list[Path]:
    return sorted(path for path in EXAMPLES.iterdir() if not path.name.startswith("."))


def test_the_reference_brief_is_among_the_examples() -> None:
    assert "putin-north-korea.txt" in [path.name for path in examples()]
    assert all(path.is_file() for path in examples())


@pytest.mark.parametrize("path", examples(), ids=lambda path: path.name)
def test_briefbot_parse_accepts_each_example(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["parse", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    brief = json.loads(out)
    jsonschema.validate(brief, SCHEMA)
    assert brief["title"]
    assert "problem" not in err.lower()
