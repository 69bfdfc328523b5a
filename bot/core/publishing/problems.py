"""What is wrong with an admin's upload, in the admin's language.

brief/ words its problems in English and marks each message for the catalogue
(brief/_messages.py); here a problem is worded through the catalogue of the language being
spoken, its quantities in that language's digits and its language codes as that language
names them (CLDR, through Babel), then put after its line or its place in a JSON document
(admin_problem.txt). English reads exactly as `str(problem)`, what the command line prints.
"""

from __future__ import annotations

from collections.abc import Sequence

from babel.lists import format_list
from babel.numbers import format_decimal

from bot.core.dates import babel_locale
from bot.core.rendering import Renderer
from brief.model import Problem


def worded(renderer: Renderer, problem: Problem) -> str:
    """The problem as the admin reads it, with its line or place before it."""
    language = renderer.language()
    locale = babel_locale(language)

    def number(value: int) -> str:
        return str(format_decimal(value, locale=locale))

    def languages(codes: Sequence[str]) -> str:
        names = [locale.languages.get(code, code) for code in codes]
        return str(format_list(names, style="or", locale=locale))

    text = problem.worded(renderer.catalogues.get(language), number, languages)
    return renderer.render(
        "admin_problem.txt", line=problem.line, where=problem.where, problem=text
    )
