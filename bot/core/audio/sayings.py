"""How a newsreader reads a text aloud, per language: the text a speech engine is given.

Both engines read words through espeak-ng's rules (Piper phonemizes with it), and those
rules read a news text as a machine would: `Pres.` as "preez" and a sentence's end,
`$310M` as "dollar three hundred and ten M", `1968` as "nineteen hundred sixty-eight",
`km` as letters; Piper drops quotes and espeak-ng an em-dash without the pause a reader
makes. So the text is rewritten first, in words a reader would say.

English is read fully here. Spanish, Ukrainian and Russian numbers are left to espeak-ng,
which reads them in each language (in the nominative, as a reader of figures would); the
words beside them that it would spell out or read in English (`%`, `млн`, `№`) are written
out here, agreeing with the number before them. num2words (LGPL, and without the Slavic
cases either) would add a dependency for no better reading. Every function is total and
linear: any text in, some text out.
"""

# ruff: noqa: RUF001, RUF003 (quotes, dashes and Cyrillic words are what this module reads)

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.audio.words import ordinal, year

# Digits, URLs and symbols first; the periods of abbreviations are read before the
# sentences' punctuation is tidied.
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_RESIDUE = re.compile(r"(?<!\S)(?:0:00|/\d+)(?!\S)")  # the news product's audio player
_BRACKETED_CITATION = re.compile(r"\[\d+(?:,\s?\d+)*\]")
_ELLIPSIS = re.compile(r"(?:\.{3,}|…)+")
_QUOTE = re.compile(r"[\"“”„«»‹›'‘’]")
_OPENING, _CLOSING = "\"“„«‹'‘", "\"”“»›'’"
_QUOTED_WORDS = 3  # at most, read on without a pause: a name, a phrase
_DASH_PAUSE = re.compile(r"\s*—\s*|\s+[–-]\s+")
_NUMBER_RANGE = re.compile(r"(?<![\d.,-])(\d{1,4})\s?[–—-]\s?(\d{1,4})(?![\d.,]\d|[\w-])")
_SPACE_BEFORE_MARK = re.compile(r"\s+([,.;:!?])")
_MARKS_AFTER_MARK = re.compile(r"([,.;:!?])(?:\s*,)+")
_COMMA_BEFORE_MARK = re.compile(r",+\s*([.;:!?])")
_SPACES = re.compile(r"\s+")

# fmt: off
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
# fmt: on
_MONTH = "|".join(_MONTHS)

# Words before a name: never the end of a sentence, so their period goes.
_TITLES = {
    "Pres": "President", "Gov": "Governor", "Sen": "Senator", "Rep": "Representative",
    "Reps": "Representatives", "Dr": "Doctor", "Mt": "Mount", "Ft": "Fort",
    "Gen": "General", "Col": "Colonel", "Lt": "Lieutenant", "Sgt": "Sergeant",
    "Capt": "Captain", "Prof": "Professor", "Rev": "Reverend", "Hon": "Honorable",
    "Mr": "Mister", "Mrs": "Missus",
}  # fmt: skip
# Words after a name: the period may end the sentence too.
_TRAILING = {"Jr": "Junior", "Sr": "Senior", "Ave": "Avenue", "Blvd": "Boulevard",
             "Dept": "Department", "Bros": "Brothers"}  # fmt: skip
