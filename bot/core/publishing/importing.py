"""`briefbot import`: publish brief files, skipping content already published.

"Already published" means a brief whose current version has the same content as parsed
(title, summary, facts, sources, narratives): the parser's normalising of whitespace is
behind it, so a file saved again with other spacing is the same brief. A withdrawn brief
counts too: it was withdrawn on purpose, and importing the same text again would quietly
undo that; `--force` publishes it as a new brief.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from brief import Brief, BriefError, ParseResult, Problem, parse_file
from storage import Storage, StoredBrief


@dataclass(slots=True)
class ImportTally:
    published: int = 0
    skipped: int = 0
    refused: int = 0

    def line(self, *, dry_run: bool) -> str:
        if dry_run:
            return (
                f"dry run, nothing written: would publish {self.published}, "
                f"skip {self.skipped}, refuse {self.refused}"
            )
        return f"published {self.published}, skipped {self.skipped}, refused {self.refused}"


def read_brief(path: Path) -> ParseResult:
    """Parse a `.json` file as the JSON form, anything else as the text form."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BriefError([Problem(f"cannot read the file: {error.strerror}")]) from None
    return parse_file(data, as_json=path.suffix.lower() == ".json")


def report(path: Path, problems: Sequence[Problem], prefix: str = "") -> None:
    for problem in problems:
        print(f"{path}: {prefix}{problem}", file=sys.stderr)


async def import_files(
    storage: Storage | None, files: Sequence[Path], *, dry_run: bool, force: bool
) -> ImportTally:
    """Publish each file (unless `dry_run`), one line each; `storage` None: no database yet."""
    tally = ImportTally()
    # In a dry run nothing is stored, so a later file with the same content as an earlier
    # one is found here instead.
    planned: dict[Brief, Path] = {}
    for path in files:
        try:
            result = read_brief(path)
        except BriefError as error:
            print(f"{path}: refused", file=sys.stderr)
            report(path, error.problems)
            tally.refused += 1
            continue
        report(path, result.warnings, prefix="warning: ")
        brief = result.brief
        if not force and await _already(storage, brief, planned, path, dry_run=dry_run):
            tally.skipped += 1
            continue
        tally.published += 1
        if dry_run or storage is None:
            planned[brief] = path
            print(f"{path}: would publish: {brief.title}")
            continue
        stored = await storage.briefs.publish(brief, by=None, at=datetime.now(UTC))
        print(f"{path}: published as brief #{stored.id}: {stored.brief.title}")
    return tally


async def _already(
    storage: Storage | None,
    brief: Brief,
    planned: dict[Brief, Path],
    path: Path,
    *,
    dry_run: bool,
) -> bool:
    skip = "would skip" if dry_run else "skipped"
    if brief in planned:
        print(f"{path}: same content as {planned[brief]}; {skip}")
        return True
    found = None if storage is None else await storage.briefs.find_published(brief)
    if found is None:
        return False
    print(
        f"{path}: already published as #{found.id}{_withdrawn(found)}; {skip} (--force to publish)"
    )
    return True


def _withdrawn(stored: StoredBrief) -> str:
    return " (withdrawn)" if stored.retracted_at is not None else ""
