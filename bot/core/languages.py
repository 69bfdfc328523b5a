"""Which language (and time zone) the bot speaks in: to a reader, a subscriber, a channel.

The language of a text is decided where its recipient is known (an update's chat, a push's
subscriber, a channel's setting) and set for everything rendered below that point with
`speaking(...)`, a context variable: the core's functions render without a language
parameter threaded through each of them, and a task started inside inherits it. Outside
any `speaking` block, the renderer speaks the bot's default language (BOT_LANGUAGE).

Nothing here is kept between updates: a chat's choice lives in storage (the chat's row in
chat_languages), so every replica, and the bot after a restart, speaks the same language to
the same chat.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

SOURCE_LANGUAGE = "en"  # the language the templates are written in
# The languages shipped with the bot, in the order the language menu shows them.
SHIPPED_LANGUAGES = ("en", "es", "uk", "ru", "ar")


@dataclass(frozen=True, slots=True)
class ReaderLocale:
    """What a text is rendered for: its language, and the zone its dates and times are in."""

    language: str
    zone: str = "UTC"


_current: ContextVar[ReaderLocale | None] = ContextVar("briefbot_locale", default=None)


def current_locale() -> ReaderLocale | None:
    return _current.get()


@contextmanager
def speaking(language: str, zone: str | None = None) -> Iterator[ReaderLocale]:
    """Render in this language (and time zone) inside the block."""
    locale = ReaderLocale(language, zone or "UTC")
    token = _current.set(locale)
    try:
        yield locale
    finally:
        _current.reset(token)


def use_locale(locale: ReaderLocale) -> None:
    """Speak so for the rest of the current task: an update's handlers, which PTB runs in a
    task of their own, so the setting ends with the update."""
    _current.set(locale)


def primary_subtag(code: str | None) -> str | None:
    """`pt-BR` → `pt`, `ES` → `es`: the language of an IETF tag, lower case; None if none."""
    if not code:
        return None
    primary = code.replace("_", "-").split("-", 1)[0].strip().lower()
    return primary if primary.isascii() and primary.isalpha() and len(primary) <= 3 else None


def resolve_language(
    chosen: str | None, seen: str | None, available: Collection[str], default: str
) -> str:
    """The chat's own choice, else its Telegram language (`pt-BR` → `pt`), else the default.

    A choice or code the bot has no catalogue for (a language an operator's catalogue
    provided and later removed, Telegram's `pt-BR`) falls through to the next.
    """
    for candidate in (chosen, primary_subtag(seen)):
        if candidate and candidate in available:
            return candidate
    return default
