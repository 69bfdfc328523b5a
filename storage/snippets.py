"""The few words around a search's match, for a reader to see why a brief was found.

Words are compared as the search index compares them: case and diacritics ignored, the
last word of the query as a prefix. Linear in the text's length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

# Around each match; the brief format refuses control characters, so these never occur in
# a brief's text, and the template turns them into bold after escaping.
MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_WORDS = 12
_BEFORE = 3  # words shown before the first match
_TOKEN = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s+")


def fold(word: str) -> str:
    """A word as the index sees it: no case, no diacritics."""
    return word.lower() if word.isascii() else _fold_unicode(word)


@lru_cache(maxsize=8192)  # bounded: a hostile text's words cost memory only this far
def _fold_unicode(word: str) -> str:
    return _fold_text(word)


def _fold_text(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def snippet(columns: Sequence[str], words: Sequence[str], stems: Sequence[str] = ()) -> str:
    """SNIPPET_WORDS words of the first column with a match, each match marked; the start
    of the first non-empty column when none has one. `stems` (what PostgreSQL's stemmers
    made of the words, "vote" for "voting") match the words they start, as the index
    matched them (most stems start the words they are stems of)."""
    whole = {fold(word) for word in words[:-1]}
    prefixes = tuple(start for start in map(fold, [*words[-1:], *stems]) if start)

    def matches(token: str) -> bool:
        folded = fold(token)
        return folded in whole or folded.startswith(prefixes)

    needles = [*whole, *prefixes]
    for text in columns:
        # A column without the words anywhere has no token matching them: skipped whole,
        # not word by word in Python (2 ms a brief when the match is in the last column,
        # 40 ms for an inline page of 21).
        folded = text.lower() if text.isascii() else _fold_text(text)
        if not any(needle in folded for needle in needles):
            continue
        tokens = list(_TOKEN.finditer(text))
        first = next((i for i, token in enumerate(tokens) if matches(token[0])), None)
        if first is not None:
            return _window(text, tokens, max(0, first - _BEFORE), matches)
    for text in columns:
        tokens = list(_TOKEN.finditer(text))
        if tokens:
            return _window(text, tokens, 0, lambda _: False)
    return ""


def _window(
    text: str, tokens: list[re.Match[str]], start: int, matches: Callable[[str], bool]
) -> str:
    shown = tokens[start : start + SNIPPET_WORDS]
    parts = ["…" if start > 0 else ""]
    cursor = shown[0].start()
    for token in shown:
        parts.append(_SPACE.sub(" ", text[cursor : token.start()]))  # facts are one per line
        word = token[0]
        parts.append(f"{MARK_START}{word}{MARK_END}" if matches(word) else word)
        cursor = token.end()
    if start + SNIPPET_WORDS < len(tokens):
        parts.append("…")
    return "".join(parts)
