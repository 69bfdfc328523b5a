"""A brief as JSON, for drafts: the JSON form of brief/ (to_json), with a format number."""

from __future__ import annotations

import json
from typing import Any

from brief.model import Brief
from brief.printer import from_json, to_json

_FORMAT = 1


def brief_to_json(brief: Brief) -> str:
    return json.dumps({"format": _FORMAT, **to_json(brief)}, ensure_ascii=False)


def brief_from_json(text: str) -> Brief:
    data: dict[str, Any] = json.loads(text)
    if data.get("format") != _FORMAT:
        raise ValueError(f"unknown draft format {data.get('format')!r}")
    return from_json(data)
