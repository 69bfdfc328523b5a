"""Briefs written in Spanish, Ukrainian and Russian: the language read off the structural
words, every rule of the text form in those words, and briefs mixing two languages refused."""

# ruff: noqa: RUF001 - Cyrillic letters and the en dash are the text under test

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from brief import (
    TEXT_LANGUAGES,
    Brief,
    BriefError,
    Fact,
    Narrative,
    Problem,
    Source,
    parse_json,
    parse_text,
    to_json,
    to_text,
)

# Each language's words, as brief-format.md lists them.
WORDS = {
    "en": ("Facts", "Sources", "and", "Narratives", "{} narrative, as provided by {}."),
    "es": ("Hechos", "Fuentes", "y", "Narrativas", "Narrativa {}, según {}."),
    "uk": ("Факти", "Джерела", "та", "Наративи", "{} наратив, за версією {}."),
    "ru": ("Факты", "Источники", "и", "Нарративы", "{} нарратив, по версии {}."),
}
LANGUAGES = sorted(WORDS)


def test_the_text_form_knows_the_languages_of_the_format() -> None:
    assert TEXT_LANGUAGES == ("en", "es", "uk", "ru")


def upload(
    language: str,
    *,
    facts: Sequence[str] = ("- A fact.1", "- Another fact.2"),
    sources: Sequence[str] | None = None,
    narratives: Sequence[str] | None = None,
) -> str:
    """A brief in a language's words: title on line 1, summary on 2, the facts heading on 3."""
    facts_word, sources_word, conjunction, narratives_word, shape = WORDS[language]
    if sources is None:
        sources = [f"{sources_word}: 1Alpha Times {conjunction} 2Beta Post."]
    if narratives is None:
        narratives = [
            f"- {shape.format('Pro', 'Alpha Times')} It is good.",
            f"- {shape.format('Con', 'Beta Post')} It is bad.",
        ]
    lines = ["A Title", "A summary.", facts_word, *facts, *sources, narratives_word, *narratives]
    return "\n".join(lines) + "\n"


def problems(text: str) -> list[str]:
    with pytest.raises(BriefError) as caught:
        parse_text(text)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_language_is_read_off_the_words(language: str) -> None:
    result = parse_text(upload(language))
    assert result.brief == Brief(
        "A Title",
        "A summary.",
        (Fact("A fact.", (1,)), Fact("Another fact.", (2,))),
        (Source(1, "Alpha Times"), Source(2, "Beta Post")),
        (
            Narrative("Pro", "Alpha Times", "It is good."),
            Narrative("Con", "Beta Post", "It is bad."),
        ),
        language,
    )
    assert result.warnings == ()


@pytest.mark.parametrize("language", LANGUAGES)
def test_headings_in_any_case_with_a_colon(language: str) -> None:
    facts, sources, _, narratives, _ = WORDS[language]
    text = upload(language, sources=[f"{sources.upper()} :", "1. Alpha Times", "2. Beta Post"])
    text = text.replace(f"\n{facts}\n", f"\n{facts.lower()}:\n")
    text = text.replace(f"\n{narratives}\n", f"\n{narratives.upper()}\n")
    brief = parse_text(text).brief
    assert brief.language == language
    assert [source.name for source in brief.sources] == ["Alpha Times", "Beta Post"]


@pytest.mark.parametrize(
    ("line", "label", "outlet", "text"),
    [
        ("- Narrativa antirrusa, según TASS. Texto.", "antirrusa", "TASS", "Texto."),
        ("- narrativa Crítica según El País. Texto.", "Crítica", "El País", "Texto."),
        (
            "- Narrativa local, según Diario de Avda. Valencia. Hoy.",
            "local",
            "Diario de Avda. Valencia",
            "Hoy.",
        ),
        ("- Narrativa dura, según ABC. ¿Quién paga? Nadie.", "dura", "ABC", "¿Quién paga? Nadie."),
        ("- Narrativa, según U.S. News. ¡Basta!", None, None, None),
    ],
)
def test_spanish_narrative_lines(
    line: str, label: str | None, outlet: str | None, text: str | None
) -> None:
    brief_text = upload("es", narratives=[line, "- Narrativa b, según Beta. Texto."])
    if label is None:
        assert problems(brief_text)[0].startswith("line 8: this narrative does not read")
        return
    narrative = parse_text(brief_text).brief.narratives[0]
    assert (narrative.label, narrative.outlet, narrative.text) == (label, outlet, text)


@pytest.mark.parametrize(
    ("line", "outlet", "text"),
    [
        ("- Критичний наратив, за версією Радіо Свобода. Текст.", "Радіо Свобода", "Текст."),
        ("- Критичний наратив, за версією Zaxid.net. «Текст».", "Zaxid.net", "«Текст»."),
        ("- Критичний наратив, за версією Газета м. Львова. Текст.", "Газета м. Львова", "Текст."),
        ("- Критичний наратив, за версією В. О. Новини. Текст.", "В. О. Новини", "Текст."),
    ],
)
def test_ukrainian_outlets_end_at_a_period_and_a_capital(line: str, outlet: str, text: str) -> None:
    brief_text = upload("uk", narratives=[line, "- Інший наратив, за версією Бета. Текст."])
    narrative = parse_text(brief_text).brief.narratives[0]
    assert (narrative.label, narrative.outlet, narrative.text) == ("Критичний", outlet, text)


