"""Reading what inline mode is given: offsets, Share queries, result ids. Hostile input
gets an answer, never an exception."""

import pytest

from bot.telegram.inline.answers import MAX_START, PAGE, page_start, parse_result_id, shared_id


@pytest.mark.parametrize(
    ("offset", "start"),
    [
        ("", 0),
        ("20", 20),
        ("40", 40),
        (str(MAX_START), MAX_START),
        (str(MAX_START + PAGE), 0),  # further than we ever offer
        ("21", 0),  # not a page we gave
        ("-20", 0),
        ("1e3", 0),
        (" 20", 0),
        ("٢٠", 0),  # digits, but not ASCII ones
        ("9" * 10_000, 0),
        ("20\x00", 0),
    ],
)
def test_an_offset_is_a_page_we_gave_or_the_first(offset: str, start: int) -> None:
    assert page_start(offset) == start


@pytest.mark.parametrize(
    ("query", "brief_id"),
    [
        ("#12", 12),
        ("#0", None),
        ("12", None),
        ("#12a", None),
        ("#" + "9" * 5000, None),
        ("#", None),
    ],
)
def test_a_share_query_names_one_brief(query: str, brief_id: int | None) -> None:
    assert shared_id(query) == brief_id


def test_result_ids_name_the_brief_and_version() -> None:
    assert parse_result_id("12.3") == (12, 3)
    for odd in ("", "12", "12.", ".3", "12.3.4", "a.b", "1" * 500 + ".1", "-1.2"):
        assert parse_result_id(odd) is None
