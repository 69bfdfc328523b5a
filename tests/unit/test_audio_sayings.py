"""How a newsreader reads a brief (bot/core/audio/sayings.py): the text each engine is given,
and, where espeak-ng is installed, the phonemes it makes of it."""

# ruff: noqa: E501, RUF001 - quotes, dashes and Cyrillic are the text under test, one case a line

from __future__ import annotations

import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.audio.sayings import say
from bot.core.audio.words import cardinal, ordinal, year

ENGLISH = [
    ("Russian Pres. Vladimir Putin arrived.", "Russian President Vladimir Putin arrived."),
    ("the U.S. embassy, the US embassy", "the U S embassy, the US embassy"),
    ("trade with the U.S.", "trade with the U S."),
    ("the crossing's $310M repair", "the crossing's 310 million dollars repair"),
    ("a $1.5 billion loan and $2bn more", "a 1.5 billion dollars loan and 2 billion dollars more"),
    ("a toll of $2.50 for cars, $9 for trucks, $1 a ride", "a toll of 2 dollars and 50 cents for cars, 9 dollars for trucks, 1 dollar a ride"),
    ("€23m and £5,000 and US$7", "23 million euros and 5000 pounds and 7 U S dollars"),
    ("voted 7–4 on Thursday; a 5-4 ruling", "voted 7 to 4 on Thursday; a 5 to 4 ruling"),
    ("in 2024, the 1968 bridge, 2005, 1905, 1900, 2000, 2010", "in twenty twenty-four, the nineteen sixty-eight bridge, two thousand five, nineteen oh five, nineteen hundred, two thousand, twenty ten"),
    ("since the 1990s and the 2000s", "since the nineteen nineties and the two thousands"),
    ("between 2022 and 2025, 2022–2025", "between twenty twenty-two and twenty twenty-five, twenty twenty-two to twenty twenty-five"),
    ("2,300 jobs and 500,000 homes", "2300 jobs and 500000 homes"),
    ("a 24% rise, 50 % off", "a 24 percent rise, 50 percent off"),
    ("on 18 June 2024 at the", "on the eighteenth of June twenty twenty-four at the"),
    ("on June 18, 2024, and April 1", "on June eighteenth, twenty twenty-four, and April first"),
    ("on June 19–20 in Hanoi", "on June nineteenth to twentieth in Hanoi"),
    ("the 1st, 2nd, 3rd, 11th, 21st and 112th", "the first, second, third, eleventh, twenty-first and one hundred twelfth"),
    ("Gov. Hochul, Sen. Lee, Rep. Ortiz, Dr. Rao", "Governor Hochul, Senator Lee, Representative Ortiz, Doctor Rao"),
    ("in St. Louis, on Main St. and up Mt. Rainier", "in Saint Louis, on Main Street and up Mount Rainier"),
    ("on Jan. 5 and Sept. 30 and Dec. 1", "on January fifth and September thirtieth and December first"),
    ("No. 10 Downing Street, Texas vs. Ohio, Brown vs Board", "number 10 Downing Street, Texas versus Ohio, Brown versus Board"),
    ("said Martin Luther King Jr.", "said Martin Luther King Junior."),
    ("the nation— a concern — and more", "the nation, a concern, and more"),
    ("Bay & Rail, 30 km offshore at 60 mph", "Bay and Rail, 30 kilometers offshore at 60 miles per hour"),
    ("the last word....", "the last word."),
    ("see https://example.org/x?y=1 and www.example.org now", "see and now"),
]  # fmt: skip

QUOTES = [
    # A quotation is set off by pauses; a few quoted words are read straight on.
    ("called the vote “the only honest way to keep the bridge open,” while", "called the vote, the only honest way to keep the bridge open, while"),
    ('said "we will not back down on this" today', "said, we will not back down on this, today"),
    ("said: 'We're not concerned about the trip.'", "said: We're not concerned about the trip."),
    ("will sign 'important documents' during", "will sign important documents during"),
    ("commuters were “asked to pay twice.”", "commuters were, asked to pay twice."),
    ("were “asked twice.”", "were asked twice."),
    # Apostrophes are words, not quotes.
    ("the countries' leaders and O’Connor's view", "the countries' leaders and O’Connor's view"),
    ("a stray \" quote", "a stray quote"),
]  # fmt: skip


@pytest.mark.parametrize(("written", "said"), ENGLISH + QUOTES)
def test_english_is_read_as_a_newsreader_reads_it(written: str, said: str) -> None:
    assert say(written, "en") == said