_MONTH_ABBREVIATIONS = {m[:3]: m for m in _MONTHS if len(m) > 4} | {"Sept": "September"}
_TITLE = re.compile(r"\b(" + "|".join(_TITLES) + r")\.(?=\s+[A-Z\d])")
_TRAIL = re.compile(r"\b(" + "|".join(_TRAILING) + r")\.(\s+[A-Z]|\s*$)?")
_MONTH_ABBREVIATION = re.compile(r"\b(" + "|".join(_MONTH_ABBREVIATIONS) + r")\.(?=\s+\d)")
_SAINT = re.compile(r"(\b[A-Z][a-z]+\s+)?\bSt\.(?=(\s+[A-Z])?)")
_NUMBER_SIGN = re.compile(r"\bNo\.\s?(?=\d)")
_VERSUS = re.compile(r"\bvs?\.(?=\s)|\bvs\b")
_LATIN = {"e.g.": "for example", "i.e.": "that is", "etc.": "et cetera"}
_LATIN_RE = re.compile(r"\b(?:e\.g\.|i\.e\.|etc\.)", re.IGNORECASE)
_INITIALISM = re.compile(r"\b([A-Z](?:\.[A-Z])+)\.?(?![a-z])(\s*$)?")
_CURRENCIES = {"$": ("dollar", "dollars"), "€": ("euro", "euros"), "£": ("pound", "pounds")}
_MONEY = re.compile(
    r"(US)?([$€£])\s?(\d[\d,]*)(?:\.(\d+))?"
    r"(?:\s?(thousand|million|billion|trillion)\b|([KkMmBbTt])(?:n)?(?![\w]))?"
)
_SCALE_LETTERS = {"k": "thousand", "m": "million", "b": "billion", "t": "trillion"}
_PERCENT = re.compile(r"(\d)\s?%")
_ORDINAL = re.compile(r"\b(\d{1,9})(?:st|nd|rd|th)\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+(" + _MONTH + r")\b")
_MONTH_DAYS = re.compile(r"\b(" + _MONTH + r")\s+(\d{1,2})\s?[–-]\s?(\d{1,2})(?![\d:])")
_MONTH_DAY = re.compile(r"\b(" + _MONTH + r")\s+(\d{1,2})(?![\d:%.,]\d|[\d:%])")
_YEAR = re.compile(r"(?<![\d,.$€£])\b(1[1-9]\d\d|20\d\d)(s?)\b(?![.,:]\d|\s?%)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_UNITS = {
    "km": "kilometers",
    "kg": "kilograms",
    "mph": "miles per hour",
    "km/h": "kilometers an hour",
}
_UNIT = re.compile(r"(\d)\s?(km/h|km|kg|mph)\b")


def say(text: str, language: str) -> str:
    """`text` as a newsreader in `language` reads it, one line of plain text for the engine."""
    text = _SPACES.sub(" ", _URL.sub(" ", text))  # one space apart: every pattern reads on
    text = _RESIDUE.sub(" ", text)
    text = _BRACKETED_CITATION.sub("", text).replace("[", "").replace("]", "")
    text = _LANGUAGES.get(language, _unchanged)(text)
    text = _NUMBER_RANGE.sub(r"\1, \2", text)  # a language without its own word: a pause
    return _tidy(_pauses(text))


def _unchanged(text: str) -> str:
    return text


def _pauses(text: str) -> str:
    """Quotes and dashes as the pauses a reader makes, never as symbols."""
    end = len(text.rstrip())
    text = _ELLIPSIS.sub(lambda m: "." if m.end() >= end else ",", text)
    return _DASH_PAUSE.sub(", ", _quotes(text))


def _quotes(text: str) -> str:
    """A quotation is set off by pauses; a name or a few words in quotes («Львівелектротранс»,
    'important documents') are read straight on, as a reader does; an apostrophe (We're,
    the countries' leaders) is left as it is, and a stray double quote goes."""
    said = list(text)
    opened: int | None = None
    for match in _QUOTE.finditer(text):
        at, mark = match.start(), match.group()
        before = text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        if opened is None and mark in _OPENING and not before.isalnum() and not after.isspace():
            opened = at
        elif (
            opened is not None and mark in _CLOSING and not before.isspace() and not after.isalnum()
        ):
            pause = " , " if len(text[opened:at].split()) > _QUOTED_WORDS else " "
            said[opened] = said[at] = pause
            opened = None
        elif mark not in "'’":
            said[at] = " "
    if opened is not None and text[opened] not in "'‘":
        said[opened] = " "
    return "".join(said)


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    text = _MARKS_AFTER_MARK.sub(r"\1", text)
    text = _COMMA_BEFORE_MARK.sub(r"\1", text)
    return text.strip(" ,;:")


