"""Catalogues as the bot reads them at start: a translation it cannot say is refused with
its file and line, and an operator's catalogue wins over the shipped one, message by
message. And which language a reader is spoken to in."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.catalogues import TemplatesError, load_catalogues, read_catalogue
from bot.core.languages import resolve_language

HEADER = """msgid ""
msgstr ""
"Language: {language}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
{plurals}
"""
PLURALS = {
    "es": '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
    "uk": '"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && '
    'n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"',
}


def catalogue(folder: Path, language: str, entries: str) -> Path:
    """`<folder>/locale/<language>/LC_MESSAGES/messages.po`, its header, then `entries`."""
    path = folder / "locale" / language / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = HEADER.format(language=language, plurals=PLURALS.get(language, ""))
    path.write_text(header + "\n" + entries, encoding="utf-8")
    return path


def refusal(path: Path, language: str) -> str:
    with pytest.raises(TemplatesError) as raised:
        read_catalogue(path, language)
    return str(raised.value)


def test_a_translation_with_another_placeholder_is_refused_at_its_line(tmp_path: Path) -> None:
    path = catalogue(
        tmp_path,
        "es",
        'msgid "Brief #%(number)s"\nmsgstr "Resumen n.º %(number)s"\n\n'
        'msgid "Published %(when)s"\nmsgstr "Publicado %(cuando)s"\n',
    )
    assert refusal(path, "es") == (
        f"{path}:12: the translation's placeholders ['cuando'] differ from the message's ['when']"
    )


def test_a_translation_that_drops_a_placeholder_is_refused(tmp_path: Path) -> None:
    path = catalogue(tmp_path, "es", 'msgid "Brief #%(number)s"\nmsgstr "Resumen"\n')
    assert "placeholders [] differ from the message's ['number']" in refusal(path, "es")


def test_a_tag_outside_telegrams_html_is_refused(tmp_path: Path) -> None:
    path = catalogue(tmp_path, "es", 'msgid "<b>Sources</b>"\nmsgstr "<div><b>Fuentes</b></div>"\n')
    message = refusal(path, "es")
    assert message.startswith(f"{path}:9: <div> is not in Telegram's HTML; use only a, b,")


def test_telegrams_own_tags_pass(tmp_path: Path) -> None:
    path = catalogue(
        tmp_path,
        "es",
        'msgid "<b>Sources</b> <code>/facts 12</code>"\n'
        'msgstr "<b>Fuentes</b> <code>/facts 12</code>"\n',
    )
    assert read_catalogue(path, "es")["<b>Sources</b> <code>/facts 12</code>"] is not None


def test_a_plural_with_the_wrong_number_of_forms_is_refused(tmp_path: Path) -> None:
    path = catalogue(
        tmp_path,
        "uk",
        'msgid "%(count)s brief"\nmsgid_plural "%(count)s briefs"\n'
        'msgstr[0] "%(count)s бриф"\nmsgstr[1] "%(count)s брифи"\n',
    )
    assert refusal(path, "uk") == (
        f"{path}:9: this language has 3 plural forms, the translation gives 2"
    )


def test_a_plural_form_may_leave_the_count_out(tmp_path: Path) -> None:
    """ "one brief": a language may say the one without its number; not any other name."""
    path = catalogue(
        tmp_path,
        "es",
        'msgid "%(count)s brief"\nmsgid_plural "%(count)s briefs"\n'
        'msgstr[0] "un resumen"\nmsgstr[1] "%(count)s resúmenes"\n',
    )
    assert read_catalogue(path, "es").num_plurals == 2


def test_an_untranslated_message_is_fine(tmp_path: Path) -> None:
    catalogue(tmp_path, "es", 'msgid "Brief #%(number)s"\nmsgstr ""\n')
    assert load_catalogues(tmp_path).get("es").gettext("Brief #%(number)s") == ("Brief #%(number)s")


def test_a_later_folder_overrides_message_by_message(tmp_path: Path) -> None:
    shipped, operator = tmp_path / "shipped", tmp_path / "operator"
    catalogue(
        shipped,
        "es",
        'msgid "Sources"\nmsgstr "Fuentes"\n\nmsgid "Facts"\nmsgstr "Hechos"\n\n'
        'msgid "Narratives"\nmsgstr "Narrativas"\n',
    )
    catalogue(
        operator,
        "es",
        'msgid "Sources"\nmsgstr "Las fuentes de la redacción"\n\n'
        '#, fuzzy\nmsgid "Facts"\nmsgstr "Datos"\n\nmsgid "Narratives"\nmsgstr ""\n',
    )
    spanish = load_catalogues(shipped, operator).get("es")
    assert spanish.gettext("Sources") == "Las fuentes de la redacción"
    assert spanish.gettext("Facts") == "Hechos"  # a fuzzy translation is no override
    assert spanish.gettext("Narratives") == "Narrativas"  # nor is an untranslated one
    # The other order: the shipped words win.
    assert load_catalogues(operator, shipped).get("es").gettext("Sources") == "Fuentes"


def test_a_language_only_an_operator_has_is_added(tmp_path: Path) -> None:
    catalogue(tmp_path / "operator", "pt", 'msgid "Sources"\nmsgstr "Fontes"\n')
    found = load_catalogues(tmp_path / "shipped", tmp_path / "operator")
    assert found.languages == ("en", "pt")
    assert found.get("pt").gettext("Sources") == "Fontes"
    assert found.get("xx").gettext("Sources") == "Sources"  # unknown: the source language


AVAILABLE = ("en", "es", "pt")


@pytest.mark.parametrize(
    ("chosen", "seen", "default", "spoken"),
    [
        ("es", "pt-BR", "en", "es"),  # the chat's own choice first
        (None, "pt-BR", "en", "pt"),  # Telegram's language, its region dropped
        (None, "ES", "en", "es"),
        (None, "uk", "en", "en"),  # a language the bot does not speak: the default
        (None, "uk", "es", "es"),
        ("de", "pt", "en", "pt"),  # a choice no catalogue has any more: the next
        (None, None, "en", "en"),
        (None, "", "es", "es"),
        (None, "x-klingon", "en", "en"),
        (None, "zh-hans-CN", "en", "en"),
    ],
)
def test_a_readers_language(
    chosen: str | None, seen: str | None, default: str, spoken: str
) -> None:
    assert resolve_language(chosen, seen, AVAILABLE, default) == spoken


def test_brazilian_portuguese_falls_back_to_the_default_without_portuguese() -> None:
    assert resolve_language(None, "pt-BR", ("en", "es"), "en") == "en"


def test_a_plural_with_more_forms_than_the_language_has_is_refused(tmp_path: Path) -> None:
    path = catalogue(
        tmp_path,
        "es",
        'msgid "%(count)s brief"\nmsgid_plural "%(count)s briefs"\n'
        'msgstr[0] "%(count)s resumen"\nmsgstr[1] "%(count)s resúmenes"\n'
        'msgstr[2] "%(count)s resúmenes"\n',
    )
    # Babel's own check, said in the same shape: the file, the message's line, the fault.
    assert refusal(path, "es") == (
        f"{path}:9: msg has more translations than num_plurals of catalog"
    )


def test_a_line_that_is_not_po_is_refused_at_its_line(tmp_path: Path) -> None:
    path = catalogue(tmp_path, "es", 'msgid "Sources"\nmsgstr "Fuentes"\nmsgtxt "Hechos"\n')
    assert refusal(path, "es") == f"{path}:11: Unknown or misformatted keyword"