@pytest.mark.parametrize(
    ("language", "written", "said"),
    [
        ("es", "crecieron un 31% entre 2022 y 2025", "crecieron un 31 por ciento entre 2022 y 2025"),
        ("es", "costará 23 M€, 5 € o €40", "costará 23 millones de euros, 5 euros o 40 euros"),
        ("es", "ganó 7–4 ante «los de siempre», según EE. UU.", "ganó 7 a 4 ante los de siempre, según Estados Unidos"),
        ("es", "la Sra. Ruiz y el Dr. Pérez, n.º 5", "la señora Ruiz y el doctor Pérez, número 5"),
        ("uk", "маршрутів №1, №6 і №9", "маршрутів номер 1, номер 6 і номер 9"),
        ("uk", "1% і 2% і 5% і 11% і 21% і 1,5%", "1 відсоток і 2 відсотки і 5 відсотків і 11 відсотків і 21 відсоток і 1,5 відсотка"),
        ("uk", "близько 14 млн гривень, 3 млрд, 2 тис. гривень, 5 грн", "близько 14 мільйонів гривень, 3 мільярди, 2 тисячі гривень, 5 гривень"),
        ("uk", "перевізник «Львівелектротранс» заявив — 19–20 червня", "перевізник Львівелектротранс заявив, 19, 20 червня"),
        ("ru", "на 12%, на 22%, на 1%", "на 12 процентов, на 22 процента, на 1 процент"),
        ("ru", "1 млн, 3 тыс. человек, 1 000 руб., 5 млрд", "1 миллион, 3 тысячи человек, 1 000 рублей, 5 миллиардов"),
        ("ru", "платная парковка — самый быстрый способ", "платная парковка, самый быстрый способ"),
    ],
)  # fmt: skip
def test_other_languages_have_their_words_for_symbols(
    language: str, written: str, said: str
) -> None:
    """Figures are left to espeak-ng, which reads them in each language; the words beside them
    are written out, agreeing with the figure."""
    assert say(written, language) == said


def test_english_numbers_in_words() -> None:
    assert [cardinal(n) for n in (0, 13, 40, 99, 101, 2300, 1_000_001)] == [
        "zero", "thirteen", "forty", "ninety-nine", "one hundred one",
        "two thousand three hundred", "one million one",
    ]  # fmt: skip
    assert [ordinal(n) for n in (1, 2, 3, 5, 8, 9, 12, 20, 21000)] == [
        "first", "second", "third", "fifth", "eighth", "ninth", "twelfth", "twentieth",
        "twenty-one thousandth",
    ]  # fmt: skip
    assert [year(n) for n in (1066, 1900, 1907, 2000, 2009, 2010, 2099)] == [
        "ten sixty-six", "nineteen hundred", "nineteen oh seven", "two thousand",
        "two thousand nine", "twenty ten", "twenty ninety-nine",
    ]  # fmt: skip
    assert year(1980, decade=True) == "nineteen eighties"


ESPEAK = shutil.which("espeak-ng")


def phonemes(text: str) -> str:
    assert ESPEAK is not None
    found = subprocess.run(
        [ESPEAK, "-v", "en-us", "-q", "-x", text], capture_output=True, text=True, check=True
    )
    return " ".join(found.stdout.split())


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
@pytest.mark.parametrize(
    ("written", "unread", "read"),
    [
        # The engine alone reads "Pres." as "preez" and ends the sentence there.
        ("Pres. Putin", "pr'i:z", "pr'EzId@nt"),
        # ... "$310M" as "dollar three hundred and ten M".
        ("$310M", "d'0l3 ", "m'Ili@n d'0l3z"),
        # ... years as quantities: "nineteen hundred sixty-eight".
        ("the 1968 bridge", "h'VndrI2d", "n'aInti:n s'Iksti"),
        # ... "km" as letters.
        ("30 km", "k,eI'Em", "kIl"),
    ],
)
def test_the_engine_says_what_a_newsreader_says(written: str, unread: str, read: str) -> None:
    assert unread in phonemes(written)
    said = phonemes(say(written, "en"))
    assert unread not in said
    assert read in said


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_initialisms_are_read_as_letters() -> None:
    assert phonemes(say("U.S. officials", "en")) == phonemes("U S officials")
    assert "j'u: 'Es" in phonemes("U S officials")


TEXT = st.text(
    alphabet=st.sampled_from(list("aZ 0912.,;:-–—'\"“”‘’«»$€£%&/№[]…\n")) | st.characters(),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, language=st.sampled_from(["en", "es", "uk", "ru", "ar", "xx"]))
def test_any_text_is_read(text: str, language: str) -> None:
    said = say(text, language)
    assert isinstance(said, str)
    assert said == said.strip(" ,;:")
    assert "  " not in said


@pytest.mark.parametrize("language", ["en", "es", "uk", "ru"])
@pytest.mark.parametrize(
    "unit",
    [
        "'a ",
        "“x",
        "$1,",
        "1–",
        "St. ",
        "U.S.",
        "12 % ",
        "1 000 ",
        "1",
        " ",
        ",",
        "a... ",
        "№",
        "18 June ",
    ],
)
def test_a_long_run_of_tricky_text_reads_to_a_text_in_proportion(language: str, unit: str) -> None:
    """The shapes that make rewriting work hard, repeated: each read whole, what is spoken
    growing with the text and no faster (its time is bench's to measure, not a test's)."""
    small, large = say(unit * 2_000, language), say(unit * 20_000, language)
    assert len(large) <= 12 * max(len(small), 1) + 64
    assert len(large) <= 40 * len(unit) * 20_000
