"""Just enough YAML to read the project's compose files, with no dependency: block
mappings and sequences, plain and quoted scalars, JSON-style flow sequences, comments.

Anything else (anchors, aliases, tags, block scalars, flow mappings, sequences of
mappings, duplicate keys, tabs) is refused with its line number rather than misread, so
a compose file that outgrows this subset fails its tests loudly. Every scalar is a str,
as compose itself takes `8080` and `"8080"` alike; a key with no value is None.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TypeAlias

Node: TypeAlias = dict[str, "Node"] | list["Node"] | str | None

_REFUSED_START = tuple("&*!|>{%@`")


class YamlSubsetError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    indent: int
    text: str


def load(text: str) -> Node:
    lines = list(_lines(text))
    if not lines:
        raise YamlSubsetError("empty document")
    node, end = _block(lines, 0, lines[0].indent)
    if end != len(lines):
        raise YamlSubsetError(f"line {lines[end].number}: unexpected indentation")
    return node


def _lines(text: str) -> list[_Line]:
    found = []
    for number, raw in enumerate(text.splitlines(), 1):
        if "\t" in raw:
            raise YamlSubsetError(f"line {number}: a tab")
        content = _without_comment(raw).rstrip()
        if content.strip():
            stripped = content.lstrip(" ")
            found.append(_Line(number, len(content) - len(stripped), stripped))
    return found


def _without_comment(raw: str) -> str:
    """The line up to a `#` that starts a comment: at its start, or after a space, outside
    quotes."""
    quote = ""
    for i, char in enumerate(raw):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'" and (i == 0 or raw[i - 1] in " [,:-"):
            quote = char
        elif char == "#" and (i == 0 or raw[i - 1] == " "):
            return raw[:i]
    return raw


def _block(lines: list[_Line], start: int, indent: int) -> tuple[Node, int]:
    if lines[start].text.startswith("- ") or lines[start].text == "-":
        return _sequence(lines, start, indent)
    return _mapping(lines, start, indent)


def _sequence(lines: list[_Line], start: int, indent: int) -> tuple[Node, int]:
    items: list[Node] = []
    i = start
    while i < len(lines) and lines[i].indent == indent:
        line = lines[i]
        if not line.text.startswith("- "):
            raise YamlSubsetError(f"line {line.number}: a mapping among sequence items")
        item = line.text[2:].strip()
        if _split_key(item, line.number) is not None:
            raise YamlSubsetError(f"line {line.number}: a sequence of mappings")
        items.append(_scalar(item, line.number))
        i += 1
    return items, i


def _mapping(lines: list[_Line], start: int, indent: int) -> tuple[Node, int]:
    mapping: dict[str, Node] = {}
    i = start
    while i < len(lines) and lines[i].indent == indent:
        line = lines[i]
        split = _split_key(line.text, line.number)
        if split is None:
            raise YamlSubsetError(f"line {line.number}: expected `key: value`")
        key, rest = split
        if key in mapping:
            raise YamlSubsetError(f"line {line.number}: {key!r} given twice")
        i += 1
        if rest:
            mapping[key] = _scalar(rest, line.number)
        elif i < len(lines) and lines[i].indent > indent:
            mapping[key], i = _block(lines, i, lines[i].indent)
        else:
            mapping[key] = None  # `name:` alone, as in a compose file's `volumes:`
    if i < len(lines) and lines[i].indent > indent:
        raise YamlSubsetError(f"line {lines[i].number}: unexpected indentation")
    return mapping, i


def _split_key(text: str, number: int) -> tuple[str, str] | None:
    """(key, the rest) of `key: rest` or `key:`; None when the text is no mapping entry."""
    if text.startswith(("'", '"')):
        end = text.find(text[0], 1)
        if end < 0:
            raise YamlSubsetError(f"line {number}: an unclosed quote")
        key, after = _scalar(text[: end + 1], number), text[end + 1 :]
        if not (after == ":" or after.startswith(": ")):
            return None
        assert isinstance(key, str)
        return key, after[1:].strip()
    match = re.match(r"([^\s:#\[\]{},][^:]*?):(?: +(.*))?$", text)
    if match is None or text.startswith(("- ", "[")):
        return None
    return match.group(1), (match.group(2) or "").strip()


def _scalar(text: str, number: int) -> Node:
    try:
        if text.startswith('"'):
            value = json.loads(text)  # the double-quoted strings used here are JSON's
            if isinstance(value, str):
                return value
        elif text.startswith("'") and text.endswith("'") and len(text) > 1:
            return text[1:-1].replace("''", "'")
        elif text.startswith("["):
            items = json.loads(text)
            if isinstance(items, list) and all(isinstance(item, str) for item in items):
                return items
        elif not text.startswith(_REFUSED_START) and not text.startswith(("- ", "? ")):
            return text
    except ValueError:
        pass
    raise YamlSubsetError(f"line {number}: not in the subset this reads: {text}")
