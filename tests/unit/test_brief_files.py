import json

import pytest

from brief import MAX_BRIEF_BYTES, BriefError, parse_file, to_json
from tests.conftest import DATA

REFERENCE = (DATA / "briefs" / "putin-north-korea.txt").read_bytes()


def test_text_with_a_byte_order_mark_and_the_json_form_read_alike() -> None:
    text = parse_file(b"\xef\xbb\xbf" + REFERENCE, as_json=False).brief
    as_json = json.dumps(to_json(text)).encode()
    assert parse_file(as_json, as_json=True).brief == text


def test_a_file_that_is_not_utf8_names_its_line() -> None:
    broken = REFERENCE.replace(b"Al Jazeera", b"Al Jaz\xe9era")
    with pytest.raises(BriefError) as refused:
        parse_file(broken, as_json=False)
    [problem] = refused.value.problems
    assert problem.line == REFERENCE[: REFERENCE.index(b"Al Jazeera")].count(b"\n") + 1
    assert "not UTF-8" in problem.message


def test_a_file_over_the_limit_is_refused_before_parsing() -> None:
    with pytest.raises(BriefError, match="larger than 1 MB"):
        parse_file(REFERENCE + b" " * MAX_BRIEF_BYTES, as_json=False)
