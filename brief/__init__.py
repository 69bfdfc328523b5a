"""The brief format: model, parser (text and JSON forms) and printer.

Knows nothing of Telegram or SQL, so the bot, the command line and storage
can all share it.
"""

from brief._languages import TEXT_LANGUAGES
from brief.files import MAX_BRIEF_BYTES, parse_file
from brief.model import Brief, BriefError, Fact, Narrative, ParseResult, Problem, Source
from brief.parser import parse_json, parse_text
from brief.printer import to_json, to_text

__all__ = [
    "MAX_BRIEF_BYTES",
    "TEXT_LANGUAGES",
    "Brief",
    "BriefError",
    "Fact",
    "Narrative",
    "ParseResult",
    "Problem",
    "Source",
    "parse_file",
    "parse_json",
    "parse_text",
    "to_json",
    "to_text",
]
