"""Parsing uploads in a child process: the same answers as in process, within a time limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from brief import MAX_BRIEF_BYTES, BriefError, parse_text
from brief.isolated import Upload, UploadParser, _child_environment, parse_upload


async def test_a_child_parses_a_paste_to_the_brief_parsed_in_process(briefs_dir: Path) -> None:
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    links = (("Al Jazeera", "https://www.aljazeera.com/"),)
    expected = parse_text(text, links)
    assert await UploadParser().parse(Upload(text, links=links)) == expected


@pytest.mark.parametrize("example", ["es/valencia-bike-lanes.txt", "uk/lviv-night-trams.txt"])
async def test_a_child_carries_the_briefs_language(briefs_dir: Path, example: str) -> None:
    content = (briefs_dir / example).read_bytes()
    result = await UploadParser().parse(Upload(content))
    assert result == parse_upload(Upload(content))
    assert result.brief.language == example.split("/")[0]


async def test_a_child_refuses_what_the_parser_refuses(briefs_dir: Path) -> None:
    content = (briefs_dir / "invalid" / "citation-out-of-range.txt").read_bytes()
    with pytest.raises(BriefError) as in_process:
        parse_upload(Upload(content))
    with pytest.raises(BriefError) as in_child:
        await UploadParser().parse(Upload(content))
    assert in_child.value.problems == in_process.value.problems
    assert any(problem.line == 5 for problem in in_child.value.problems)


async def test_a_parse_over_the_time_limit_is_refused_and_its_child_killed() -> None:
    # No child starts, let alone parses, within a millisecond: the limit always runs out.
    parser = UploadParser(timeout=0.001)
    before = _children()  # this test process's own (tests/forkserver.py's server, say)
    with pytest.raises(BriefError) as error:
        await parser.parse(Upload("Title\nSummary"))
    [problem] = error.value.problems
    assert "took longer than 0.001 seconds" in problem.message
    assert "nothing was stored" in problem.message
    assert _children() == before  # killed and reaped, not left running


def test_the_child_is_started_without_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:secret")
    monkeypatch.setenv("DATABASE_PATH", "/data/briefbot.db")
    environment = _child_environment()
    assert "TELEGRAM_BOT_TOKEN" not in environment
    assert environment["DATABASE_PATH"] == "/data/briefbot.db"  # the rest is passed on


def test_a_paste_larger_than_a_file_may_be_is_refused() -> None:
    with pytest.raises(BriefError, match="the paste is larger than 1 MB"):
        parse_upload(Upload("é" * (MAX_BRIEF_BYTES // 2 + 1)))


def _children() -> list[int]:
    """This process's child processes that are still alive (zombies included)."""
    me = str(os.getpid())
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:
            found.append(int(entry.name))
    return found
