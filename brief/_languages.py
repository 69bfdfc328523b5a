"""The words that mark a brief's structure, one row per language (brief-format.md's table).

Everything that reads or writes a structural word takes it from here, so a language is
added by adding a row: the headings, the conjunctions before the last inline source,
the shape of a narrative line (printed as written, read with its spaces and comma
loosened), and the abbreviations that may end a word inside an outlet's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Heading(Enum):
    FACTS = "Facts"
    SOURCES = "Sources"
    NARRATIVES = "Narratives"


@dataclass(frozen=True, slots=True)
class Words:
    code: str  # ISO 639-1, what Brief.language holds
    name: str  # in English, the language problems are worded in
    facts: str
    sources: str
    narratives: str
    # Words joining the last inline source; the first is the one printed.
    conjunctions: tuple[str, ...]
    # A narrative line after its bullet, with {label}, {outlet} and {text}.
    narrative: str
    abbreviations: str = ""  # lower case, space separated, without their periods

    def heading(self, heading: Heading) -> str:
        return {
            Heading.FACTS: self.facts,
            Heading.SOURCES: self.sources,
            Heading.NARRATIVES: self.narratives,
        }[heading]

    @property
    def narrative_shape(self) -> str:
        """The narrative line as problems show it: "- <label> narrative, as provided by …"."""
        shape = self.narrative.format(label="<label>", outlet="<outlet>", text="<text>")
        return f'"- {shape}"'


ENGLISH = Words(
    code="en",
    name="English",
    facts="Facts",
    sources="Sources",
    narratives="Narratives",
    conjunctions=("and",),
    narrative="{label} narrative, as provided by {outlet}. {text}",
    abbreviations="""
        st ste mr mrs ms dr inc co corp cos jr sr ltd llc plc pres gov sen rep reps wash
        mt ft no vs gen col lt sgt capt prof rev hon bros dept univ assn intl natl ave blvd
        jan feb mar apr aug sep sept oct nov dec
    """,
)

LANGUAGES: tuple[Words, ...] = (
    ENGLISH,
    Words(
        code="es",
        name="Spanish",
        facts="Hechos",
        sources="Fuentes",
        narratives="Narrativas",
        # "e" replaces "y" before a word starting with the sound i- ("Iberia", "Hispano").
        conjunctions=("y", "e"),
        narrative="Narrativa {label}, según {outlet}. {text}",
        abbreviations="sra srta dra avda av sto sta gral lic ing cía hnos",
    ),
    Words(
        code="uk",
        name="Ukrainian",
        facts="Факти",
        sources="Джерела",
        narratives="Наративи",
        conjunctions=("та", "і", "й"),  # noqa: RUF001 (Cyrillic letters)
        narrative="{label} наратив, за версією {outlet}. {text}",
        abbreviations="ім вул м обл просп пл св",
    ),
    Words(
        code="ru",
        name="Russian",
        facts="Факты",
        sources="Источники",
        narratives="Нарративы",
        conjunctions=("и",),
        narrative="{label} нарратив, по версии {outlet}. {text}",
        abbreviations="им ул г обл просп пл св",  # noqa: RUF001 (Cyrillic letters)
    ),
)

BY_CODE = {words.code: words for words in LANGUAGES}
# The languages a brief's text form can be written in, English first.
TEXT_LANGUAGES = tuple(BY_CODE)


def words_for(tag: str) -> Words:
    """The words of a language tag's primary language ("es-MX" writes Spanish words).

    A language with no row (a JSON brief may be in any) is printed with English words:
    the headings are the only words the printer adds, the content stays as written.
    """
    return BY_CODE.get(tag.split("-", 1)[0].lower(), ENGLISH)


def _shape_pattern(shape: str) -> str:
    """A narrative line's regex: the shape's words case-insensitive (set by the caller),
    any run of spaces where it has one, an optional comma where it has ", ", and the
    label and the rest (outlet, period, text) captured."""
    head = shape.split("{outlet}", 1)[0].rstrip()
    parts = re.split(r"(\{label\}|, | )", head)
    pattern = []
    for part in parts:
        if part == "{label}":
            pattern.append(r"(?P<label>\S.*?)")
        elif part == ", ":
            pattern.append(r"\s*,?\s+")
        elif part == " ":
            pattern.append(r"\s+")
        else:
            pattern.append(re.escape(part))
    return "".join(pattern) + r"\s+(?P<rest>\S.*)"


NARRATIVE_LINES: dict[str, re.Pattern[str]] = {
    words.code: re.compile(_shape_pattern(words.narrative), re.IGNORECASE) for words in LANGUAGES
}


def _first_word(shape: str) -> str:
    return next(part for part in re.split(r"\{label\}|[ ,]+", shape) if part)


# The word each language's narrative line holds ("narrative", "narrativa"), in lower case:
# looking for it in a line spares most lines the slower look for the whole shape.
NARRATIVE_WORDS = {words.code: _first_word(words.narrative).lower() for words in LANGUAGES}
ABBREVIATIONS = frozenset(word for words in LANGUAGES for word in words.abbreviations.split())


def _conjunction_languages() -> dict[str, frozenset[str]]:
    found: dict[str, frozenset[str]] = {}
    for words in LANGUAGES:
        for word in words.conjunctions:
            found[word] = found.get(word, frozenset()) | {words.code}
    return found


CONJUNCTION_LANGUAGES = _conjunction_languages()
