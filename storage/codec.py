"""A brief as JSON, for drafts: the JSON form of brief/ (to_json), with a format number; and
a draft's warnings, as the messages and params brief/ words them from."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from brief.model import Brief, Param, Problem
from brief.printer import from_json, to_json

_FORMAT = 1


def brief_to_json(brief: Brief) -> str:
    return json.dumps({"format": _FORMAT, **to_json(brief)}, ensure_ascii=False)


def brief_from_json(text: str) -> Brief:
    data: dict[str, Any] = json.loads(text)
    if data.get("format") != _FORMAT:
        raise ValueError(f"unknown draft format {data.get('format')!r}")
    return from_json(data)


def problems_to_json(problems: Sequence[Problem]) -> str:
    """Each problem as its message and params, so it can be worded in any language later."""
    return json.dumps(
        [
            {
                "msgid": problem.msgid,
                "line": problem.line,
                "params": dict(problem.params),
                "plural": problem.plural,
                "where": problem.where,
            }
            for problem in problems
        ],
        ensure_ascii=False,
    )


def problems_from_json(text: str) -> tuple[Problem, ...]:
    """The problems written by problems_to_json; a string (as drafts stored before problems
    were translated: already worded, in English, with its line) is read as it was worded."""
    return tuple(_problem(item) for item in json.loads(text))


def _problem(item: Any) -> Problem:
    if isinstance(item, str):
        return Problem(item)
    params: dict[str, Param] = item["params"]
    return Problem(
        item["msgid"], item["line"], tuple(params.items()), item["plural"], item["where"]
    )
