"""What a brief's voice note says (bot/core/audio/script.py): every block in order, each fact
with its sources first, each narrative with its label and outlet, in the brief's language."""

# ruff: noqa: E501, RUF001 - the briefs' own words, in their own letters, one segment a line, as heard

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.audio.script import Block, Segment, script
from bot.core.rendering import Renderer
from brief import Brief, Fact, Narrative, Source, parse_text

BRIEFS = Path(__file__).parents[1] / "data" / "briefs"
TITLE, SUMMARY, FACT, NARRATIVE = Block.TITLE, Block.SUMMARY, Block.FACT, Block.NARRATIVE

# The reference brief as it is heard, segment by segment.
PUTIN = [
    (TITLE, 1, "Putin Makes First Visit to North Korea in 24 Years."),
    (SUMMARY, 1, "Russian President Vladimir Putin is set to arrive in North Korea for a two-day state visit on Tuesday, his first trip to the country in 24 years."),
    (FACT, 1, "According to Al Jazeera, Russian President Vladimir Putin is set to arrive in North Korea for a two-day state visit on Tuesday, his first trip to the country in 24 years."),
    (FACT, 2, "According to POLITICO, the visit comes following a personal invitation from North Korea's Kim Jong-un in September, the last time the pair met in Russia's far east. The leaders, according to reports at the time, likely discussed North Korean weapons in exchange for Russian satellite technology."),
    (FACT, 3, "According to TASS, in North Korean media ahead of Tuesday's visit, Putin wrote an article that praised Russia's longstanding relationship with the country, stating that their relationship, based on the principles of equality, mutual respect and trust, go back more than seven decades and are rich in glorious historical traditions."),
    (FACT, 4, "According to BBC News, Putin also thanked North Korea for backing Russia's war in Ukraine as well as its efforts to defend its interests, despite what he described as, US pressure, blackmail and military threats, and vowed to help Pyongyang with trade and security systems that, are not controlled by the West."),
    (FACT, 5, "Guardian reports that according to Russian media, Putin and Kim will sign important documents during the visit. Meanwhile, US National Security Council spokesperson John Kirby said: We're not concerned about the trip by Putin. What we are concerned about is the deepening relationship between these two countries."),
    (FACT, 6, "According to The Diplomat, after Pyongyang, Putin will travel to Vietnam on June nineteenth to twentieth, where he is expected to meet senior leaders, including the newly appointed President Tô Lâm. The US has rebuked Vietnam's decision to host Putin, with the US embassy in Hanoi stating that, no country should give Putin a platform to promote his war of aggression."),
    (NARRATIVE, 1, "The Anti-Russia narrative, as provided by Firstpost: Putin's trip to North Korea underscores the burgeoning relationship between Russia and a reclusive, nuclear-armed northeast Asian nation, a concern for Washington. It is also deeply disappointing that Vietnam is welcoming a proven war criminal and normalizing his war in Ukraine. Hanoi should eschew ties with Russia in favor of expanding its economic interests with the West."),
    (NARRATIVE, 2, "The Pro-Russia narrative, as provided by TASS: Putin's visit to North Korea and Vietnam signifies the long-standing ties between these countries as they seek to deepen their economic and diplomatic cooperation with Russia. Moscow is committed to fostering greater bonds with its allies, and his visit will strengthen ties while promoting peace and prosperity."),
]  # fmt: skip


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def brief(name: str) -> Brief:
    return parse_text((BRIEFS / name).read_text(encoding="utf-8")).brief


def spoken(segments: tuple[Segment, ...]) -> list[tuple[Block, int, str]]:
    return [(segment.block, segment.number, segment.text) for segment in segments]


def test_the_reference_brief_is_read_whole_in_order(renderer: Renderer) -> None:
    assert spoken(script(brief("putin-north-korea.txt"), renderer)) == PUTIN


def test_no_residue_citation_or_url_is_spoken(renderer: Renderer) -> None:
    parsed = brief("putin-north-korea.txt")
    raw = replace(
        parsed,
        summary=parsed.summary + " 0:00 /1861",
        facts=(
            Fact("The officials met twice. See https://example.org/a?b=1 for more.2,3", (1, 2)),
        ),
    )
    said = " ".join(segment.text for segment in script(raw, renderer))
    for unspoken in ("0:00", "1861", "http", "example.org", "more.2", "2,3"):
        assert unspoken not in said
    assert "According to Al Jazeera and POLITICO, the officials met twice. See for more." in said


def test_several_sources_are_named_together(renderer: Renderer) -> None:
    parsed = brief("putin-north-korea.txt")
    fact = Fact("Kim will visit Moscow.", (2, 3, 4))
    segments = script(replace(parsed, facts=(fact, Fact("Putin left.", ()))), renderer)
    facts = [segment.text for segment in segments if segment.block is FACT]
    assert facts == [
        "According to POLITICO, TASS and BBC News, Kim will visit Moscow.",
        "Putin left.",
    ]


