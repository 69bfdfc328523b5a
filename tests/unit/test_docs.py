"""Every Markdown page of the repository renders its tables and keeps its links.

Read with markdown-it-py (CommonMark and GitHub's tables): each relative link
`[x](path)` or `[x](path#anchor)` must name a file or folder that exists, and an anchor a
heading of that page, slugged as GitHub slugs it; each table row must have as many cells
as its header, and no table row may stand outside a table (a paragraph or blank line in
the middle of a table leaves the rows after it as plain text).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

ROOT = Path(__file__).resolve().parents[2]
# Test data holds Markdown that is not documentation (expected refusals, and the like).
LEFT_OUT = (ROOT / "tests" / "data",)
# A cell border: a pipe not escaped with a backslash.
BORDER = re.compile(r"(?<!\\)\|")


def markdown_files(root: Path) -> list[Path]:
    """The repository's Markdown, without hidden folders (.git, .venv, caches), build
    output and test data."""
    found = []
    for path in sorted(root.rglob("*.md")):
        parts = path.relative_to(root).parts[:-1]
        if any(part.startswith(".") or part in ("build", "dist") for part in parts):
            continue
        if any(part.endswith(".egg-info") for part in parts):
            continue
        if any(path.is_relative_to(folder) for folder in LEFT_OUT):
            continue
        found.append(path)
    return found


def parse(text: str) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(text)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation removed (letters, marks,
    digits, `_`, `-` and spaces kept), each space a hyphen."""
    kept = (
        char
        for char in heading.lower()
        if char in " -" or unicodedata.category(char)[0] in "LMN" or char == "_"
    )
    return "".join(kept).replace(" ", "-")


def plain(inline: Token) -> str:
    """A heading's text as shown: code spans' text without backticks, markup left out."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def anchors(tokens: list[Token]) -> set[str]:
    """Every heading's anchor; a repeated one gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for opening, inline in pairwise(tokens):
        if opening.type != "heading_open":
            continue
        base = slug(plain(inline))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(tokens: list[Token]) -> Iterator[tuple[int, str]]:
    """(line, target) of every link and image, in tables and headings too."""
    for token in tokens:
        line = token.map[0] + 1 if token.map else 0
        for child in token.children or []:
            if child.type == "link_open":
                yield line, str(child.attrs["href"])
            elif child.type == "image":
                yield line, str(child.attrs["src"])


def cells(row: str) -> int:
    """How many cells a table row has, as GitHub counts them."""
    inner = row.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    return len(BORDER.split(inner))


def table_problems(tokens: list[Token], lines: list[str]) -> Iterator[str]:
    """Rows whose cells do not match their header's, and table rows left outside a table."""
    header = 0
    for token in tokens:
        if token.type == "thead_open" and token.map:
            header = cells(lines[token.map[0]])
        elif token.type == "tr_open" and token.map:
            number = token.map[0]
            found = cells(lines[number])
            if found != header:
                yield f"line {number + 1}: {found} cells in a table of {header} columns"
        elif token.type == "paragraph_open" and token.map:
            for number in range(*token.map):
                if lines[number].lstrip().startswith("|"):
                    yield f"line {number + 1}: a table row outside a table"


def link_problems(path: Path, tokens: list[Token], pages: dict[Path, set[str]]) -> Iterator[str]:
    """Relative links whose file, or whose anchor in a Markdown page, is not there."""
    for line, target in links(tokens):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith("//"):
            continue  # a web address, mailto: and the like: not checked here
        named = unquote(parts.path)
        file = (path.parent / named).resolve() if named else path
        if not file.exists():
            yield f"line {line}: {target}: {named} does not exist"
        elif parts.fragment and file.suffix == ".md":
            if file not in pages:
                pages[file] = anchors(parse(file.read_text(encoding="utf-8")))
            if unquote(parts.fragment) not in pages[file]:
                yield f"line {line}: {target}: no heading #{parts.fragment} in {file.name}"


def problems(path: Path) -> list[str]:
    """Every broken table and link of one Markdown file."""
    text = path.read_text(encoding="utf-8")
    tokens = parse(text)
    pages = {path.resolve(): anchors(tokens)}
    return [
        *table_problems(tokens, text.splitlines()),
        *link_problems(path.resolve(), tokens, pages),
    ]


@pytest.mark.parametrize("path", markdown_files(ROOT), ids=lambda path: str(path.relative_to(ROOT)))
def test_tables_render_and_links_resolve(path: Path) -> None:
    assert problems(path) == []


def test_the_pages_people_read_are_checked() -> None:
    checked = {str(path.relative_to(ROOT)) for path in markdown_files(ROOT)}
    assert {"README.md", "ARCHITECTURE.md", "bench/README.md", "docs/README.md"} <= checked
    assert not any(name.startswith((".venv", "tests/data")) for name in checked)


# -- the checker itself -----------------------------------------------------------------

SAMPLE = """# A page

## Fair shares: flood control and one `budget`

See [the budget](#fair-shares-flood-control-and-one-budget), [settings](other.md#settings),
[a folder](sub), [the web](https://example.org/missing#nowhere) and [mail](mailto:a@b.c).

| command | what it does |
| --- | --- |
| `/correct` | replaces a brief, [here](other.md) |
"""


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    (tmp_path / "other.md").write_text("# Other\n\n## Settings\n\n## Settings\n")
    (tmp_path / "sub").mkdir()
    page = tmp_path / "page.md"
    page.write_text(SAMPLE)
    return page


def test_a_sound_page_has_no_problems(sample: Path) -> None:
    assert problems(sample) == []


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        ("[gone](missing.md)", "line 12: missing.md: missing.md does not exist"),
        ("[gone](other.md#nowhere)", "line 12: other.md#nowhere: no heading #nowhere in other.md"),
        ("[gone](#a-page-)", "line 12: #a-page-: no heading #a-page- in page.md"),
        ("[x](other.md#settings-2)", "no heading #settings-2"),
        ("[gone][ref]\n\n[ref]: sub/none.md", "line 12: sub/none.md: sub/none.md does not exist"),
        ("| `/retract` | in a table |", "line 12: a table row outside a table"),
        (
            "| command | what it does |\n| --- | --- |\n| `/stats` | numbers | extra |",
            "line 14: 3 cells in a table of 2 columns",
        ),
    ],
)
def test_a_broken_link_or_table_is_found(sample: Path, broken: str, problem: str) -> None:
    sample.write_text(f"{SAMPLE}\n{broken}\n")
    assert any(problem in found for found in problems(sample)), problems(sample)


def test_a_paragraph_in_the_middle_of_a_table_is_found(sample: Path) -> None:
    broken = SAMPLE.replace(
        "| `/correct` |", "| `/cancel` | forgets |\nA paragraph.\n\n| `/correct` |"
    )
    sample.write_text(broken)
    assert problems(sample) == [
        "line 11: 1 cells in a table of 2 columns",
        "line 13: a table row outside a table",
    ]


def test_slugs_follow_github() -> None:
    assert slug("`/push` (admins)") == "push-admins"
    assert slug("Exactly once, and the crash bound") == "exactly-once-and-the-crash-bound"
    assert slug("Reading, searching and sharing briefs") == "reading-searching-and-sharing-briefs"
    assert slug("Kyïv — the 2_nd") == "kyïv--the-2_nd"