# English.


def _english(text: str) -> str:
    for step in _ENGLISH_STEPS:
        text = step(text)
    return text


def _abbreviations(text: str) -> str:
    text = _LATIN_RE.sub(lambda m: _LATIN[m.group().lower()], text)
    text = _TITLE.sub(lambda m: _TITLES[m[1]], text)
    text = _TRAIL.sub(lambda m: _TRAILING[m[1]] + ("." + m[2] if m[2] is not None else ""), text)
    text = _MONTH_ABBREVIATION.sub(lambda m: _MONTH_ABBREVIATIONS[m[1]], text)
    text = _SAINT.sub(_saint, text)
    text = _NUMBER_SIGN.sub("number ", text)
    text = _VERSUS.sub("versus", text)
    text = _INITIALISM.sub(
        lambda m: m[1].replace(".", " ") + ("." if m[2] is not None else ""), text
    )
    return text.replace("&", " and ")


def _saint(match: re.Match[str]) -> str:
    """St. Louis, but Main St."""
    before = match[1] or ""
    if match[2]:
        return before + "Saint"
    return before + "Street" if before else match[0]


def _money(match: re.Match[str]) -> str:
    one, many = _CURRENCIES[match[2]]
    if match[1]:
        one, many = f"U S {one}", f"U S {many}"
    whole, cents = match[3].rstrip(","), match[4]
    scale = match[5] or (_SCALE_LETTERS[match[6].lower()] if match[6] else None)
    tail = match[0][len(match[0].rstrip(",")) :]
    if scale:
        amount = f"{whole}.{cents}" if cents else whole
        return f"{amount} {scale} {many}{tail}"
    unit = one if whole == "1" and not cents else many
    if cents and cents.strip("0") and len(cents) == 2:
        return (
            f"{whole} {unit} and {cents.lstrip('0')} {'cent' if cents == '01' else 'cents'}{tail}"
        )
    amount = f"{whole}.{cents}" if cents and cents.strip("0") else whole
    return f"{amount} {unit}{tail}"


def _dates(text: str) -> str:
    text = _DAY_MONTH.sub(lambda m: _day(m, f"the {_day_word(m[1])} of {m[2]}"), text)
    text = _MONTH_DAYS.sub(
        lambda m: f"{m[1]} {_day_word(m[2])} to {_day_word(m[3])}" if _is_day(m[3]) else m[0], text
    )
    return _MONTH_DAY.sub(lambda m: _day(m, f"{m[1]} {_day_word(m[2])}"), text)


def _is_day(digits: str) -> bool:
    return 1 <= int(digits) <= 31


def _day(match: re.Match[str], said: str) -> str:
    return said if _is_day(match[1] if match[1].isdigit() else match[2]) else match[0]


def _day_word(digits: str) -> str:
    return ordinal(int(digits))


def _numbers(text: str) -> str:
    text = _NUMBER_RANGE.sub(r"\1 to \2", text)
    text = _ORDINAL.sub(lambda m: ordinal(int(m[1])), text)
    text = _YEAR.sub(lambda m: year(int(m[1]), decade=bool(m[2])), text)
    text = _UNIT.sub(lambda m: f"{m[1]} {_UNITS[m[2]]}", text)
    return _THOUSANDS.sub("", text)


_ENGLISH_STEPS: tuple[Callable[[str], str], ...] = (
    _abbreviations,
    lambda text: _MONEY.sub(_money, text),
    lambda text: _PERCENT.sub(r"\1 percent", text),
    _dates,
    _numbers,
)


# Spanish, Ukrainian, Russian: the figures stay for espeak-ng; the words beside them are
# written out, agreeing with the figure in the Slavic languages (one, few, many; a fraction
# takes the genitive singular).

