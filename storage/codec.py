"""A brief as JSON, for drafts. Private to storage: the text format lives in brief/."""

from __future__ import annotations

import json
from typing import Any

from brief.model import Brief, Fact, Narrative, Source

_FORMAT = 1


def brief_to_json(brief: Brief) -> str:
    return json.dumps(
        {
            "format": _FORMAT,
            "title": brief.title,
            "summary": brief.summary,
            "facts": [{"text": f.text, "sources": list(f.sources)} for f in brief.facts],
            "sources": [{"number": s.number, "name": s.name, "url": s.url} for s in brief.sources],
            "narratives": [
                {"label": n.label, "outlet": n.outlet, "text": n.text} for n in brief.narratives
            ],
        },
        ensure_ascii=False,
    )


def brief_from_json(text: str) -> Brief:
    data: dict[str, Any] = json.loads(text)
    if data.get("format") != _FORMAT:
        raise ValueError(f"unknown draft format {data.get('format')!r}")
    return Brief(
        title=data["title"],
        summary=data["summary"],
        facts=tuple(
            Fact(text=f["text"], sources=tuple(int(n) for n in f["sources"])) for f in data["facts"]
        ),
        sources=tuple(
            Source(number=s["number"], name=s["name"], url=s["url"]) for s in data["sources"]
        ),
        narratives=tuple(
            Narrative(label=n["label"], outlet=n["outlet"], text=n["text"])
            for n in data["narratives"]
        ),
    )
