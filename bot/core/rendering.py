"""Reader text: one jinja2 Environment over templates/ (and an operator's TEMPLATES_DIR before
it), speaking each reader's language, and splitting into Telegram messages."""

from __future__ import annotations

import html
from collections import OrderedDict
from collections.abc import Callable, Hashable
from gettext import NullTranslations
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateSyntaxError,
    select_autoescape,
)
from markupsafe import Markup

from bot.core.catalogues import Catalogues, TemplatesError, load_catalogues
from bot.core.dates import format_date, format_datetime, format_moment
from bot.core.languages import SOURCE_LANGUAGE, ReaderLocale, current_locale, resolve_language
from bot.core.splitting import split_message
from storage.snippets import MARK_END, MARK_START

MEMO_SIZE = 512
_T = TypeVar("_T")


def templates_dir() -> Path:
    """The templates package, in a checkout or after a plain `pip install .`."""
    return Path(str(files("templates")))


def _highlight(snippet: str) -> Markup:
    """A search snippet escaped, its marked words in bold."""
    escaped = html.escape(snippet, quote=False)
    return Markup(escaped.replace(MARK_START, "<b>").replace(MARK_END, "</b>"))


class Renderer:
    """Renders templates to Telegram HTML in the current reader's language (bot/core/languages.py);
    every interpolated value is escaped."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        overrides: Path | None = None,
        catalogues: Catalogues | None = None,
        default_language: str = SOURCE_LANGUAGE,
    ) -> None:
        shipped = directory or templates_dir()
        folders = [overrides, shipped] if overrides else [shipped]
        self.catalogues = catalogues or load_catalogues(*reversed(folders))
        if default_language not in self.catalogues.languages:
            raise TemplatesError(
                f"BOT_LANGUAGE {default_language} has no catalogue; the bot speaks "
                f"{', '.join(self.catalogues.languages)}"
            )
        self.default = ReaderLocale(default_language)
        self._env = Environment(
            loader=ChoiceLoader([FileSystemLoader(folder) for folder in folders]),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        self._env.install_gettext_callables(  # type: ignore[attr-defined]
            gettext=lambda message: self._translations().gettext(message),
            ngettext=lambda one, many, n: self._translations().ngettext(one, many, n),
            pgettext=lambda context, message: self._translations().pgettext(context, message),
            npgettext=lambda context, one, many, n: self._translations().npgettext(
                context, one, many, n
            ),
            newstyle=True,
        )
        self._env.filters["date"] = lambda value: format_date(value, self.locale())
        self._env.filters["datetime"] = lambda value: format_datetime(value, self.locale())
        self._env.filters["moment"] = lambda value: format_moment(value, self.locale())
        self._env.filters["highlight"] = _highlight
        self._labels: dict[tuple[str, str], str] = {}
        # Renders kept in this process only, rebuilt on demand after a restart: a rendering
        # depends on nothing but its key and the locale, so several replicas may each keep
        # their own.
        self._memo: OrderedDict[Hashable, Any] = OrderedDict()
        if overrides:
            self.check(overrides)

    def check(self, folder: Path) -> None:
        """Compile every template in the folder (an operator's TEMPLATES_DIR) once, at start:
        a template that does not compile stops the start, naming its file and line."""
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".html", ".txt") and "locale" not in path.parts:
                name = path.relative_to(folder).as_posix()
                try:
                    self._env.get_template(name)
                except TemplateSyntaxError as error:
                    raise TemplatesError(f"{path}:{error.lineno}: {error.message}") from None
                except (UnicodeDecodeError, OSError) as error:
                    raise TemplatesError(f"{path}: {error}") from None

    def locale(self) -> ReaderLocale:
        """Who the text being rendered is for: the current reader's, else the bot's default."""
        return current_locale() or self.default

    def locale_for(
        self, chosen: str | None, seen: str | None, zone: str | None = None
    ) -> ReaderLocale:
        """What a chat is written to without an update (a push, a correction): its stored
        choice, else the app language last seen for it, else the default."""
        language = resolve_language(chosen, seen, self.catalogues.languages, self.default.language)
        return ReaderLocale(language, zone or "UTC")

    def language(self) -> str:
        return self.locale().language

    def _translations(self) -> NullTranslations:
        return self.catalogues.get(self.language())

    def render(self, name: str, **context: Any) -> str:
        return self._env.get_template(name).render(**context).strip()

    def label(self, part: str) -> str:
        """A button's label; labels never change while the bot runs, so each renders once."""
        key = (self.language(), part)
        if key not in self._labels:
            self._labels[key] = self.render("button.txt", part=part)
        return self._labels[key]

    def memo(self, key: Hashable, render: Callable[[], _T]) -> _T:
        """The result of `render` for this key, kept for the most recently used keys.

        The key must capture everything the rendering depends on; `render` never
        returns None. The locale is part of the key: each language renders its own.
        """
        key = (self.locale(), key)
        if key in self._memo:
            self._memo.move_to_end(key)
            known: _T = self._memo[key]
            return known
        value = self._memo[key] = render()
        if len(self._memo) > MEMO_SIZE:
            self._memo.popitem(last=False)
        return value

    def lines(self, name: str, **context: Any) -> list[str]:
        """A plain-text template whose non-blank lines are separate labels (buttons, menus)."""
        return [line.strip() for line in self.render(name, **context).splitlines() if line.strip()]

    def messages(self, name: str, **context: Any) -> list[str]:
        """Render, then split into pieces that each fit one Telegram message."""
        return split_message(self.render(name, **context))