_SPANISH = (
    (re.compile(r"(\d)\s?%"), r"\1 por ciento"),
    (re.compile(r"(\d)\s?M€"), r"\1 millones de euros"),
    (re.compile(r"(\d)\s?€"), r"\1 euros"),
    (re.compile(r"€\s?(\d[\d.,]*)"), r"\1 euros"),
    (re.compile(r"\bn\.?\s?º\s?(?=\d)", re.IGNORECASE), "número "),
    (re.compile(r"\bEE\.\s?UU\.?"), "Estados Unidos"),
    (re.compile(r"\bSra\.(?=\s)"), "señora"),
    (re.compile(r"\bSr\.(?=\s)"), "señor"),
    (re.compile(r"\bDra\.(?=\s)"), "doctora"),
    (re.compile(r"\bDr\.(?=\s)"), "doctor"),
    (re.compile(r"(?<![\d.,-])(\d{1,4})\s?[–—-]\s?(\d{1,4})(?![\d.,]\d|[\w-])"), r"\1 a \2"),
)

# Each word's forms: after 1 (21, 31 …), after 2–4 (22 …), after 5–20 and 0, after a fraction.
_UKRAINIAN_WORDS = {
    "%": ("відсоток", "відсотки", "відсотків", "відсотка"),
    "млн": ("мільйон", "мільйони", "мільйонів", "мільйона"),
    "млрд": ("мільярд", "мільярди", "мільярдів", "мільярда"),
    "тис.": ("тисяча", "тисячі", "тисяч", "тисячі"),
    "грн": ("гривня", "гривні", "гривень", "гривні"),
}
_RUSSIAN_WORDS = {
    "%": ("процент", "процента", "процентов", "процента"),
    "млн": ("миллион", "миллиона", "миллионов", "миллиона"),
    "млрд": ("миллиард", "миллиарда", "миллиардов", "миллиарда"),
    "тыс.": ("тысяча", "тысячи", "тысяч", "тысячи"),
    "руб.": ("рубль", "рубля", "рублей", "рубля"),
}
# Read from the first figure of a number only, so a long run of digits is read once.
_SLAVIC_NUMBER = r"(?<!\d)(?<!\d[ \u00a0\u202f])(\d+(?:[ \u00a0\u202f]\d{3})*(?:[.,]\d+)?)\s?"
_UKRAINIAN = re.compile(_SLAVIC_NUMBER + r"(%|млн|млрд|тис\.|грн)(?!\w)")
_RUSSIAN = re.compile(_SLAVIC_NUMBER + r"(%|млн|млрд|тыс\.|руб\.)(?!\w)")
_NUMERO = re.compile(r"№\s?")


def _form(number: str, forms: tuple[str, str, str, str]) -> str:
    """The form of a word after `number`, by the Slavic rules CLDR gives for uk and ru."""
    digits = number.replace(" ", "")
    if not digits.isdigit():
        return forms[3]
    value = int(digits[-2:])
    if value % 10 == 1 and value != 11:
        return forms[0]
    if 2 <= value % 10 <= 4 and not 12 <= value <= 14:
        return forms[1]
    return forms[2]


def _slavic(
    pattern: re.Pattern[str], words: dict[str, tuple[str, str, str, str]], numero: str
) -> Callable[[str], str]:
    def read(text: str) -> str:
        text = pattern.sub(lambda m: f"{m[1].strip()} {_form(m[1].strip(), words[m[2]])}", text)
        return _NUMERO.sub(numero + " ", text)

    return read


def _spanish(text: str) -> str:
    for pattern, said in _SPANISH:
        text = pattern.sub(said, text)
    return text


_LANGUAGES: dict[str, Callable[[str], str]] = {
    "en": _english,
    "es": _spanish,
    "uk": _slavic(_UKRAINIAN, _UKRAINIAN_WORDS, "номер"),
    "ru": _slavic(_RUSSIAN, _RUSSIAN_WORDS, "номер"),
}
