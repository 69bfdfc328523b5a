"""The JSON form: reading it, refusing it, and printing data that matches the schema."""

import json
from pathlib import Path

import jsonschema
import pytest

from brief import Brief, BriefError, Fact, Problem, parse_json, parse_text, to_json

DATA = Path(__file__).parent.parent / "data"
BRIEFS = DATA / "briefs"
# The English examples, then those in a folder named for their language (briefs/es/).
EXAMPLES = sorted(BRIEFS.glob("*.txt")) + sorted(
    path for path in BRIEFS.glob("*/*.txt") if path.parent.name != "invalid"
)


def language_of(path: Path) -> str:
    return "en" if path.parent == BRIEFS else path.parent.name


def schema() -> dict[str, object]:
    loaded: dict[str, object] = json.loads((DATA / "brief.schema.json").read_text("utf-8"))
    return loaded


def example(path: Path) -> Brief:
    return parse_text(path.read_text(encoding="utf-8")).brief


def problems(data: str | bytes) -> list[str]:
    with pytest.raises(BriefError) as caught:
        parse_json(data)
    return [str(problem) for problem in caught.value.problems]


def valid_document() -> dict[str, object]:
    return to_json(example(DATA / "briefs" / "harbor-bridge-vote.txt"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{language_of(p)}/{p.name}")
def test_printed_json_matches_the_schema_and_reads_back(path: Path) -> None:
    brief = example(path)
    document = to_json(brief)
    jsonschema.validate(document, schema())
    assert list(document) == ["language", "title", "summary", "facts", "sources", "narratives"]
    assert document["language"] == language_of(path)
    assert parse_json(json.dumps(document, ensure_ascii=False)).brief == brief


def test_a_document_without_a_language_is_english() -> None:
    document = valid_document()
    del document["language"]
    jsonschema.validate(document, schema())
    assert parse_json(json.dumps(document)).brief.language == "en"


@pytest.mark.parametrize("tag", ["es", "uk", "pt", "pt-BR", "zh-Hant-TW", "ast"])
def test_any_language_tag_is_kept_and_written_back(tag: str) -> None:
    # Also a language the text form has no words for: a JSON brief needs none.
    document = {**valid_document(), "language": tag}
    jsonschema.validate(document, schema())
    brief = parse_json(json.dumps(document)).brief
    assert brief.language == tag
    assert to_json(brief) == document


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("Spanish", '"Spanish" is not a language tag'),
        ("EN", '"EN" is not a language tag'),
        ("es_ES", '"es_ES" is not a language tag'),
        ("", '"" is not a language tag'),
        ("es-" + "x" * 40, 'must be a language tag such as "en", "es" or "pt-BR"'),
        (7, 'must be a language tag such as "en", "es" or "pt-BR"'),
        (None, 'must be a language tag such as "en", "es" or "pt-BR"'),
    ],
)
def test_a_language_that_is_no_tag_is_refused(tag: object, expected: str) -> None:
    document = {**valid_document(), "language": tag}
    [problem] = problems(json.dumps(document))
    assert problem.startswith(f"language: {expected}")
    if not (isinstance(tag, str) and tag.startswith("es-")):  # the schema sets no length
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(document, schema())


def test_the_format_doc_example_reads() -> None:
    text = json.dumps(
        {
            "title": "Putin Makes First Visit to North Korea in 24 Years",
            "summary": "Russian Pres. Vladimir Putin is set to arrive ...",
            "facts": [{"text": "Russian Pres. Vladimir Putin ... in 24 years.", "sources": [1]}],
            "sources": [{"number": 1, "name": "Al Jazeera", "url": None}],
            "narratives": [
                {"label": "Anti-Russia", "outlet": "Firstpost", "text": "Putin's trip ..."},
                {"label": "Pro-Russia", "outlet": "TASS", "text": "Putin's visit ..."},
            ],
        }
    )
    result = parse_json(text)
    assert result.brief.facts == (Fact("Russian Pres. Vladimir Putin ... in 24 years.", (1,)),)
    assert result.warnings == ()


