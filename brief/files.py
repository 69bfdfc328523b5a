"""A brief file's bytes, as the command line reads them and as admins upload them."""

from __future__ import annotations

from brief._messages import N_, problem
from brief.model import BriefError, ParseResult, Problem
from brief.parser import parse_json, parse_text

# Far above any real brief (the long example is 8 KB), so anything larger is the wrong file.
MAX_BRIEF_BYTES = 1024 * 1024


# Translators: %(size)s is a number of megabytes
FILE_TOO_LARGE = N_(
    "the file is larger than %(size)s MB; a brief is far smaller, "
    "so check that it is the right file"
)
# Translators: as "the file is larger …", for a brief pasted as messages
PASTE_TOO_LARGE = N_(
    "the paste is larger than %(size)s MB; a brief is far smaller, "
    "so check that it is the right paste"
)
NOT_UTF8 = N_("the file is not UTF-8 text; save it as UTF-8 and send it again")


def too_large(message: str) -> Problem:
    return problem(message, size=MAX_BRIEF_BYTES // (1024 * 1024))


def parse_file(data: bytes, *, as_json: bool) -> ParseResult:
    """Parse a file's content: the JSON form, or the text form in UTF-8 (a BOM is fine).

    Raises BriefError for a file too large, not UTF-8, or not a valid brief.
    """
    if len(data) > MAX_BRIEF_BYTES:
        raise BriefError([too_large(FILE_TOO_LARGE)])
    if as_json:
        return parse_json(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BriefError([problem(NOT_UTF8, line)]) from None
    return parse_text(text)
