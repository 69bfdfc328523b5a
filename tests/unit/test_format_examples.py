"""The example briefs parsed field by field, and the invalid ones refused for the right reason."""

# ruff: noqa: RUF001 - the Ukrainian and Russian examples are quoted as written

from pathlib import Path

import pytest

from brief import BriefError, Fact, Narrative, Problem, Source, parse_text

BRIEFS = Path(__file__).parent.parent / "data" / "briefs"
INVALID = BRIEFS / "invalid"


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def refusal(name: str) -> tuple[Problem, ...]:
    with pytest.raises(BriefError) as caught:
        parse_text(read(INVALID / name))
    return caught.value.problems


def test_the_copies_are_the_shared_examples() -> None:
    # The copies must stay byte-exact; the reference brief ends without a newline.
    reference = (BRIEFS / "putin-north-korea.txt").read_bytes()
    assert reference.startswith(b"Putin Makes First Visit")
    assert not reference.endswith(b"\n")
    assert (INVALID / "empty.txt").read_bytes() == b""


class TestReferenceBrief:
    def test_title_and_summary(self) -> None:
        brief = parse_text(read(BRIEFS / "putin-north-korea.txt")).brief
        assert brief.title == "Putin Makes First Visit to North Korea in 24 Years"
        assert brief.summary == (
            "Russian Pres. Vladimir Putin is set to arrive in North Korea for a two-day state "
            "visit on Tuesday — his first trip to the country in 24 years...."
        )

    def test_facts(self) -> None:
        brief = parse_text(read(BRIEFS / "putin-north-korea.txt")).brief
        assert brief.facts == (
            Fact(
                "Russian Pres. Vladimir Putin is set to arrive in North Korea for a two-day "
                "state visit on Tuesday — his first trip to the country in 24 years.",
                (1,),
            ),
            Fact(
                "The visit comes following a personal invitation from North Korea's Kim "
                "Jong-un in September, the last time the pair met in Russia's far east. The "
                "leaders, according to reports at the time, likely discussed North Korean "
                "weapons in exchange for Russian satellite technology.",
                (2,),
            ),
            Fact(
                "In North Korean media ahead of Tuesday's visit, Putin wrote an article that "
                "praised Russia's longstanding relationship with the country, stating that "
                "their relationship 'based on the principles of equality, mutual respect and "
                "trust, go back more than seven decades and are rich in glorious historical "
                "traditions.'",
                (3,),
            ),
            Fact(
                "Putin also thanked North Korea for backing Russia's war in Ukraine as well as "
                "its efforts to defend its interests — despite what he described as 'US "
                "pressure, blackmail and military threats' — and vowed to help Pyongyang with "
                "trade and security systems that 'are not controlled by the West.'",
                (4,),
            ),
            Fact(
                "According to Russian media, Putin and Kim will sign 'important documents' "
                "during the visit. Meanwhile, US National Security Council spokesperson John "
                "Kirby said: 'We're not concerned about the trip [by Putin]. What we are "
                "concerned about is the deepening relationship between these two countries.'",
                (5,),
            ),
            Fact(
                "After Pyongyang, Putin will travel to Vietnam on June 19\u201320, where he is "
                "expected to meet senior leaders, including the newly appointed Pres. Tô Lâm. "
                "The US has rebuked Vietnam's decision to host Putin, with the US embassy in "
                "Hanoi stating that 'no country should give Putin a platform to promote his "
                "war of aggression.'",
                (6,),
            ),
        )

    def test_sources(self) -> None:
        brief = parse_text(read(BRIEFS / "putin-north-korea.txt")).brief
        assert brief.sources == (
            Source(1, "Al Jazeera"),
            Source(2, "POLITICO"),
            Source(3, "TASS"),
            Source(4, "BBC News"),
            Source(5, "Guardian"),
            Source(6, "The Diplomat"),
        )

    def test_narratives(self) -> None:
        brief = parse_text(read(BRIEFS / "putin-north-korea.txt")).brief
        assert brief.narratives == (
            Narrative(
                "Anti-Russia",
                "Firstpost",
                "Putin's trip to North Korea underscores the burgeoning relationship between "
                "Russia and a reclusive, nuclear-armed northeast Asian nation— a concern for "
                "Washington. It is also deeply disappointing that Vietnam is welcoming a proven "
                "war criminal and normalizing his war in Ukraine. Hanoi should eschew ties with "
                "Russia in favor of expanding its economic interests with the West.",
            ),
            Narrative(
                "Pro-Russia",
                "TASS",
                "Putin's visit to North Korea and Vietnam signifies the long-standing ties "
                "between these countries as they seek to deepen their economic and diplomatic "
                "cooperation with Russia. Moscow is committed to fostering greater bonds with "
                "its allies, and his visit will strengthen ties while promoting peace and "
                "prosperity.",
            ),
        )

    def test_no_warnings(self) -> None:
        assert parse_text(read(BRIEFS / "putin-north-korea.txt")).warnings == ()


