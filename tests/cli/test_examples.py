"""`examples/`: every brief there is one `briefbot parse` accepts, as the README promises.

Briefs in other languages sit in a folder named for the language (`examples/es/`); the
parsed brief must carry that language.
"""

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
    return sorted(
        path
        for path in EXAMPLES.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.parts)
    )


def language(path: Path) -> str:
    return "en" if path.parent == EXAMPLES else path.parent.name


def test_the_reference_brief_is_among_the_examples() -> None:
    assert "putin-north-korea.txt" in [path.name for path in examples()]
    assert all(path.suffix == ".txt" for path in examples())


def test_there_are_examples_in_every_language_the_format_has_words_for() -> None:
    assert {language(path) for path in examples()} == {"en", "es", "uk", "ru"}


@pytest.mark.parametrize("path", examples(), ids=lambda path: f"{language(path)}/{path.name}")
def test_briefbot_parse_accepts_each_example(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["parse", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    brief = json.loads(out)
    jsonschema.validate(brief, SCHEMA)
    assert brief["title"]
    assert brief["language"] == language(path)
    assert "problem" not in err.lower()
