"""Joining the parts of a long paste."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.publishing.paste import join
from brief import BriefError, parse_text
from brief.isolated import Upload, parse_upload
from storage import PastePart


def parts(*texts: str) -> list[PastePart]:
    return [PastePart(n, text, ()) for n, text in enumerate(texts)]


def test_parts_join_in_order_with_their_links() -> None:
    joined = join(
        [
            PastePart(1, "Title\nSummary", (("Title", "https://a.example"),)),
            PastePart(2, "Facts", ()),
            PastePart(3, "- A fact.1", (("1", "https://b.example"),)),
        ]
    )
    assert joined.text == "Title\nSummary\nFacts\n- A fact.1"
    assert joined.links == (("Title", "https://a.example"), ("1", "https://b.example"))


@pytest.mark.parametrize("marker", ["Sources:", "in exchange for", "Narratives", "- Pro-Russia"])
def test_a_paste_cut_anywhere_a_client_cuts_parses_as_the_whole(
    briefs_dir: Path, marker: str
) -> None:
    """Clients cut at a line break or a space and drop it; joining restores the brief."""
    text = (briefs_dir / "putin-north-korea.txt").read_text(encoding="utf-8")
    cut = text.index(marker)
    joined = join(parts(text[:cut].rstrip(" \n"), text[cut:]))
    assert parse_text(joined.text).brief == parse_text(text).brief


def test_the_long_brief_cut_at_line_breaks_parses_as_the_whole(briefs_dir: Path) -> None:
    text = (briefs_dir / "northfield-budget-long.txt").read_text(encoding="utf-8")
    cut: list[str] = []
    rest = text
    while len(rest) > 4096:
        at = rest.rindex("\n", 0, 4096)
        cut.append(rest[:at])
        rest = rest[at + 1 :]
    cut.append(rest)
    assert len(cut) == 2
    assert parse_text(join(parts(*cut)).text).brief == parse_text(text).brief


def test_a_paste_past_the_upload_limit_is_refused_whole() -> None:
    """Storage keeps no text past the limit (tests/storage/test_pending.py); what it kept
    is over the limit, and refused."""
    joined = join(parts(*["x" * 4096] * 260))
    with pytest.raises(BriefError, match="the paste is larger than 1 MB"):
        parse_upload(Upload(joined.text))