def test_bytes_with_a_byte_order_mark() -> None:
    document = valid_document()
    data = b"\xef\xbb\xbf" + json.dumps(document).encode()
    assert to_json(parse_json(data).brief) == document


def test_uncited_fact_is_a_warning() -> None:
    document = valid_document()
    document["facts"] = [{"text": "A fact.", "sources": []}]
    assert [str(w) for w in parse_json(json.dumps(document)).warnings] == [
        "facts[0]: this fact cites no source; it is kept, but readers cannot check it "
        '(add the source number after its final punctuation, e.g. "…in May.1")'
    ]


def test_every_structural_problem_with_its_path() -> None:
    document = {
        "title": "T" * 301,
        "summary": " ",
        "facts": [{"text": "A fact.", "sources": [1, True, 0, 9]}, "not a fact"],
        "sources": [
            {"number": 1, "name": "Alpha", "url": "ftp://alpha.example"},
            {"number": "2", "name": "Beta", "url": None},
            {"number": 3, "name": "Gamma", "url": None, "rank": 1},
        ],
        "narratives": [{"label": "Pro", "outlet": "Alpha"}],
        "extra": True,
    }
    assert problems(json.dumps(document)) == [
        "extra: is not part of a brief; remove it",
        "title: is 301 characters long; shorten it to 300",
        "summary: is empty; write it",
        "facts[0].sources[1]: must be a whole number from 1 up",
        "facts[0].sources[2]: must be a whole number from 1 up",
        "facts[1]: must be an object with text, sources",
        "sources[0].url: must be null or a web address starting with http:// or https://",
        "sources[1].number: must be a whole number from 1 up",
        "sources[2].rank: is not part of a source; remove it",
        "narratives: has 1 narrative; a brief needs at least 2",
        "narratives[0].text: is missing; add it",
    ]


def test_citations_and_numbering_problems_together() -> None:
    document = valid_document()
    document["facts"] = [{"text": "A fact.", "sources": [1, 2, 9]}]
    document["sources"] = [
        {"number": 1, "name": "Alpha", "url": None},
        {"number": 3, "name": "Gamma", "url": None},
    ]
    assert problems(json.dumps(document)) == [
        'sources[1].number: the sources skip from 1 to 3 ("3Gamma"); number them 1, 2, 3, '
        "\u2026 in order (this one would be 2) or add the missing source",
        "facts[0].sources[1]: fact cites source 2, which is not listed; "
        "cite one of 1, 3 or add the missing source",
        "facts[0].sources[2]: fact cites source 9, which is not listed; "
        "cite one of 1, 3 or add the missing source",
    ]


def test_sources_numbered_in_order() -> None:
    document = valid_document()
    document["sources"] = [
        {"number": 1, "name": "Alpha", "url": None},
        {"number": 3, "name": "Gamma", "url": None},
    ]
    document["facts"] = [{"text": "A fact.", "sources": [1]}]
    assert problems(json.dumps(document)) == [
        'sources[1].number: the sources skip from 1 to 3 ("3Gamma"); number them 1, 2, 3, '
        "… in order (this one would be 2) or add the missing source"
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", "the upload is empty; send a JSON object with the brief"),
        (b"\xff\xfe{", "the upload is not UTF-8 text; save the JSON file as UTF-8"),
        ("[]", "the brief must be a JSON object with title, summary, facts, sources, narratives"),
        (
            '{\n  "title": "x",\n  oops\n}',
            "line 3: the upload is not valid JSON: "
            "Expecting property name enclosed in double quotes (column 3)",
        ),
    ],
)
def test_unreadable_uploads(data: str | bytes, expected: str) -> None:
    assert problems(data) == [expected]


def test_problems_carry_no_line_but_the_path() -> None:
    document = valid_document()
    document["title"] = ""
    with pytest.raises(BriefError) as caught:
        parse_json(json.dumps(document))
    assert caught.value.problems == (Problem("title: is empty; write it", None),)