def test_a_fact_that_names_its_source_is_reported_by_its_outlets(renderer: Renderer) -> None:
    parsed = brief("putin-north-korea.txt")
    fact = Fact("According to the city, traffic fell by 5%", (2, 3))
    segments = script(replace(parsed, facts=(fact,)), renderer)
    assert segments[2] == Segment(
        FACT, 1, "POLITICO and TASS report that according to the city, traffic fell by 5 percent."
    )


def test_the_segments_keep_fact_boundaries(renderer: Renderer) -> None:
    """Each fact and narrative is a segment of its own, numbered as the brief numbers them:
    a voice note too long for one message is split between them."""
    segments = script(brief("harbor-bridge-vote.txt"), renderer)
    assert [(s.block, s.number) for s in segments] == [
        (TITLE, 1), (SUMMARY, 1), (FACT, 1), (FACT, 2), (FACT, 3), (FACT, 4), (FACT, 5),
        (NARRATIVE, 1), (NARRATIVE, 2),
    ]  # fmt: skip
    assert segments[3].text == (
        "According to City of Northfield Engineering Office and Harbor Ledger, City engineers say"
        " the nineteen sixty-eight bridge needs 310 million dollars in deck and cable repairs"
        " within eight years; the toll is expected to raise about 38 million dollars a year."
    )


def test_a_title_that_says_nothing_is_left_out(renderer: Renderer) -> None:
    parsed = replace(brief("putin-north-korea.txt"), title="https://example.org/brief")
    assert script(parsed, renderer)[0].block is SUMMARY


SPANISH = [
    (FACT, 1, "Según Levante-EMV, el plan, aprobado con 17 votos a favor y 16 en contra, prevé 40 kilómetros de carriles bici segregados en los barrios de Ruzafa, Benimaclet y el Cabanyal."),
    (FACT, 4, "Ayuntamiento de Valencia informa de que según el ayuntamiento, los desplazamientos en bicicleta crecieron un 31 por ciento entre 2022 y 2025."),
    (NARRATIVE, 2, "La narrativa crítica, según Las Provincias: El plan se aprobó por un solo voto y sin escuchar a los barrios afectados. Quitar 600 plazas de aparcamiento castiga a los comercios del centro, y el ayuntamiento debería terminar antes los carriles ya empezados."),
]  # fmt: skip
UKRAINIAN = [
    (FACT, 2, "Львівська міська рада повідомляє: за оцінкою департаменту транспорту, нічні рейси коштуватимуть бюджету близько 14 мільйонів гривень на рік."),
    (FACT, 3, "За даними Суспільне Львів та Zaxid.net, Перевізник Львівелектротранс заявив, що для нічних змін потрібно ще щонайменше 40 водіїв."),
    (FACT, 4, "За даними Львівська міська рада, Опитування серед мешканців, проведене у грудні, показало, що 62 відсотки опитаних користувалися б нічним трамваєм хоча б раз на тиждень."),
    (NARRATIVE, 1, "Прихильний наратив, за версією Суспільне Львів: Нічні трамваї роблять місто доступнішим для медиків, студентів і працівників закладів, які закінчують роботу пізно. Безпечний дешевий транспорт уночі зменшує кількість нетверезих водіїв і допомагає малому бізнесу."),
]  # fmt: skip
RUSSIAN = [
    (FACT, 3, "Администрация Екатеринбурга сообщает: по данным мэрии, после появления первой платной зоны в 2021 году средняя скорость движения в центре выросла на 12 процентов."),
    (FACT, 5, "По данным E1.RU и Коммерсантъ-Урал, Новых перехватывающих парковок у станций метро проект не предусматривает."),
    (NARRATIVE, 2, "Критический нарратив, по версии Коммерсантъ-Урал: Зону расширяют, не построив ни одной перехватывающей парковки и не пустив новых автобусов. Малый бизнес в центре и так теряет клиентов из-за торговых центров на окраинах, а мэрия, похоже, думает больше о сборах, чем о горожанах."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("es/valencia-bike-lanes.txt", SPANISH),
        ("uk/lviv-night-trams.txt", UKRAINIAN),
        ("ru/yekaterinburg-paid-parking.txt", RUSSIAN),
    ],
)
def test_other_languages_are_introduced_in_their_own_words(
    renderer: Renderer, name: str, expected: list[tuple[Block, int, str]]
) -> None:
    """The attributions and introductions come from the brief's language's catalogue,
    whatever language the bot speaks to the reader."""
    parsed = brief(name)
    said = spoken(script(parsed, renderer))
    assert [item for item in said if item in expected] == expected
    assert said[0] == (TITLE, 1, parsed.title + ".")


def test_a_language_without_a_catalogue_is_introduced_in_english(renderer: Renderer) -> None:
    parsed = Brief(
        title="Titre",
        summary="Résumé.",
        facts=(Fact("Un fait.", (1,)),),
        sources=(Source(1, "Le Monde"),),
        narratives=(Narrative("Pour", "Libération", "Oui."),),
        language="fr",
    )
    assert [segment.text for segment in script(parsed, renderer)] == [
        "Titre.",
        "Résumé.",
        "According to Le Monde, Un fait.",
        "The Pour narrative, as provided by Libération: Oui.",
    ]
