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
