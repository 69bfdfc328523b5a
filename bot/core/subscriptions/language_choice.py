"""`/language`: the language the bot speaks to a chat, chosen by the chat.

The choice is stored (storage.languages), so the daily push, the corrections of pushed
copies and every replica speak it too; with no choice, the chat hears its app's language
(Telegram's language_code) when the bot has it, else BOT_LANGUAGE. An app that never tells
the bot its reader's language (`app_reports_language=False`) hears of BOT_LANGUAGE, the bot's
default, where another hears of its app's. Who may choose for a group is the adapter's to
say, as for its subscription.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from bot.core.chat import Button, LanguageChoice, Reply
from bot.core.languages import speaking
from bot.core.rendering import Renderer
from storage import Storage

AUTOMATIC = "auto"  # `/language auto`: back to the app's language, or the bot's default


@dataclass(frozen=True, slots=True)
class LanguagePressed:
    """A press under `/language`, applied: the answer to the press, and the menu as it is now,
    both in the language just chosen."""

    notice: str
    view: Reply


@lru_cache(maxsize=32)
def native_name(language: str) -> str:
    """The language named in itself (Español, Українська, العربية): a reader finds their own
    in a menu written in a language they may not read."""
    try:
        name = Locale.parse(language).get_display_name(language)
    except (UnknownLocaleError, ValueError):
        name = None
    return (name[:1].upper() + name[1:]) if name else language


def language_menu(
    renderer: Renderer, chosen: str | None, *, app_reports_language: bool = True
) -> Reply:
    """The languages the bot speaks, each named in itself, the chat's choice marked; and the
    button that goes back to the app's language (or the bot's default, BOT_LANGUAGE, for an
    app that does not report its reader's)."""
    text = renderer.render(
        "language_menu.html",
        current=native_name(renderer.language()),
        chosen=chosen,
        app_language=app_reports_language,
        default=native_name(renderer.default.language),
    )
    buttons = [
        Button(
            renderer.render(
                "language_button.txt", language_name=native_name(code), current=code == chosen
            ),
            LanguageChoice(code),
        )
        for code in renderer.catalogues.languages
    ]
    rows = [tuple(buttons[index : index + 2]) for index in range(0, len(buttons), 2)]
    automatic = renderer.render(
        "language_button.txt",
        language_name=None,
        current=chosen is None,
        app_language=app_reports_language,
    )
    rows.append((Button(automatic, LanguageChoice(None)),))
    return Reply([text], tuple(rows))


async def language_reply(
    storage: Storage,
    renderer: Renderer,
    chat_id: int,
    args: list[str],
    *,
    telegram_code: str | None,
    now: datetime,
    app_reports_language: bool = True,
) -> Reply:
    """`/language` shows the menu; `/language es` (or `auto`) chooses at once; anything else
    is refused with the languages there are."""
    if not args:
        chosen = (await storage.languages.get(chat_id)).chosen
        return language_menu(renderer, chosen, app_reports_language=app_reports_language)
    wanted = args[0].strip().lower()[:16]
    if len(args) > 1 or (wanted != AUTOMATIC and wanted not in renderer.catalogues.languages):
        text = renderer.render(
            "language_unknown.html",
            text=" ".join(args)[:64],
            languages=[(code, native_name(code)) for code in renderer.catalogues.languages],
            app_language=app_reports_language,
        )
        return Reply([text])
    choice = None if wanted == AUTOMATIC else wanted
    pressed = await choose_language(
        storage,
        renderer,
        chat_id,
        LanguageChoice(choice),
        telegram_code=telegram_code,
        now=now,
        app_reports_language=app_reports_language,
    )
    return Reply([pressed.notice, *pressed.view.texts], pressed.view.keyboard)


async def choose_language(
    storage: Storage,
    renderer: Renderer,
    chat_id: int,
    choice: LanguageChoice,
    *,
    telegram_code: str | None,
    now: datetime,
    app_reports_language: bool = True,
) -> LanguagePressed:
    """Store the chat's choice, then answer in the language it now hears. A button naming a
    language the bot no longer speaks (an operator removed its catalogue) chooses nothing."""
    known = renderer.catalogues.languages
    chosen = choice.language if choice.language in known else None
    if choice.language is not None and chosen is None:
        menu = language_menu(renderer, None, app_reports_language=app_reports_language)
        return LanguagePressed(renderer.render("stale_button.txt"), menu)
    await storage.languages.choose(chat_id, chosen, at=now)
    await storage.languages.seen(chat_id, telegram_code, at=now)
    spoken = renderer.locale_for(chosen, telegram_code, renderer.locale().zone)
    with speaking(spoken.language, spoken.zone):
        notice = renderer.render("language_changed.txt", language_name=native_name(spoken.language))
        menu = language_menu(renderer, chosen, app_reports_language=app_reports_language)
        return LanguagePressed(notice, menu)
