"""Print a brief in its text form or as JSON-ready data.

`parse_text(to_text(b)).brief == b` and `parse_json(json.dumps(to_json(b))).brief == b`
hold for every valid brief the text form can represent, which includes every
brief read from the text form. The text form cannot represent:

- any field holding a line break, a tab, leading or trailing spaces, or runs
  of spaces (the parser reads text the way a reader sees it);
- a title or summary that is itself a heading in any language ("Facts",
  "Hechos"), a "Sources: 1..." line, or a media player's time display ("0:00");
- a fact that cites sources but does not end with closing punctuation
  (a period, "!", "?", ")", "]", a closing quote, "»" or "…"): the
  citation digits would run into its text;
- a fact that cites nothing but ends with closing punctuation followed by
  digits ("in Q.3"), since those digits read as a citation;
- a source name that reads otherwise on one inline Sources line ("A, 2B"
  as source 1 when there is a source 2) and otherwise on its own line too
  (ending in a dash and a web address);
- a narrative label holding its language's narrative words ("narrative, as
  provided by", ", según"), an outlet ending in a single capital letter or a
  common abbreviation ("Acme Inc."), an outlet holding ". " followed by a
  capital letter after an ordinary word, or a narrative text that does not
  begin with a capital letter, digit or opening mark;
- a language other than those `_languages` has words for (en, es, uk, ru), or
  a tag with more than the language ("es-MX"): the text form says its language
  only through its words, so such a brief is printed with English words (or
  its language's: "es-MX" with Spanish ones) and reads back as "en" ("es").

The JSON form represents every valid brief.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from brief._inline import read_inline_sources
from brief._languages import Words, words_for
from brief._lines import inline_sources_of
from brief._rules import INLINE_SOURCES_MAX
from brief.model import Brief, Fact, Narrative, Source


def to_text(brief: Brief) -> str:
    """The text form in the brief's own language's words: one inline Sources line when it
    reads back as the same sources, else one source a line (always when one has a url)."""
    words = words_for(brief.language)
    lines = [brief.title, brief.summary, words.facts]
    lines += [f"- {_fact(fact)}" for fact in brief.facts]
    has_url = any(source.url for source in brief.sources)
    inline = None if has_url else _inline_sources(brief.sources, words)
    if inline is not None and _reads_back(inline, brief.sources, words):
        lines.append(inline)
    else:
        lines += [words.sources, *(_block_source(source) for source in brief.sources)]
    lines.append(words.narratives)
    lines += [
        "- " + words.narrative.format(label=n.label, outlet=n.outlet, text=n.text)
        for n in brief.narratives
    ]
    return "\n".join(lines) + "\n"


def _fact(fact: Fact) -> str:
    return fact.text + ",".join(str(number) for number in fact.sources)


def _block_source(source: Source) -> str:
    return f"{source.number}. {source.name}" + (f" — {source.url}" if source.url else "")


def _inline_sources(sources: tuple[Source, ...], words: Words) -> str:
    entries = [f"{source.number}{source.name}" for source in sources]
    # The first conjunction always: the parser takes any of the language's, and a number
    # glued to the name leaves no word whose sound would call for another (es "e").
    last = f" {words.conjunctions[0]} {entries[-1]}"
    listed = entries[0] if len(entries) == 1 else ", ".join(entries[:-1]) + last
    # The parser drops one final period, so a name ending in "." keeps its own.
    return f"{words.sources}: {listed}."


def _reads_back(line: str, sources: tuple[Source, ...], words: Words) -> bool:
    """Whether the parser reads this Sources line as these sources, in these words: a long
    list, or names such as "A, 2B", would read otherwise, and are printed one a line."""
    entries = inline_sources_of(line)
    if entries is None or len(entries) > INLINE_SOURCES_MAX:
        return False
    read = read_inline_sources(entries, 1)
    return (
        not read.problems
        and all(word in words.conjunctions for word, _ in read.conjunctions)
        and [(s.number, s.name) for s in read.sources] == [(s.number, s.name) for s in sources]
    )


def to_json(brief: Brief) -> dict[str, object]:
    """The JSON form, keys in the schema's order. The language is always written, "en"
    included: a reader of the file need not know the default to know the language."""
    return {
        "language": brief.language,
        "title": brief.title,
        "summary": brief.summary,
        "facts": [{"text": fact.text, "sources": list(fact.sources)} for fact in brief.facts],
        "sources": [
            {"number": source.number, "name": source.name, "url": source.url}
            for source in brief.sources
        ],
        "narratives": [
            {"label": n.label, "outlet": n.outlet, "text": n.text} for n in brief.narratives
        ],
    }


def from_json(data: Mapping[str, Any]) -> Brief:
    """The brief from the JSON form `to_json` wrote, trusted: a stored draft, or the answer
    of the bot's own parser process. Uploads go through `parse_json`, which checks all.
    A draft stored before briefs had a language has none, and was English."""
    return Brief(
        title=data["title"],
        summary=data["summary"],
        facts=tuple(Fact(f["text"], tuple(f["sources"])) for f in data["facts"]),
        sources=tuple(Source(s["number"], s["name"], s["url"]) for s in data["sources"]),
        narratives=tuple(Narrative(n["label"], n["outlet"], n["text"]) for n in data["narratives"]),
        language=data.get("language", "en"),
    )
