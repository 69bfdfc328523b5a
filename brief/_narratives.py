"""Read the Narratives section: "- <label> narrative, as provided by <outlet>. <text>",
or the same line in another language's words (`_languages`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from brief import _rules
from brief._languages import ABBREVIATIONS, NARRATIVE_LINES, NARRATIVE_WORDS, Words
from brief._lines import bullet_text
from brief._messages import N_, Nn_, problem
from brief._sections import Item
from brief.model import Narrative, Problem

# Opening marks a narrative's text may begin with, after the outlet's period.
_OPENING = "\"'\u2018\u201c\u201e\u00ab(\u00bf\u00a1"


@dataclass(slots=True)
class RawNarrative:
    line: int
    label: str
    outlet: str
    text: str


def narrative_start(text: str) -> str | None:
    """A narrative begins at a bullet, or at a line already in a narrative's shape."""
    bulleted = bullet_text(text)
    if bulleted is not None:
        return bulleted
    return text if shape_languages(text) else None


def shape_languages(text: str) -> frozenset[str]:
    """The languages whose narrative shape the text has ("Narrativa …, según …": es)."""
    lowered = text.lower()  # str.lower and `in` beat a regex ignoring case several times over
    return frozenset(
        code
        for code, shape in NARRATIVE_LINES.items()
        if NARRATIVE_WORDS[code] in lowered and shape.fullmatch(text)
    )


def read_narratives(items: list[Item], words: Words) -> tuple[list[Narrative], list[Problem]]:
    narratives, problems = [], []
    for item in items:
        read = read_narrative(item, words)
        if isinstance(read, RawNarrative):
            narratives.append(Narrative(read.label, read.outlet, read.text))
        else:
            problems.append(read)
    return narratives, problems


# Translators: %(shape)s is a narrative's line in the brief's own words, kept as the brief
# writes them: "- <label> narrative, as provided by <outlet>. <text>"
NOT_A_NARRATIVE = N_("this narrative does not read %(shape)s")
# Translators: %(shape)s as in "this narrative does not read …"
NO_NARRATIVE_TEXT = N_(
    "this narrative has no text after the outlet's name; end the outlet with a "
    "period and a space, then write the text: %(shape)s"
)
# Translators: %(count)s is the length of a narrative's label ("Anti-Russia"), %(limit)s the
# most it may have
LONG_LABEL = Nn_(
    "the narrative's label is %(count)s character long; shorten it to %(limit)s or fewer",
    "the narrative's label is %(count)s characters long; shorten it to %(limit)s or fewer",
)
# Translators: %(count)s is the length of an outlet's name, %(limit)s the most it may have
LONG_OUTLET = Nn_(
    "the outlet's name is %(count)s character long; shorten it to %(limit)s or fewer",
    "the outlet's name is %(count)s characters long; shorten it to %(limit)s or fewer",
)
# Translators: %(narratives)s is the brief's own word for its Narratives heading, %(shape)s
# as in "this narrative does not read …"
STRAY_NARRATIVE_LINE = N_(
    "this line in the %(narratives)s section is not a narrative; write it as %(shape)s"
)


def read_narrative(item: Item, words: Words) -> RawNarrative | Problem:
    """The narrative in the brief's words; in another language's words when only those fit
    (that line is refused as mixing languages, and read so its other problems are found)."""
    match = NARRATIVE_LINES[words.code].fullmatch(item.text)
    others = (NARRATIVE_LINES[code] for code in sorted(shape_languages(item.text)))
    match = match or next((shape.fullmatch(item.text) for shape in others), None)
    if match is None:
        return problem(NOT_A_NARRATIVE, item.line, shape=words.narrative_shape)
    split = split_outlet(match["rest"])
    if split is None:
        return problem(NO_NARRATIVE_TEXT, item.line, shape=words.narrative_shape)
    outlet, text = split
    too_long = _rules.too_long(LONG_LABEL, match["label"], _rules.LABEL_MAX, item.line)
    too_long = too_long or _rules.too_long(LONG_OUTLET, outlet, _rules.OUTLET_MAX, item.line)
    if too_long:
        return too_long
    return RawNarrative(item.line, match["label"], outlet, text)


_OUTLET_END = re.compile(r"\.\s+(?=\S)")


def split_outlet(rest: str) -> tuple[str, str] | None:
    """Split "U.S. News. Text..." at the period that ends the outlet's name.

    That is the first period followed by a space and a capital letter of any script
    (or an opening quote or digit) where the word before it is neither a single
    capital letter ("U.S.") nor a common abbreviation of any language ("St.", "Avda.").
    Every language's abbreviations count: outlets keep their names across languages.
    """
    for match in _OUTLET_END.finditer(rest):
        following = rest[match.end()]
        if not (following.isupper() or following.isdigit() or following in _OPENING):
            continue
        word = _word_before(rest, match.start())
        if (len(word) == 1 and word.isupper()) or word.lower() in ABBREVIATIONS:
            continue
        if match.start() > 0:
            return rest[: match.start()], rest[match.end() :]
    return None


# Longer than any abbreviation: a longer word is neither one nor a single letter, so only
# this much before a period is read, however long the word.
_WORD_WINDOW = 1 + max(len(word) for word in ABBREVIATIONS)
_LAST_WORD = re.compile(r"[^\W\d_]+\Z")


def _word_before(text: str, end: int) -> str:
    """The letters right before `end`, or "" when there are none or more than any abbreviation."""
    word = _LAST_WORD.search(text, max(end - _WORD_WINDOW, 0), end)
    return word[0] if word and len(word[0]) < _WORD_WINDOW else ""


def stray_narrative_line(line: int | None, words: Words) -> Problem:
    return problem(
        STRAY_NARRATIVE_LINE, line, narratives=words.narratives, shape=words.narrative_shape
    )
