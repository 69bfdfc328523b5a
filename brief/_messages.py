"""Marking the parser's messages for translation, without a translation library.

brief/ words every problem in English and knows no reader: each message is an English
msgid marked here, extracted into the bot's catalogue (babel.cfg, scripts/catalogue:
`-k N_ -k Nn_:1,2`), and worded in an admin's language by the application
(`Problem.worded`, bot/core/problems.py). A message is one whole sentence: what varies is a
param, never a spliced English word, and the brief's own structural words ("Hechos") are
params too, since they are the brief's language, not the reader's.
"""

from __future__ import annotations

from typing import NamedTuple

from brief.model import Param, Problem


class Plural(NamedTuple):
    """A message with a count: the English singular and plural msgids."""

    singular: str
    plural: str


# Named as gettext's tools name the markers that translate nothing yet ("no-op"), so a
# translator's tools and the extraction read them.
def N_(message: str) -> str:
    return message


def Nn_(singular: str, plural: str) -> Plural:
    return Plural(singular, plural)


def problem(
    message: str | Plural,
    line: int | None = None,
    where: str | None = None,
    /,
    **params: Param,
) -> Problem:
    """A problem saying a marked message, on a line of the text form or at a place in the
    JSON form; a Plural's form is picked by the `count` param. The line and the place are
    positional so that any name is free for a param."""
    if isinstance(message, Plural):
        return Problem(message.singular, line, tuple(params.items()), message.plural, where or None)
    return Problem(message, line, tuple(params.items()), None, where or None)
