"""A deep link's `/start` parameter (bot/telegram/keyboards.py): what start_parameter writes
reads back as the part it opens; a number no brief can have is refused as unknown."""

from __future__ import annotations

import pytest

from bot.core.chat import PARTS, OpenPart, Part
from bot.core.reading import Reason, Refusal
from bot.telegram.keyboards import parse_start_parameter, start_parameter


@pytest.mark.parametrize("part", PARTS)
def test_what_a_link_carries_reads_back(part: Part) -> None:
    assert parse_start_parameter(start_parameter(12, part)) == OpenPart(12, part)


@pytest.mark.parametrize(
    "text", ["", "hello", "b", "b12-summary", "b12-poems", "12", "b-12", "B12"]
)
def test_anything_else_is_a_plain_start(text: str) -> None:
    assert parse_start_parameter(text) is None


@pytest.mark.parametrize("digits", ["0", "9223372036854775808", "9" * 40])
def test_a_number_no_brief_can_have_is_unknown(digits: str) -> None:
    refused = parse_start_parameter(f"b{digits}-facts")
    assert refused == Refusal(Reason.UNKNOWN, {"brief_id": digits[:24]})
