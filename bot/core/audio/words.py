"""English numbers in words, as a newsreader says them: the engine's own reading of figures
says years as quantities ("nineteen hundred sixty-eight") and has no ordinals for dates."""

from __future__ import annotations

# fmt: off
_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
_TENS = (
    "zero", "ten", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
)
_IRREGULAR_ORDINALS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth",
    "eight": "eighth", "nine": "ninth", "twelve": "twelfth",
}
# fmt: on
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"))


def cardinal(number: int) -> str:
    """An English number in words: 2300 → "two thousand three hundred"."""
    if number < 0:
        return "minus " + cardinal(-number)
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {cardinal(rest)}" if rest else "")
    for scale, name in _SCALES:
        if number >= scale:
            high, rest = divmod(number, scale)
            return f"{cardinal(high)} {name}" + (f" {cardinal(rest)}" if rest else "")
    return str(number)  # unreachable: every number from 1000 has a scale


def ordinal(number: int) -> str:
    """21 → "twenty-first"."""
    words = cardinal(number)
    head, space, last = words.rpartition(" ")
    stem, dash, last = last.rpartition("-")
    head += space + stem + dash
    if last in _IRREGULAR_ORDINALS:
        last = _IRREGULAR_ORDINALS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + last


def year(number: int, decade: bool = False) -> str:
    """A year as it is said: 1968 → "nineteen sixty-eight", 2024 → "twenty twenty-four",
    2005 → "two thousand five", 1905 → "nineteen oh five"; a decade (1990s) → "nineteen
    nineties"."""
    century, rest = divmod(number, 100)
    if 2000 <= number < 2010 or number % 1000 == 0:
        words = cardinal(number)
    elif rest == 0:
        words = f"{cardinal(century)} hundred"
    elif rest < 10:
        words = f"{cardinal(century)} oh {cardinal(rest)}"
    else:
        words = f"{cardinal(century)} {cardinal(rest)}"
    if not decade:
        return words
    return words[:-1] + "ies" if words.endswith("y") else words + "s"
