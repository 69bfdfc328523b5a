"""The translations of the bot's own words: gettext catalogues, read and checked at start.

The shipped catalogues are `.po` files under templates/locale/<language>/LC_MESSAGES/; an
operator's TEMPLATES_DIR may hold more under its own locale/ folder, in the same layout,
which override the shipped translations message by message or add a language. Each is
compiled in memory when the bot starts (Babel reads the `.po`, writes the `.mo` into a
buffer, gettext reads it): one path for the shipped catalogues and an operator's, which
cannot be compiled at build time, and no compiled file to go stale beside its source.

Every translation is checked as it is read: the same placeholders as the message, only the
HTML Telegram accepts, and the plural forms its language has. A catalogue that fails a
check stops the start with one line naming the file and line (TemplatesError).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from gettext import GNUTranslations, NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from bot.core.languages import SHIPPED_LANGUAGES, SOURCE_LANGUAGE

DOMAIN = "messages"
# The tags of Telegram's HTML (core.telegram.org/bots/api#html-style); a translation may use
# these and no other.
TELEGRAM_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler"}
    | {"a", "code", "pre", "blockquote", "tg-emoji"}
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]|%%")
_TAG = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9-]*)")


class TemplatesError(Exception):
    """A template or catalogue the bot cannot speak from: `path:line: what to change`."""


@dataclass(frozen=True, slots=True)
class Catalogues:
    """Each language's translations; the source language needs none."""

    translations: dict[str, NullTranslations]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.translations)

    def get(self, language: str) -> NullTranslations:
        return self.translations.get(language) or self.translations[SOURCE_LANGUAGE]


def load_catalogues(*folders: Path) -> Catalogues:
    """Every language found under `<folder>/locale/`, later folders overriding earlier ones."""
    catalogs: dict[str, Catalog] = {}
    for path, language in _po_files(folders):
        found = read_catalogue(path, language)
        if language in catalogs:
            _override(catalogs[language], found)
        else:
            catalogs[language] = found
    translations: dict[str, NullTranslations] = {SOURCE_LANGUAGE: NullTranslations()}
    # The shipped languages in their menu order, then an operator's, by code.
    order = {code: index for index, code in enumerate(SHIPPED_LANGUAGES)}
    for language, catalog in sorted(catalogs.items(), key=lambda i: (order.get(i[0], 99), i[0])):
        if language != SOURCE_LANGUAGE:
            translations[language] = _compiled(catalog)
    return Catalogues(translations)


def _po_files(folders: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    for folder in folders:
        for path in sorted((folder / "locale").glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            yield path, path.parent.parent.name


def read_catalogue(path: Path, language: str) -> Catalog:
    """One `.po` file, read and checked; TemplatesError names the file and line of a fault."""
    try:
        with path.open("rb") as file:
            catalog = read_po(file, locale=language, abort_invalid=True)
    except PoFileError as error:
        # Babel counts lines from 0 and ends its message with " on <line>": said as the
        # other faults are, `file:line: what`.
        what = str(error).removesuffix(f" on {error.lineno}")
        raise TemplatesError(f"{path}:{error.lineno + 1}: {what}") from None
    except (ValueError, UnicodeDecodeError, OSError) as error:
        raise TemplatesError(f"{path}: {error}") from None
    for message in catalog:
        problem = translation_problem(message, catalog.num_plurals)
        if problem:
            raise TemplatesError(f"{path}:{message.lineno}: {problem}")
    return catalog


def translation_problem(message: Message, plurals: int) -> str | None:
    """Why this translation cannot be used, or None (an untranslated message is fine)."""
    if not message.id:
        return None  # the header
    sources = _texts(message.id)
    strings = _texts(message.string)
    if not any(strings):
        return None
    # Babel pads a plural's forms with empty ones up to the language's number: a form left
    # out would be said as nothing, so the forms given are the ones counted.
    given = sum(1 for string in strings if string)
    if isinstance(message.id, (tuple, list)) and given != plurals:
        return f"this language has {plurals} plural forms, the translation gives {given}"
    wanted = set().union(*(placeholder_names(source) for source in sources))
    # A plural form may leave the count out ("one brief"): every other placeholder stays.
    optional = {"count"} if len(sources) > 1 else set()
    for string in strings:
        found = placeholder_names(string)
        if string and (found - wanted or wanted - optional - found):
            return (
                f"the translation's placeholders {sorted(found)} differ from the message's "
                f"{sorted(wanted)}"
            )
        if bad := sorted(tag_names(string) - TELEGRAM_TAGS):
            allowed = ", ".join(sorted(TELEGRAM_TAGS))
            return f"<{bad[0]}> is not in Telegram's HTML; use only {allowed}"
    return None


def _texts(value: object) -> tuple[str, ...]:
    """A message's id or string: one text, or a plural's several."""
    if isinstance(value, (tuple, list)):
        return tuple(str(text or "") for text in value)
    return (str(value or ""),)


def placeholder_names(text: str) -> set[str]:
    return {match[1] or "%%" for match in _PLACEHOLDER.finditer(text)} - {"%%"}


def tag_names(text: str) -> set[str]:
    return {name.lower() for name in _TAG.findall(text)}


def _override(base: Catalog, override: Catalog) -> None:
    for message in override:
        if message.id and message.string and not message.fuzzy:
            # Removed first: Babel's Catalog, given a message it has, merges the two and
            # keeps its own translation, so the operator's would never be said.
            base.delete(message.id, message.context)
            base[message.id] = message


def _compiled(catalog: Catalog) -> GNUTranslations:
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return GNUTranslations(buffer)