def test_harbor_bridge_block_sources_with_urls_and_curly_quotes() -> None:
    brief = parse_text(read(BRIEFS / "harbor-bridge-vote.txt")).brief
    assert brief.title == "Northfield Council Approves Harbor Bridge Toll"
    assert brief.summary.startswith("Northfield's city council voted 7\u20134 on Thursday")
    assert brief.sources == (
        Source(1, "Northfield Gazette", "https://example.org/gazette/harbor-bridge-toll"),
        Source(
            2,
            "City of Northfield Engineering Office",
            "https://example.org/northfield/bridge-report",
        ),
        Source(3, "Harbor Ledger", "https://example.org/ledger/toll-vote"),
        Source(4, "Island Weekly", None),
    )
    assert [fact.sources for fact in brief.facts] == [(1,), (2, 3), (1,), (4,), (3,)]
    assert brief.facts[1].text.endswith("the toll is expected to raise about $38M a year.")
    assert brief.facts[2].text.endswith(
        "Dave O\u2019Connor said commuters were being “asked to pay twice.”"
    )
    assert brief.facts[4].text.startswith("Trucking firms including Bay & Rail Freight")
    assert [(n.label, n.outlet) for n in brief.narratives] == [
        ("Pro-toll", "Northfield Gazette"),
        ("Anti-toll", "Harbor Ledger"),
    ]
    assert brief.narratives[1].text.startswith("The toll is a regressive tax")


def test_coastal_three_narratives_uncited_fact_and_player_residue() -> None:
    result = parse_text(read(BRIEFS / "coastal-wind-farm.txt"))
    brief = result.brief
    assert brief.summary == (
        "The state energy board approved the 1.2-gigawatt Costa Azul wind farm on Monday, the "
        "largest offshore project yet proposed for the coast, over objections from fishing "
        "groups."
    )
    assert "0:00" not in brief.summary
    assert [fact.sources for fact in brief.facts] == [(1,), (2,), (3,), (1, 2), ()]
    assert brief.facts[0].text.endswith("completed in 2029, according to the developer.")
    assert brief.facts[4] == Fact(
        "Two earlier offshore proposals in the same waters were withdrawn in 2021 and 2023 "
        "after cost overruns.",
        (),
    )
    assert [s.name for s in brief.sources] == [
        "Costa Azul Energía",
        "State Energy Board",
        "Pesca Hoy",
        "Coastal Review",
    ]
    assert [(n.label, n.outlet) for n in brief.narratives] == [
        ("Pro-wind", "Coastal Review"),
        ("Fishing-industry", "Pesca Hoy"),
        ("Cost-skeptic", "The Ledger Review"),
    ]
    assert [(w.line, "cites no source" in w.message) for w in result.warnings] == [(10, True)]


def test_long_brief() -> None:
    brief = parse_text(read(BRIEFS / "northfield-budget-long.txt")).brief
    assert len(brief.facts) == 17
    assert len(brief.sources) == 5
    assert brief.facts[0].text.endswith("which has kept minutes since 1952.")
    assert brief.facts[11].text.endswith("“imperfect, but honest about what the city can afford.”")
    assert brief.facts[11].sources == (4,)
    assert brief.facts[16].sources == (2,)


def test_the_spanish_example() -> None:
    result = parse_text(read(BRIEFS / "es" / "valencia-bike-lanes.txt"))
    brief = result.brief
    assert brief.language == "es"
    assert brief.title == "Valencia aprueba 40 kilómetros de nuevos carriles bici"
    assert brief.summary.startswith("El pleno municipal de Valencia aprobó el jueves")
    assert [fact.sources for fact in brief.facts] == [(1,), (2,), (3,), (2,)]
    assert brief.facts[0].text.endswith("en los barrios de Ruzafa, Benimaclet y el Cabanyal.")
    assert brief.facts[3].text == (
        "Según el ayuntamiento, los desplazamientos en bicicleta crecieron un 31% "
        "entre 2022 y 2025."
    )
    assert brief.sources == (
        Source(1, "Levante-EMV"),
        Source(2, "Ayuntamiento de Valencia"),
        Source(3, "Las Provincias"),
    )
    assert [(n.label, n.outlet) for n in brief.narratives] == [
        ("favorable", "Levante-EMV"),
        ("crítica", "Las Provincias"),
    ]
    assert brief.narratives[0].text.startswith("La ciudad necesita una red continua")
    assert brief.narratives[1].text.endswith("terminar antes los carriles ya empezados.")
    assert result.warnings == ()