@pytest.mark.parametrize(
    ("language", "sources", "names"),
    [
        (
            "es",
            "Fuentes: 1Radio y Televisión, 2El País e 3Iberia.",
            ["Radio y Televisión", "El País", "Iberia"],
        ),
        ("uk", "Джерела: 1Суспільне, 2Zaxid.net і 3ZN.UA.", ["Суспільне", "Zaxid.net", "ZN.UA"]),
        ("uk", "Джерела: 1Суспільне, 2Суд й 3Рада.", ["Суспільне", "Суд", "Рада"]),
        (
            "ru",
            "Источники: 1РИА Новости, 2Мэрия и 3Коммерсантъ.",
            ["РИА Новости", "Мэрия", "Коммерсантъ"],
        ),
        ("en", "Sources: 1Smith y Hijos and 2B and 3C.", ["Smith y Hijos", "B", "C"]),
    ],
)
def test_each_languages_conjunctions_before_the_last_source(
    language: str, sources: str, names: list[str]
) -> None:
    brief = parse_text(upload(language, facts=["- A fact.3"], sources=[sources])).brief
    assert brief.language == language
    assert [source.name for source in brief.sources] == names


def test_player_residue_and_uncited_facts_in_another_language() -> None:
    text = upload("ru", facts=["- Факт без источника.", "0:00", "- Факт.2"])
    result = parse_text(text)
    assert result.brief.facts == (Fact("Факт без источника.", ()), Fact("Факт.", (2,)))
    assert [warning.line for warning in result.warnings] == [4]


def test_problems_name_the_sections_in_the_briefs_words() -> None:
    text = upload(
        "es",
        facts=["- Un hecho.1", "", "palabras sueltas"],
        narratives=["- Narrativa a, según Alfa. Sí."],
    )
    assert problems(text) == [
        'line 6: this line in the Hechos section is not a fact; start each fact with "- " '
        '(or "•", "*", "–"), or remove the line',
        "line 8: a brief needs at least two narratives; this one has 1; add opposing "
        "narratives, one per line",
    ]
    without_sources = upload("uk", facts=["- Факт."], sources=[])
    assert problems(without_sources) == [
        'there is no Джерела section; add a line such as "Джерела: 1Name, 2Name та 3Name." '
        "after the facts"
    ]


def test_an_unknown_heading_is_left_out_in_another_language() -> None:
    text = upload(
        "es",
        narratives=[
            "- Narrativa a, según Alfa. Sí.",
            "- Narrativa b, según Beta. No.",
            "Predicciones",
            "- Lloverá.",
        ],
    )
    result = parse_text(text)
    assert [str(warning) for warning in result.warnings] == [
        'line 10: the "Predicciones" section (lines 10–11) was left out: a brief keeps only '
        "its summary, Hechos, Fuentes and Narrativas"
    ]


class TestMixedLanguages:
    def test_a_heading_in_another_language(self) -> None:
        text = upload("en").replace("Sources:", "Fuentes:")
        assert problems(text) == [
            'line 6: "Fuentes" is Spanish, but "Facts" on line 3 is English; write every '
            'heading and narrative in one language (in English: "Sources")'
        ]

    def test_the_language_most_markers_use_is_the_briefs(self) -> None:
        text = upload("uk").replace("Факти", "Факты")
        assert problems(text) == [
            'line 3: "Факты" is Russian, but "Джерела" on line 6 is Ukrainian; write every '
            'heading and narrative in one language (in Ukrainian: "Факти")'
        ]

    def test_a_narrative_in_another_language(self) -> None:
        text = upload(
            "ru",
            narratives=[
                "- Первый нарратив, по версии Альфа. Текст.",
                "- Другий наратив, за версією Бета. Текст.",
            ],
        )
        assert problems(text) == [
            'line 9: this narrative ("- <label> наратив, за версією <outlet>. <text>") is '
            'Ukrainian, but "Факты" on line 3 is Russian; write every heading and narrative '
            'in one language (in Russian: "- <label> нарратив, по версии <outlet>. <text>")'
        ]

    def test_a_conjunction_in_another_language(self) -> None:
        text = upload("en", sources=["Sources: 1Alpha Times y 2Beta Post."])
        assert problems(text) == [
            'line 6: "y" before source 2 is Spanish, but "Facts" on line 3 is English; write '
            'the list of sources in the same language (in English: "and" before the last source)'
        ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_printed_in_its_own_words_and_read_back(language: str) -> None:
    brief = parse_text(upload(language)).brief
    assert to_text(brief) == upload(language)
    with_links = Brief(
        brief.title,
        brief.summary,
        brief.facts,
        (Source(1, "Alpha Times", "https://alpha.example/"), Source(2, "Beta Post")),
        brief.narratives,
        language,
    )
    assert f"\n{WORDS[language][1]}\n1. Alpha Times — https://alpha.example/\n" in to_text(
        with_links
    )
    assert parse_text(to_text(with_links)).brief == with_links


def test_a_language_without_words_prints_in_english_words() -> None:
    brief = parse_text(upload("en")).brief
    for tag, printed in [("pt-BR", "en"), ("ar", "en"), ("es-MX", "es"), ("uk-UA", "uk")]:
        tagged = Brief(
            brief.title, brief.summary, brief.facts, brief.sources, brief.narratives, tag
        )
        assert to_text(tagged) == upload(printed)
        assert parse_json(json.dumps(to_json(tagged))).brief == tagged


def test_a_mixed_brief_is_refused_whole() -> None:
    text = upload("es").replace("Narrativas", "Narratives")
    with pytest.raises(BriefError) as caught:
        parse_text(text)
    assert caught.value.problems == (
        Problem(
            '"Narratives" is English, but "Hechos" on line 3 is Spanish; write every heading '
            'and narrative in one language (in Spanish: "Narrativas")',
            7,
        ),
    )
