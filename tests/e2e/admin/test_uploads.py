"""Refused uploads, documents, and a long paste cut into several messages."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.publishing import paste
from bot.telegram.context import BriefApplication
from brief import parse_text
from brief.isolated import UploadParser
from brief.printer import to_json
from storage import Storage
from tests.e2e.admin.conftest import send_file, snapshot
from tests.e2e.conftest import press, say
from tests.fakebot import FakeBotApi, FakeUser

# What each file in invalid/ is refused for (EXPECTED.md), as the admin reads it.
REFUSALS = {
    "citation-out-of-range.txt": "line 5: fact cites source 3, but only 2 sources are listed",
    "no-facts.txt": "there is no Facts section",
    "one-narrative.txt": "line 6: a brief needs at least two narratives",
    "sources-misnumbered.txt": "line 5: the sources skip from 1 to 3",
    "empty.txt": "the upload is empty",
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
async def test_every_invalid_upload_is_refused_and_stores_nothing(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    briefs_dir: Path,
    db_path: Path,
    name: str,
) -> None:
    content = (briefs_dir / "invalid" / name).read_bytes()
    before = snapshot(db_path)
    if content.strip():
        [refusal] = await say(server, admin, content.decode("utf-8"))
    else:  # Telegram cannot send an empty message; an empty file it can
        [refusal] = await send_file(server, admin, name, content)
    assert "Not stored" in refusal.text
    assert REFUSALS[name] in refusal.text
    assert refusal.buttons == []
    assert snapshot(db_path) == before


async def test_a_refusal_lists_every_problem_and_a_fixed_upload_goes_through(
    server: FakeBotApi, bot_app: BriefApplication, admin: FakeUser, briefs_dir: Path
) -> None:
    text = (briefs_dir / "harbor-bridge-vote.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    facts_at = lines.index("Facts")
    stray = [*lines[: facts_at + 1], "A line that is not a fact", *lines[facts_at + 1 :]]
    one_narrative = [line for line in stray if "narrative, as provided by" not in line]
    one_narrative.append("- Only narrative, as provided by Nobody. Alone.")
    [refusal] = await say(server, admin, "\n".join(one_narrative))
    assert "2 problems" in refusal.text
    assert f"line {facts_at + 2}: this line in the Facts section is not a fact" in refusal.text
    heading = one_narrative.index("Narratives") + 1
    assert f"line {heading}: a brief needs at least two narratives" in refusal.text
    _, details = await say(server, admin, text, expect=2)
    assert details.button("Publish")


async def test_document_uploads_text_and_json(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    reader: FakeUser,
    briefs_dir: Path,
    storage: Storage,
) -> None:
    long_text = (briefs_dir / "northfield-budget-long.txt").read_bytes()
    summary, details = await send_file(server, admin, "northfield.txt", long_text, expect=2)
    assert await server.wait_for_call("getFile")
    expected = parse_text(long_text.decode("utf-8")).brief
    assert summary.text.startswith(expected.title)
    assert f"{len(expected.facts)} facts · {len(expected.sources)} sources" in details.text
    await press(server, admin, details, "Publish", expect=1)
    stored = await storage.briefs.latest()
    assert stored is not None
    assert stored.brief == expected

    wind = parse_text((briefs_dir / "coastal-wind-farm.txt").read_text(encoding="utf-8")).brief
    as_json = json.dumps(to_json(wind)).encode()
    _, details = await send_file(server, admin, "wind.JSON", as_json, expect=2)
    await press(server, admin, details, "Publish", expect=1)
    stored = await storage.briefs.latest()
    assert stored is not None
    assert stored.brief == wind
    [brief] = await say(server, reader, "/brief")
    assert brief.text.startswith(wind.title)


async def test_markdown_file_is_read_as_text(
    server: FakeBotApi, bot_app: BriefApplication, admin: FakeUser, briefs_dir: Path
) -> None:
    content = (briefs_dir / "harbor-bridge-vote.txt").read_bytes()
    _, details = await send_file(server, admin, "bridge.md", content, expect=2)
    assert details.button("Publish")


async def test_wrong_type_big_file_and_bad_json_are_refused(
    server: FakeBotApi, bot_app: BriefApplication, admin: FakeUser, db_path: Path
) -> None:
    before = snapshot(db_path)
    [refusal] = await send_file(server, admin, "brief.pdf", b"%PDF-1.4")
    assert "brief.pdf" in refusal.text
    assert "as a .txt, .md or .json file" in refusal.text
    [refusal] = await send_file(server, admin, "huge.txt", b"x" * (1024 * 1024 + 1))
    assert "at most 1 MB" in refusal.text
    # Neither was downloaded: the name and declared size are enough to refuse.
    assert [c for c in server.calls if c.method == "getFile"] == []
    [refusal] = await send_file(server, admin, "broken.json", b'{"title": "x",\n  oops}')
    assert "Not stored" in refusal.text
    assert re.search(r"line 2\b", refusal.text)
    [refusal] = await send_file(server, admin, "latin1.txt", "Café\nSummary".encode("latin-1"))
    assert "UTF-8" in refusal.text
    assert snapshot(db_path) == before


async def test_a_split_paste_becomes_one_brief(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    briefs_dir: Path,
    storage: Storage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(paste, "PASTE_WINDOW_SECONDS", 2.0)  # the production window
    text = (briefs_dir / "northfield-budget-long.txt").read_text(encoding="utf-8")
    parts = split_like_a_client(text)
    assert len(parts) >= 2
    before = len(server.sent(admin.id))
    for part in parts:
        await server.send_text(admin, part)
    summary, details = (await server.wait_sent(admin.id, before + 2, timeout=10))[before:]
    expected = parse_text(text).brief
    assert summary.text.startswith(expected.title)
    assert f"{len(expected.facts)} facts" in details.text
    await press(server, admin, details, "Publish", expect=1)
    stored = await storage.briefs.latest()
    assert stored is not None
    assert stored.brief == expected
    assert len(server.sent(admin.id)) == before + 3  # one preview, not one per part


async def test_a_paste_cut_inside_a_line_is_joined_too(
    server: FakeBotApi, bot_app: BriefApplication, admin: FakeUser, briefs_dir: Path
) -> None:
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    cut = text.index("satellite technology")  # inside a fact, at a space
    before = len(server.sent(admin.id))
    await server.send_text(admin, text[:cut].rstrip())
    await server.send_text(admin, text[cut:])
    _, details = (await server.wait_sent(admin.id, before + 2))[before:]
    assert "6 facts · 6 sources · 2 narratives" in details.text


def split_like_a_client(text: str, limit: int = 4096) -> list[str]:
    """Cut at the last line break that fits, dropping it, as Telegram clients do."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rindex("\n", 0, limit)
        parts.append(text[:cut])
        text = text[cut + 1 :]
    return [*parts, text]


async def test_an_upload_that_takes_too_long_to_read_is_refused_and_the_next_one_read(
    server: FakeBotApi,
    bot_app: BriefApplication,
    admin: FakeUser,
    briefs_dir: Path,
    db_path: Path,
) -> None:
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    services = bot_app.bot_data.services
    # No parse finishes within a millisecond, so this upload always runs out of time.
    bot_app.bot_data.services = replace(services, upload_parser=UploadParser(timeout=0.001))
    before = snapshot(db_path)
    [refusal] = await say(server, admin, text)
    assert "Not stored" in refusal.text
    assert "took longer than 0.001 seconds" in refusal.text
    assert snapshot(db_path) == before
    bot_app.bot_data.services = services
    _, details = await say(server, admin, text, expect=2)
    assert details.button("Publish")