def test_the_ukrainian_example() -> None:
    result = parse_text(read(BRIEFS / "uk" / "lviv-night-trams.txt"))
    brief = result.brief
    assert brief.language == "uk"
    assert brief.title == "Львів запускає нічні трамваї"
    assert brief.summary.endswith("а перевізник попереджає про нестачу водіїв.")
    assert [fact.sources for fact in brief.facts] == [(1,), (2,), (1, 3), (2,)]
    assert brief.facts[0].text.endswith("маршрутів №1, №6 і №9 до 02:00 з першого березня.")
    assert brief.sources == (
        Source(1, "Суспільне Львів"),
        Source(2, "Львівська міська рада"),
        Source(3, "Zaxid.net"),
    )
    assert brief.narratives == (
        Narrative(
            "Прихильний",
            "Суспільне Львів",
            "Нічні трамваї роблять місто доступнішим для медиків, студентів і працівників "
            "закладів, які закінчують роботу пізно. Безпечний дешевий транспорт уночі "
            "зменшує кількість нетверезих водіїв і допомагає малому бізнесу.",
        ),
        Narrative(
            "Скептичний",
            "Zaxid.net",
            "Місто обіцяє нічні рейси, не маючи водіїв навіть для денних. Чотирнадцять "
            "мільйонів гривень краще спрямувати на ремонт колій, а нічний попит варто "
            "спершу перевірити на одному маршруті.",
        ),
    )
    assert result.warnings == ()


def test_the_russian_example() -> None:
    result = parse_text(read(BRIEFS / "ru" / "yekaterinburg-paid-parking.txt"))
    brief = result.brief
    assert brief.language == "ru"
    assert brief.title == "Екатеринбург расширяет зону платных парковок"
    assert [fact.sources for fact in brief.facts] == [(1,), (2,), (2,), (3,), (1, 3)]
    assert brief.sources == (
        Source(1, "E1.RU"),
        Source(2, "Администрация Екатеринбурга"),
        Source(3, "Коммерсантъ-Урал"),
    )
    # "E1.RU. Платная…": the outlet keeps its period, the text starts at the capital.
    assert [(n.label, n.outlet, n.text[:15]) for n in brief.narratives] == [
        ("Положительный", "E1.RU", "Платная парковк"),
        ("Критический", "Коммерсантъ-Урал", "Зону расширяют,"),
    ]
    assert result.warnings == ()


def test_the_examples_in_other_languages_are_the_shipped_ones() -> None:
    examples = BRIEFS.parents[2] / "examples"
    for path in sorted(BRIEFS.glob("*/*.txt")):
        if path.parent.name != "invalid":
            assert path.read_bytes() == (examples / path.parent.name / path.name).read_bytes()


def test_a_brief_mixing_two_languages_is_refused_naming_the_lines_that_differ() -> None:
    spanish = read(BRIEFS / "es" / "valencia-bike-lanes.txt")
    mixed = spanish.replace("Hechos", "Facts").replace(
        "- Narrativa crítica, según Las Provincias.",
        "- Critical narrative, as provided by Las Provincias.",
    )
    with pytest.raises(BriefError) as caught:
        parse_text(mixed)
    assert [str(problem) for problem in caught.value.problems] == [
        'line 3: "Facts" is English, but "Fuentes" on line 8 is Spanish; write every '
        'heading and narrative in one language (in Spanish: "Hechos")',
        'line 11: this narrative ("- <label> narrative, as provided by <outlet>. <text>") is '
        'English, but "Fuentes" on line 8 is Spanish; write every heading and narrative in '
        'one language (in Spanish: "- Narrativa <label>, según <outlet>. <text>")',
    ]


class TestInvalidExamples:
    def test_every_invalid_example_is_covered(self) -> None:
        names = {path.name for path in INVALID.glob("*.txt")}
        expected = (INVALID / "EXPECTED.md").read_text(encoding="utf-8")
        assert names == {
            "one-narrative.txt",
            "citation-out-of-range.txt",
            "no-facts.txt",
            "sources-misnumbered.txt",
            "empty.txt",
        }
        assert all(name in expected for name in names)

    def test_one_narrative(self) -> None:
        (problem,) = refusal("one-narrative.txt")
        assert problem.line == 6  # the Narratives heading
        assert "at least two narratives; this one has 1" in problem.message

    def test_citation_out_of_range(self) -> None:
        assert refusal("citation-out-of-range.txt") == (
            Problem(
                "fact cites source 3, but only 2 sources are listed; "
                "cite a source from 1 to 2 or add the missing source",
                5,
            ),
        )

    def test_no_facts(self) -> None:
        (problem,) = refusal("no-facts.txt")
        assert problem.line is None
        assert problem.message.startswith("there is no Facts section")

    def test_sources_misnumbered(self) -> None:
        (problem,) = refusal("sources-misnumbered.txt")
        assert problem.line == 5
        assert problem.message.startswith("the sources skip from 1 to 3")
        assert "(this one would be 2)" in problem.message

    def test_empty(self) -> None:
        (problem,) = refusal("empty.txt")
        assert problem.line is None
        assert problem.message.startswith("the upload is empty")
