"""The shipped catalogues, as CI holds them: fresh, complete, CLDR's plurals, Telegram's HTML
and limits in every language the bot ships."""

from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.core.catalogues import TemplatesError, read_catalogue
from bot.core.languages import SHIPPED_LANGUAGES, SOURCE_LANGUAGE, speaking
from bot.core.reading import help_reply
from bot.core.rendering import Renderer, templates_dir
from bot.core.splitting import MAX_MESSAGE_LENGTH, visible_length
from tests.fakebot.html import parse_html

ROOT = Path(__file__).parents[2]
TRANSLATED = [language for language in SHIPPED_LANGUAGES if language != SOURCE_LANGUAGE]
# Counts every counted phrase is rendered with: each CLDR plural category of every shipped
# language (Arabic's zero, one, two, few, many and other; the Slavic 1/21/101, 2/3/22, 5/11).
COUNTS = (0, 1, 2, 3, 5, 11, 21, 22, 101)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def catalogue(language: str) -> Catalog:
    path = templates_dir() / "locale" / language / "LC_MESSAGES" / "messages.po"
    return read_catalogue(path, language)


def messages(language: str) -> list[Message]:
    return [message for message in catalogue(language) if message.id]


def test_the_catalogue_holds_every_message_of_the_templates() -> None:
    """A template's message missing from messages.pot, or a .po behind it, fails CI: run
    scripts/catalogue."""
    pybabel = Path(sys.executable).parent / "pybabel"
    found = subprocess.run(
        [ROOT / "scripts" / "catalogue", "--check"],
        env={**os.environ, "PYBABEL": str(pybabel)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0, found.stderr[-2000:]


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalogue_has_exactly_the_messages_of_the_template(language: str) -> None:
    """A .po behind messages.pot (or holding messages no template has): run scripts/catalogue."""
    with (templates_dir() / "locale" / "messages.pot").open("rb") as file:
        wanted = {_key(message) for message in read_po(file) if message.id}
    found = {_key(message) for message in messages(language)}
    assert (sorted(wanted - found), sorted(found - wanted)) == ([], [])


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str) -> None:
    untranslated = [
        message.id for message in messages(language) if message.fuzzy or not all(_strings(message))
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_forms_are_cldrs(language: str) -> None:
    """The catalogue's Plural-Forms picks the same form as CLDR's rules, for any count."""
    found = catalogue(language)
    rule = get_plural(language)
    assert found.num_plurals == rule.num_plurals
    ours, cldr = gettext.c2py(found.plural_expr), gettext.c2py(rule.plural_expr)
    assert [ours(n) for n in range(1200)] == [cldr(n) for n in range(1200)]


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_every_counted_phrase_reads_for_every_count(language: str) -> None:
    translations = Renderer().catalogues.get(language)
    counted = [m for m in messages(TRANSLATED[0]) if isinstance(m.id, (tuple, list))]
    assert counted, "no counted phrase found: the test would prove nothing"
    for message in counted:
        singular, plural = message.id[0], message.id[1]
        for count in COUNTS:
            template = translations.ngettext(singular, plural, count)
            values: dict[str, Any] = dict.fromkeys(_PLACEHOLDER.findall(template), "x")
            text = template % {**values, "count": count}
            assert text.strip(), (singular, count)
            if "%(count)s" in template:
                assert str(count) in text


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_parse_as_telegram_html(language: str) -> None:
    """Each translation, its placeholders filled, is HTML the strict local Bot API server (and
    so Telegram) accepts: tags it knows, balanced, entities escaped."""
    for message in messages(language):
        if not message.id or not any(_strings(message)):
            continue
        sources = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        if not any("<" in source or "&" in source for source in sources):
            continue  # a plain-text message (a button, a menu line) is not parsed as HTML
        for string in _strings(message):
            filled = _PLACEHOLDER.sub("x", string).replace("%%", "%")
            try:
                parse_html(filled)
            except Exception as error:  # the parser's refusal, Telegram's "can't parse"
                pytest.fail(f"{language}: {message.id!r}: {error}")


def test_a_catalogue_with_a_foreign_tag_is_refused(tmp_path: Path) -> None:
    po = tmp_path / "messages.po"
    po.write_text('msgid "Hello"\nmsgstr "<div>Hola</div>"\n', encoding="utf-8")
    with pytest.raises(TemplatesError, match=r"messages\.po:1: <div> is not in Telegram's HTML"):
        read_catalogue(po, "es")


# Telegram's limits on the texts that are not split into messages.
LIMITS = {
    "bot_description.txt": 512,
    "bot_short_description.txt": 120,
    "stale_button.txt": 200,  # answerCallbackQuery's text
    "slow_down.txt": 200,
}


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_rendered_texts_keep_telegrams_limits(language: str) -> None:
    renderer = Renderer()
    with speaking(language):
        for name, limit in LIMITS.items():
            assert 0 < len(renderer.render(name)) <= limit, name
        for action in ("on", "off", "admins", "owner", "time"):
            assert len(renderer.render("settings_changed.txt", action=action)) <= 200
        for line in renderer.lines("commands.txt"):
            command, _, description = line.partition(" - ")
            assert re.fullmatch(r"[a-z0-9_]{1,32}", command), line
            assert 1 <= len(description) <= 256, line
        for text in (renderer.render("start.html"), *help_reply(renderer).texts):
            assert visible_length(text) <= MAX_MESSAGE_LENGTH, text[:40]
            parse_html(text)


def _key(message: Message) -> tuple[str, str]:
    first = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
    return (message.context or "", first)


def _strings(message: Message) -> tuple[str, ...]:
    value = message.string
    return tuple(value) if isinstance(value, (tuple, list)) else (value or "",)
