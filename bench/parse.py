"""Parse time per MB of adversarial uploads, as a ratio to a plain brief of the same size.

Every shape is an upload of about --size bytes built to hit one place where parsing
could grow faster than the upload (a search repeated per line, a regex that backtracks,
a recursion, a string grown piece by piece). Each is parsed the way an upload is
(`brief.parse_file`), best of --repeats runs; a shape parses or is refused, never raises.
The baseline is a valid brief of the same size: many facts citing many sources.
An upload of more than 20,000 lines is refused before it is read, so each shape of
many short lines comes twice: at 1 MB (refused at once) and "capped", with as many
lines as a brief may have and the rest of the megabyte in one long fact.

    python -m bench.parse [--size 1048576] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from brief import MAX_BRIEF_BYTES, BriefError, parse_file
from brief._rules import INLINE_SOURCES_MAX, LINES_MAX

HEAD = "Title\nSummary.\nFacts\n"
TAIL = (
    "Narratives\n- A narrative, as provided by Daily. Text.\n"
    "- B narrative, as provided by Post. Text.\n"
)
# Uploads of more lines are refused unread; these shapes take the most lines allowed
# and fill the rest of the upload with one long fact.
CAPPED_LINES = LINES_MAX - 100


def at_line_cap(unit: str, size: int, head: str, tail: str) -> str:
    """head + as many unit lines as a brief may have + one fact filling `size` + tail."""
    lines = unit * (CAPPED_LINES // unit.count("\n")) if unit else ""
    filler = "- " + "word " * ((size - len(head) - len(lines) - len(tail)) // 5) + "end.1\n"
    return head + filler + lines + tail


def repeat(unit: str, size: int, head: str = HEAD, tail: str = TAIL) -> str:
    """head + unit repeated to fill `size` bytes + tail."""
    count = max(1, (size - len(head) - len(tail)) // len(unit.encode()))
    return head + unit * count + tail


def plain(size: int) -> str:
    """A valid brief: facts of a usual length citing sources, listed with their links."""
    count = size // 170
    facts = "".join(
        f"- In its meeting on Tuesday the council of district {n} approved the plan for "
        f"the new bridge, the mayor said.{n}\n"
        for n in range(1, count + 1)
    )
    sources = "".join(f"{n}. Source {n} — https://example.org/{n}\n" for n in range(1, count + 1))
    return f"Title\nSummary.\nFacts\n{facts}Sources\n{sources}{TAIL}"


def short_lines(size: int) -> str:
    return repeat("a\n", size, "Title\nSummary.\nFacts\n- A fact.1\n", "Sources: 1A.\n" + TAIL)


def long_summary(size: int) -> str:
    return repeat("a\n", size, "Title\n", "Facts\n- A fact.1\nSources: 1A.\n" + TAIL)


def capped(unit: str, tail: str = "Sources: 1A.\n" + TAIL) -> Callable[[int], str]:
    return lambda size: at_line_cap(unit, size, HEAD, tail)


def capped_cite_last_source(size: int) -> str:
    count = CAPPED_LINES // 2
    sources = "".join(f"{n}. S\n" for n in range(1, count + 1))
    facts = f"- A fact.{count}\n" * (count - 1)
    return at_line_cap("", size, HEAD + facts, f"Sources\n{sources}{TAIL}")


def capped_inline_sources(size: int) -> str:
    entries = "1A" + ", 2b" * (INLINE_SOURCES_MAX // 4 - 1)
    return at_line_cap("\n", size, HEAD, f"Sources: {entries}\n{TAIL}")


def inline_sources(size: int) -> str:
    return repeat(", 2b", size, "Title\nSummary.\nFacts\n- A fact.1\nSources: 1A", "\n" + TAIL)


def outlet_periods(size: int) -> str:
    head = "Title\nSummary.\nFacts\n- A fact.1\nSources: 1A.\nNarratives\n"
    head += "- L narrative, as provided by Daily"
    return repeat(". a", size, head, ". Text.\n- B narrative, as provided by Post. Text.\n")


def unknown_headings(size: int) -> str:
    return repeat("Abc:\n", size, "Title\nSummary.\nFacts\n", "Sources: 1A.\n" + TAIL)


def cite_last_source(size: int) -> str:
    count = size // 30
    facts = f"- A fact.{count}\n" * count
    sources = "".join(f"{n}. S\n" for n in range(1, count + 1))
    return f"Title\nSummary.\nFacts\n{facts}Sources\n{sources}{TAIL}"


def cite_unlisted(size: int) -> str:
    count = size // 30
    facts = f"- A fact.{count + 7}\n" * count
    sources = "".join(f"{n}. S\n" for n in range(1, count + 1, 2))  # every other one: misnumbered
    return f"Title\nSummary.\nFacts\n{facts}Sources\n{sources}{TAIL}"


def wrapped_fact(size: int) -> str:
    return repeat(
        "and then some more\n", size, "Title\nSummary.\nFacts\n- A fact\n", "Sources: 1A.\n" + TAIL
    )


def long_citation(size: int) -> str:
    return repeat("1", size, "Title\nSummary.\nFacts\n- A fact.", "\nSources: 1A.\n" + TAIL)


def closing_marks(size: int) -> str:
    return repeat(".1 ", size, "Title\nSummary.\nFacts\n- A fact", "x\nSources: 1A.\n" + TAIL)


def misnumbered_inline(size: int) -> str:
    entries = ", ".join(f"{n}Name" for n in range(1, size // 10, 4))
    return f"Title\nSummary.\nFacts\n- A fact.1\nSources: {entries}.\n{TAIL}"


def block_source_urls(size: int) -> str:
    return repeat(
        " a x://b", size, "Title\nSummary.\nFacts\n- A fact.1\nSources\n1. A", "\n" + TAIL
    )


def narrative_words(size: int) -> str:
    return repeat(
        " narrative",
        size,
        "Title\nSummary.\nFacts\n- A fact.1\nSources: 1A.\nNarratives\n- x",
        "\n",
    )


def one_long_word(size: int) -> str:
    return repeat("a", size, "Title\nSummary.\nFacts\n- ", ".1\nSources: 1A.\n" + TAIL)


def control_characters(size: int) -> str:
    return repeat("- a\x00b.1\n", size, "Title\nSummary.\nFacts\n", "Sources: 1A.\n" + TAIL)


def blank_lines(size: int) -> str:
    return repeat("\n", size, "Title\nSummary.\nFacts\n- A fact.1\n", "Sources: 1A.\n" + TAIL)


def heading_like_lines(size: int) -> str:
    return repeat(
        "Predictions\n- a\n", size, "Title\nSummary.\nFacts\n- A fact.1\n", "Sources: 1A.\n" + TAIL
    )


def plain_json(size: int) -> str:
    count = size // 160
    return json.dumps(
        {
            "title": "Title",
            "summary": "Summary.",
            "facts": [
                {"text": f"Fact number {n} happened.", "sources": [n]} for n in range(1, count + 1)
            ],
            "sources": [
                {"number": n, "name": f"Source {n}", "url": f"https://example.org/{n}"}
                for n in range(1, count + 1)
            ],
            "narratives": [{"label": "A", "outlet": "B", "text": "C"}] * 2,
        }
    )


def json_wrong_facts(size: int) -> str:
    return '{"facts": [' + "1," * (size // 2 - 8) + "1]}"


def json_capped_wrong_facts(size: int) -> str:
    filler = "x" * (size - 2 * CAPPED_LINES - 40)
    return '{"title": "' + filler + '", "facts": [' + "1," * CAPPED_LINES + "1]}"


def json_nesting(size: int) -> str:
    return "[" * size


def json_brackets(size: int) -> str:
    return '{"title": ' + "[]," * (size // 3) + '"x"}'


def json_escaped_quotes(size: int) -> str:
    return '"' + '\\"' * (size // 2)


def json_long_integer(size: int) -> str:
    return '{"sources": [{"number": ' + "9" * size + "}]}"


def json_unknown_keys(size: int) -> str:
    keys = ", ".join(f'"k{n}": 1' for n in range(size // 14))
    return "{" + keys + "}"


TEXT_SHAPES: dict[str, Callable[[int], str]] = {
    "inline sources 1A, 2b, 2b, ...": inline_sources,
    "outlet Daily. a. a. ...": outlet_periods,
    "Abc: lines under Facts": unknown_headings,
    "facts citing the last source": cite_last_source,
    "facts citing an unlisted source": cite_unlisted,
    "one fact wrapped on every line": wrapped_fact,
    "a 1 MB citation number": long_citation,
    "closing marks with digits .1 .1": closing_marks,
    "misnumbered inline sources": misnumbered_inline,
    "block source with x://b tokens": block_source_urls,
    "narrative narrative narrative": narrative_words,
    "one 1 MB word": one_long_word,
    "a control character per line": control_characters,
    "blank lines": blank_lines,
    "one-letter lines under Facts": short_lines,
    "one-letter lines of summary": long_summary,
    "heading-like lines and bullets": heading_like_lines,
    "capped: Abc: lines under Facts": capped("Abc:\n"),
    "capped: one-letter lines under Facts": capped("a\n"),
    "capped: stray lines under Facts": capped("a\n\n"),
    "capped: a control character per line": capped("- a\x00b.1\n"),
    "capped: heading-like lines and bullets": capped("Predictions\n- a\n"),
    "capped: facts citing source 2": capped("- a.2\n"),
    "capped: facts citing the last source": capped_cite_last_source,
    "capped: inline sources 1A, 2b, 2b, ...": capped_inline_sources,
}
JSON_SHAPES: dict[str, Callable[[int], str]] = {
    "JSON: plain brief": plain_json,
    "JSON: [[[[ nesting": json_nesting,
    "JSON: facts that are numbers": json_wrong_facts,
    "JSON: capped: facts that are numbers": json_capped_wrong_facts,
    "JSON: [], [], [] values": json_brackets,
    'JSON: unfinished "\\"\\"\\" string': json_escaped_quotes,
    "JSON: a 1 MB integer": json_long_integer,
    "JSON: unknown keys": json_unknown_keys,
}


def seconds_per_mb(data: bytes, as_json: bool, repeats: int) -> tuple[float, str]:
    best = float("inf")
    outcome = ""
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            parse_file(data, as_json=as_json)
            outcome = "accepted"
        except BriefError as error:
            outcome = f"refused ({len(error.problems)} problems)"
        best = min(best, time.perf_counter() - start)
    return best / (len(data) / 2**20), outcome


def main(size: int, repeats: int) -> None:
    size = min(size, MAX_BRIEF_BYTES)
    baseline_data = plain(size).encode()[:MAX_BRIEF_BYTES]
    baseline, outcome = seconds_per_mb(baseline_data, False, repeats)
    print(f"plain brief ({len(baseline_data) / 2**20:.2f} MB, {outcome}): {baseline:.3f} s/MB")
    print(f"{'shape':<36} {'s/MB':>7} {'ratio':>6}  outcome (target: ratio <= 3x)")
    worst = 0.0
    shapes = [(name, build, False) for name, build in TEXT_SHAPES.items()]
    shapes += [(name, build, True) for name, build in JSON_SHAPES.items()]
    for name, build, as_json in shapes:
        data = build(size - 4096).encode("utf-8", "surrogatepass")[:MAX_BRIEF_BYTES]
        per_mb, outcome = seconds_per_mb(data, as_json, repeats)
        worst = max(worst, per_mb / baseline)
        print(f"{name:<36} {per_mb:7.3f} {per_mb / baseline:5.2f}x  {outcome}")
    print(f"worst ratio: {worst:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=MAX_BRIEF_BYTES)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    main(options.size, options.repeats)
