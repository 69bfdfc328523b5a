# ruff: noqa: RUF001, RUF002 - Cyrillic words are what these tests search
"""Search in the languages briefs are written in (Ukrainian, Russian, Spanish): case and
diacritics ignored, the last word a prefix, alike on both engines."""

from dataclasses import replace

import pytest

from brief.model import Brief, Fact
from storage import Storage
from storage.snippets import MARK_END, MARK_START
from tests.storage.conftest import at, make_brief


def _brief(language: str, title: str, fact: str) -> Brief:
    return replace(
        make_brief("x"),
        title=title,
        summary="—",
        facts=(Fact(fact, (1,)),),
        language=language,
    )


UKRAINIAN = _brief("uk", "Київ і Дніпро", "Перемовини в Києві тривають; ґанок, їжак")
RUSSIAN = _brief("ru", "Ёлка на площади", "Москва ответила Берлину, ещё раз")
SPANISH = _brief("es", "València y Cádiz", "El Gobierno aprobó la reforma en Córdoba")


@pytest.fixture
async def published(storage: Storage) -> dict[str, int]:
    ids = {}
    for brief in (UKRAINIAN, RUSSIAN, SPANISH):
        ids[brief.language] = (await storage.briefs.publish(brief, by=None, at=at(0))).id
    return ids


async def _found(storage: Storage, query: str) -> list[int]:
    return [hit.id for hit in await storage.search.search(query)]


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("київ", "uk"),
        ("КИЇВ", "uk"),
        ("дніпро", "uk"),
        ("києві", "uk"),
        ("ки", "uk"),  # a prefix, in Cyrillic
        ("к", "uk"),
        ("київ дні", "uk"),
        ("ґанок", "uk"),
        ("їжа", "uk"),
        ("москва", "ru"),
        ("МОСК", "ru"),
        ("берлину", "ru"),
        ("ответила бер", "ru"),
        ("valencia", "es"),
        ("VALÈNCIA", "es"),
        ("cadiz", "es"),
        ("córdoba", "es"),
        ("cordo", "es"),
        ("gobierno aprobo", "es"),
    ],
)
async def test_words_are_found_whatever_their_case_and_diacritics(
    storage: Storage, published: dict[str, int], query: str, language: str
) -> None:
    assert await _found(storage, query) == [published[language]]


async def test_russian_yo_and_ye_find_each_other(
    storage: Storage, published: dict[str, int]
) -> None:
    """Russian is mostly written with е for ё: either finds the other."""
    for query in ("ёлка", "елка", "ЕЛКА", "ел", "ещё", "еще", "еще раз"):
        assert await _found(storage, query) == [published["ru"]], query
    written_without = await storage.briefs.publish(
        _brief("ru", "Еще одна елка", "Без буквы ё"), by=None, at=at(1)
    )
    assert await _found(storage, "ёлка") == [written_without.id, published["ru"]]


async def test_a_ukrainian_letter_is_not_taken_for_another(
    storage: Storage, published: dict[str, int]
) -> None:
    """ї and і, ґ and г are letters of their own in Ukrainian, not diacritics."""
    assert await _found(storage, "киів") == []
    assert await _found(storage, "ганок") == []


async def test_the_snippet_marks_the_cyrillic_word_as_written(
    storage: Storage, published: dict[str, int]
) -> None:
    [hit] = await storage.search.search("перемовини")
    assert f"{MARK_START}Перемовини{MARK_END}" in hit.snippet
    [hit] = await storage.search.search("елка")
    assert hit.snippet.startswith(f"{MARK_START}Ёлка{MARK_END}")


# Briefs whose words are found by other forms of them on PostgreSQL, which stems each
# brief's words in its language; SQLite finds words as written (or started) only.
STEMMED = {
    "es": _brief("es", "Nuevos carriles bici", "El pleno aprobó la obra"),
    "ru": _brief("ru", "Дума приняла бюджет", "Депутаты голосовали"),
    "en": _brief("en", "Council votes on the harbor", "Shipyards expand"),
    "uk": _brief("uk", "Перемовини тривають", "Делегації зустрілися"),
}


@pytest.fixture
async def stemmed(storage: Storage) -> dict[str, int]:
    ids = {}
    for language, brief in STEMMED.items():
        ids[language] = (await storage.briefs.publish(brief, by=None, at=at(0))).id
    return ids


@pytest.mark.parametrize(
    ("query", "language", "stemmed_only"),
    [
        ("carril", "es", False),  # the start of "carriles", on both engines
        ("carril bici", "es", True),  # "carril" a whole word, as "carriles" is stemmed
        ("aprobaron carriles", "es", True),
        ("бюджету", "ru", True),
        ("бюджета дума", "ru", True),
        ("голосовал", "ru", False),
        ("voting", "en", True),
        ("vote harbor", "en", True),
        ("shipyard", "en", False),
        ("перемовини", "uk", False),  # Ukrainian: no stemmer in PostgreSQL, words as written
        ("перемовин", "uk", False),
    ],
)
async def test_a_word_finds_its_other_forms_in_the_briefs_language_on_postgresql(
    storage: Storage,
    backend: str,
    stemmed: dict[str, int],
    query: str,
    language: str,
    stemmed_only: bool,
) -> None:
    expected = [] if stemmed_only and backend == "sqlite" else [stemmed[language]]
    assert await _found(storage, query) == expected


async def test_ukrainian_words_are_not_stemmed(storage: Storage, stemmed: dict[str, int]) -> None:
    """PostgreSQL has no Ukrainian stemmer: another form of a Ukrainian word is not found
    (the Russian stemmer, which stems every reader's Cyrillic words, does not make one)."""
    for query in ("перемовинами", "делегаціями", "тривало"):
        assert await _found(storage, query) == [], query


async def test_the_snippet_marks_the_form_the_brief_holds(
    storage: Storage, backend: str, stemmed: dict[str, int]
) -> None:
    if backend == "sqlite":
        assert await _found(storage, "voting") == []
        return
    [hit] = await storage.search.search("voting")
    assert f"{MARK_START}votes{MARK_END}" in hit.snippet
    [hit] = await storage.search.search("бюджету")
    assert f"{MARK_START}бюджет{MARK_END}" in hit.snippet
