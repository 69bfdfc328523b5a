"""Print a brief in its text form or as JSON-ready data.

`parse_text(to_text(b)).brief == b` and `parse_json(json.dumps(to_json(b))).brief == b`
hold for every valid brief the text form can represent. The text form cannot
represent:

- any field holding a line break, a tab, leading or trailing spaces, or runs
  of spaces (the parser reads text the way a reader sees it);
- a title or summary that is itself a heading ("Facts"), a "Sources: 1..."
  line, or a media player's time display ("0:00");
- a fact that cites sources but does not end with closing punctuation
  (a period, "!", "?", ")", "]", a closing quote, "»" or "…"): the
  citation digits would run into its text;
- a fact that cites nothing but ends with closing punctuation followed by
  digits ("in Q.3"), since those digits read as a citation;
- an inline source name ending with a comma, holding ", " or " and " right
  before the next source's number ("A, 2B" as source 1 when there is a
  source 2), or a capitalised word glued to a number after ", " or " and "
  ("and 3Island");
- a block source name (printed when some source has a url) ending in a
  dash and a web address;
- a narrative label holding "narrative, as provided by", an outlet ending in
  a single capital letter or a common abbreviation ("Acme Inc."), an outlet
  holding ". " followed by a capital letter after an ordinary word, or a
  narrative text that does not begin with a capital letter, digit or
  opening quote.

The JSON form represents every valid brief.
"""

from __future__ import annotations

from brief.model import Brief, Fact, Narrative, Source


def to_text(brief: Brief) -> str:
    """The text form: block sources when any source has a url, else one inline line."""
    lines = [brief.title, brief.summary, "Facts"]
    lines += [f"- {_fact(fact)}" for fact in brief.facts]
    if any(source.url for source in brief.sources):
        lines += ["Sources", *(_block_source(source) for source in brief.sources)]
    else:
        lines.append(_inline_sources(brief.sources))
    lines += ["Narratives", *(_narrative(narrative) for narrative in brief.narratives)]
    return "\n".join(lines) + "\n"


def _fact(fact: Fact) -> str:
    return fact.text + ",".join(str(number) for number in fact.sources)


def _block_source(source: Source) -> str:
    return f"{source.number}. {source.name}" + (f" — {source.url}" if source.url else "")


def _inline_sources(sources: tuple[Source, ...]) -> str:
    entries = [f"{source.number}{source.name}" for source in sources]
    listed = entries[0] if len(entries) == 1 else f"{', '.join(entries[:-1])} and {entries[-1]}"
    # The parser drops one final period, so a name ending in "." keeps its own.
    return f"Sources: {listed}."


def _narrative(narrative: Narrative) -> str:
    return f"- {narrative.label} narrative, as provided by {narrative.outlet}. {narrative.text}"


def to_json(brief: Brief) -> dict[str, object]:
    """The JSON form, keys in the schema's order."""
    return {
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
