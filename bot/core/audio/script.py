"""What a brief's voice note says, in the brief's own language: its title, its summary, each
fact with its sources named first, then each narrative with its label and outlet.

The script is a list of segments, one per block, in the order they are spoken; a voice note
too long for one message is split between segments (so at fact boundaries, never inside a
fact). Each segment's text is plain text read as a newsreader reads it (sayings.py), the
words around the brief's own (the attributions, the narratives' introductions) rendered from
templates/spoken_*.txt in the brief's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.core.audio.sayings import say
from bot.core.languages import speaking
from bot.core.rendering import Renderer
from brief import Brief, Fact

# A fact that names its own source first: its outlets are then said before it as reporting
# it ("Guardian reports that according to Russian media, …"), not as a second "According to".
_ATTRIBUTED = {
    "en": re.compile(r"(?:according to|as reported by|citing)\b", re.IGNORECASE),
    "es": re.compile(r"(?:según|de acuerdo con|conforme a)\b", re.IGNORECASE),
    "uk": re.compile(r"(?:за даними|за оцінкою|за словами|за інформацією|згідно з)\b", re.I),
    "ru": re.compile(r"(?:по данным|по оценке|по словам|по информации|согласно)\b", re.I),
}
# Words that begin a sentence and not a name: after "According to X," they take a small letter.
_COMMON_OPENERS = {
    "en": "the a an in on at after before as for from with by during since this that these those"
    " it its his her their there some",
    "es": "el la los las un una unos unas en de del con por para desde tras durante este esta"
    " estos estas",
    "uk": "у в на з із за до після під цей ця це ці",  # noqa: RUF001
    "ru": "в во на с со за до после по при этот эта это эти",  # noqa: RUF001
}
# Citation digits left after a fact's last word ("… in 24 years.1", "… drivers.2,3").
_CITATIONS = re.compile(r"(?<=[.!?'\"”’)\]])\s?\d{1,3}(?:\s?,\s?\d{1,3})*\s*$")  # noqa: RUF001
_ENDS_SENTENCE = re.compile(r"[.!?…]['\"”’»)]*$")  # noqa: RUF001


class Block(Enum):
    TITLE = "title"
    SUMMARY = "summary"
    FACT = "fact"
    NARRATIVE = "narrative"


@dataclass(frozen=True, slots=True)
class Segment:
    """One block of the script: what it is, its number among its kind (from 1: the third fact
    is FACT 3; the title and summary are 1), and the text given to the speech engine."""

    block: Block
    number: int
    text: str


def script(brief: Brief, renderer: Renderer) -> tuple[Segment, ...]:
    """Everything the brief's voice note says, segment by segment, in the order spoken.

    Total: any parsed brief gives a script; a segment whose text reads as nothing (a title
    that was only a URL) is left out, so every segment has something to say.
    """
    language = brief.language
    with speaking(language):
        segments = [
            Segment(Block.TITLE, 1, _sentence(brief.title)),
            Segment(Block.SUMMARY, 1, _sentence(brief.summary)),
            *(
                Segment(Block.FACT, number, _fact(brief, fact, renderer))
                for number, fact in enumerate(brief.facts, start=1)
            ),
            *(
                Segment(
                    Block.NARRATIVE,
                    number,
                    renderer.render("spoken_narrative.txt", narrative=narrative),
                )
                for number, narrative in enumerate(brief.narratives, start=1)
            ),
        ]
    spoken = (Segment(s.block, s.number, say(s.text, language)) for s in segments)
    return tuple(segment for segment in spoken if segment.text.strip(" .,;:!?"))


def _fact(brief: Brief, fact: Fact, renderer: Renderer) -> str:
    text = _sentence(_CITATIONS.sub("", fact.text))
    found = (brief.source(number) for number in fact.sources)
    names = list(dict.fromkeys(source.name for source in found if source is not None))
    if not names:
        return text
    opening = _ATTRIBUTED.get(brief.language)
    attributed = bool(opening and opening.match(text))
    first = text.split(" ", 1)[0].lower()
    common = first in _COMMON_OPENERS.get(brief.language, "").split()
    if (attributed or common) and text[:1].isupper() and text[1:2].islower():
        text = text[:1].lower() + text[1:]
    return renderer.render("spoken_attribution.txt", names=names, fact=text, attributed=attributed)


def _sentence(text: str) -> str:
    """The text ending as a sentence does, so the engine pauses after it."""
    text = text.strip()
    return text if not text or _ENDS_SENTENCE.search(text) else text + "."
