"""The text form, rule by rule, on small uploads."""

from collections.abc import Sequence

import pytest

from brief import BriefError, Fact, Narrative, ParseResult, Problem, Source, parse_text

NARRATIVES = (
    "- Pro narrative, as provided by Alpha Times. It is good.",
    "- Con narrative, as provided by Beta Post. It is bad.",
)


def upload(
    facts: Sequence[str] = ("- A fact.1",),
    sources: Sequence[str] = ("Sources: 1Alpha Times and 2Beta Post.",),
    narratives: Sequence[str] = NARRATIVES,
    summary: Sequence[str] = ("A summary.",),
    title: str = "A Title",
) -> str:
    """A brief whose sections are given line by line (title on line 1, summary from line 2)."""
    lines = [title, *summary, "Facts", *facts, *sources, "Narratives", *narratives]
    return "\n".join(lines) + "\n"


def problems(text: str, links: Sequence[tuple[str, str]] = ()) -> tuple[Problem, ...]:
    with pytest.raises(BriefError) as caught:
        parse_text(text, links)
    return caught.value.problems


def only_fact(*fact_lines: str, sources: str = "Sources: 1Alpha Times and 2Beta Post.") -> Fact:
    (fact,) = parse_text(upload(facts=fact_lines, sources=[sources])).brief.facts
    return fact


class TestPlayerResidue:
    @pytest.mark.parametrize("residue", ["0:00", "/1861", "12:34 / 31:01", "1:02:03", "/ 4:05"])
    def test_dropped_wherever_it_appears(self, residue: str) -> None:
        text = upload(
            summary=["A summary", residue, "that goes on."],
            facts=["- A fact.1", residue, "- Another fact.2"],
            narratives=[NARRATIVES[0], residue, NARRATIVES[1]],
        )
        brief = parse_text(text).brief
        assert brief.summary == "A summary that goes on."
        assert brief.facts == (Fact("A fact.", (1,)), Fact("Another fact.", (2,)))
        assert brief.narratives[0].text == "It is good."

    def test_line_numbers_still_count_the_dropped_lines(self) -> None:
        text = upload(summary=["A summary.", "0:00", "/1861"], facts=["- A fact.9"])
        (problem,) = problems(text)
        assert problem.line == 6

    def test_numbers_in_text_are_not_residue(self) -> None:
        brief = parse_text(upload(summary=["A summary.", "2029"])).brief
        assert brief.summary == "A summary. 2029"


class TestCitations:
    @pytest.mark.parametrize(
        ("written", "text", "cited"),
        [
            ("in 24 years.1", "in 24 years.", (1,)),
            ("rich in traditions.'3", "rich in traditions.'", (3,)),
            ("sources agree.2,5", "sources agree.", (2, 5)),
            ("sources agree.2, 5", "sources agree.", (2, 5)),
            ("“asked to pay twice.”1", "“asked to pay twice.”", (1,)),
            ("was it?'4", "was it?'", (4,)),
            ("it was!2", "it was!", (2,)),
            ("(as reported)5", "(as reported)", (5,)),
            ("at 1 a.m.1", "at 1 a.m.", (1,)),
            ("rose 45.1", "rose 45.", (1,)),
        ],
    )
    def test_digits_after_closing_punctuation(
        self, written: str, text: str, cited: tuple[int, ...]
    ) -> None:
        sources = "Sources: 1A, 2B, 3C, 4D and 5E."
        assert only_fact(f"- It was {written}", sources=sources) == Fact(f"It was {text}", cited)

    @pytest.mark.parametrize("ending", ["rose 45.", "in 2029.", "the 1968 bridge"])
    def test_numbers_inside_the_text_are_not_citations(self, ending: str) -> None:
        result = parse_text(upload(facts=[f"- Sales {ending}"]))
        assert result.brief.facts == (Fact(f"Sales {ending}", ()),)
        (warning,) = result.warnings
        assert warning.line == 4
        assert "cites no source" in warning.message

    def test_a_decimal_is_text_when_its_digits_name_no_source(self) -> None:
        assert only_fact("- Growth was 4.5") == Fact("Growth was 4.5", ())

    def test_a_decimal_reads_as_a_citation_when_its_digits_name_sources(self) -> None:
        # The documented ambiguity of the format: with five sources, "4.5" cites source 5.
        fact = only_fact("- Growth was 4.5", sources="Sources: 1A, 2B, 3C, 4D and 5E.")
        assert fact == Fact("Growth was 4.", (5,))

    def test_citation_to_a_missing_source_is_refused_with_its_line(self) -> None:
        text = upload(facts=["- First.1", "- Second.2,7"])
        assert problems(text) == (
            Problem(
                "fact cites source 7, but only 2 sources are listed; "
                "cite a source from 1 to 2 or add the missing source",
                5,
            ),
        )

    def test_citation_problem_points_at_the_wrapped_line_holding_it(self) -> None:
        (problem,) = problems(upload(facts=["- A fact that goes", "on and on.4"]))
        assert problem.line == 5


class TestFacts:
    @pytest.mark.parametrize("bullet", ["-", "•", "*", "\u2013"])
    def test_bullets(self, bullet: str) -> None:
        assert only_fact(f"{bullet} A fact.1") == Fact("A fact.", (1,))

    def test_wrapped_bullet_joins_with_a_space(self) -> None:
        fact = only_fact("- A fact pasted from a page", "that wrapped onto", "three lines.2")
        assert fact == Fact("A fact pasted from a page that wrapped onto three lines.", (2,))

    def test_line_after_a_blank_line_is_not_a_continuation(self) -> None:
        (problem,) = problems(upload(facts=["- A fact.1", "", "Stray words."]))
        assert problem.line == 6
        assert "is not a fact" in problem.message

    def test_empty_facts_section(self) -> None:
        (problem,) = problems(upload(facts=[]))
        assert (problem.line, problem.message.startswith("the Facts section has no facts")) == (
            3,
            True,
        )


class TestInlineSources:
    def sources(self, line: str, cites: str = "1") -> tuple[Source, ...]:
        return parse_text(upload(facts=[f"- A fact.{cites}"], sources=[line])).brief.sources

    def test_reference_form(self) -> None:
        line = "Sources: 1Al Jazeera, 2POLITICO, 3TASS, 4BBC News, 5Guardian and 6The Diplomat."
        assert [s.name for s in self.sources(line)] == [
            "Al Jazeera",
            "POLITICO",
            "TASS",
            "BBC News",
            "Guardian",
            "The Diplomat",
        ]

    def test_name_starting_with_digits(self) -> None:
        line = "Sources: 1Al Jazeera, 2POLITICO and 31440 Daily."
        assert self.sources(line)[2] == Source(3, "1440 Daily")

    def test_names_holding_and_or_commas(self) -> None:
        line = "Sources: 1Smith and Sons, 2Bay & Rail, Inc., 3Pesca, Hoy y Más and 4Reuters."
        assert [s.name for s in self.sources(line)] == [
            "Smith and Sons",
            "Bay & Rail, Inc.",
            "Pesca, Hoy y Más",
            "Reuters",
        ]

    def test_one_source_and_oxford_comma(self) -> None:
        assert self.sources("Sources: 1Alpha.") == (Source(1, "Alpha"),)
        line = "sources: 1Alpha, 2Beta, and 3Gamma"
        assert [s.name for s in self.sources(line)] == ["Alpha", "Beta", "Gamma"]

    def test_a_name_keeps_its_own_final_period(self) -> None:
        assert self.sources("Sources: 1Alpha and 2Acme Inc..")[1] == Source(2, "Acme Inc.")

    def test_skipped_number(self) -> None:
        (problem,) = problems(upload(sources=["Sources: 1Alpha, 2Beta and 4Gamma."]))
        assert problem.line == 5
        assert problem.message.startswith('the sources skip from 2 to 4 ("4Gamma")')

    def test_repeated_number(self) -> None:
        (problem,) = problems(upload(sources=["Sources: 1Alpha, 2Beta and 2Gamma."]))
        assert problem.message.startswith('source 2 ("2Gamma") comes after source 2')

    def test_first_number_not_one(self) -> None:
        found = problems(upload(facts=["- A fact.2"], sources=["Sources: 2Alpha and 3Beta."]))
        assert [p.message.split(";")[0] for p in found] == [
            'the first source ("2Alpha") is numbered 2'
        ]

    def test_inline_list_under_a_sources_heading(self) -> None:
        sources = self.sources("Sources\n\n1Alpha, 2Beta and 3Gamma.")
        assert [s.name for s in sources] == ["Alpha", "Beta", "Gamma"]
        (problem,) = problems(upload(sources=["Sources", "1Alpha and 3Beta."]))
        assert problem.line == 6

    def test_text_after_the_sources_line_is_reported(self) -> None:
        (problem,) = problems(upload(sources=["Sources: 1Alpha and 2Beta.", "More words."]))
        assert problem.line == 6
        assert "under no heading" in problem.message


class TestBlockSources:
    def test_dashes_urls_and_bare_names(self) -> None:
        block = [
            "Sources:",
            "1. Alpha - https://a.example/x",
            "2. Beta \u2013 http://b.example",
            "3) Gamma — https://c.example/?q=1",
            "4. 1440 Daily",
        ]
        brief = parse_text(upload(sources=block)).brief
        assert brief.sources == (
            Source(1, "Alpha", "https://a.example/x"),
            Source(2, "Beta", "http://b.example"),
            Source(3, "Gamma", "https://c.example/?q=1"),
            Source(4, "1440 Daily", None),
        )

    def test_only_web_links(self) -> None:
        (problem,) = problems(upload(sources=["Sources", "1. Alpha — ftp://a.example", "2. B"]))
        assert problem.line == 6
        assert "http://" in problem.message

    def test_unnumbered_line(self) -> None:
        (problem,) = problems(upload(sources=["Sources", "1. Alpha", "Beta"]))
        assert problem.line == 7
        assert "is not a source" in problem.message

    def test_misnumbered_block(self) -> None:
        (problem,) = problems(upload(sources=["Sources", "1. Alpha", "3. Beta"]))
        assert problem.line == 7
        assert problem.message.startswith("the sources skip from 1 to 3")


class TestLinks:
    def test_anchor_text_gives_the_url(self) -> None:
        links = [
            ("Alpha Times", "https://alpha.example/story"),
            (" 2Beta Post, ", "http://beta.example"),
            ("Narratives", "https://elsewhere.example"),
        ]
        brief = parse_text(upload(), links).brief
        assert brief.sources == (
            Source(1, "Alpha Times", "https://alpha.example/story"),
            Source(2, "Beta Post", "http://beta.example"),
        )

    def test_non_web_links_are_ignored(self) -> None:
        brief = parse_text(upload(), [("Alpha Times", "tg://user?id=1")]).brief
        assert brief.sources[0].url is None

    def test_a_url_in_the_text_wins(self) -> None:
        block = ["Sources", "1. Alpha Times — https://written.example", "2. Beta Post"]
        brief = parse_text(upload(sources=block), [("Alpha Times", "https://link.example")]).brief
        assert brief.sources[0].url == "https://written.example"

    def test_links_make_the_printer_use_the_block_form(self) -> None:
        from brief import to_text

        brief = parse_text(upload(), [("Beta Post", "https://beta.example")]).brief
        assert "2. Beta Post — https://beta.example" in to_text(brief).splitlines()


class TestNarratives:
    @pytest.mark.parametrize(
        "outlet",
        [
            "Firstpost",
            "U.S. News",
            "St. Louis Post-Dispatch",
            "The Times of India",
            "Wash. Post",
            "Dr. Who Weekly",
            "The Ledger Review",
            "Channel 4",
        ],
    )
    def test_outlet_names(self, outlet: str) -> None:
        line = f"- Anti-Russia narrative, as provided by {outlet}. The U.S. Senate. It is."
        brief = parse_text(upload(narratives=[line, NARRATIVES[1]])).brief
        assert brief.narratives[0] == Narrative("Anti-Russia", outlet, "The U.S. Senate. It is.")

    def test_text_may_open_with_a_quote(self) -> None:
        line = "- Pro narrative, as provided by Alpha. “We won,” they said."
        brief = parse_text(upload(narratives=[line, NARRATIVES[1]])).brief
        assert brief.narratives[0].text == "“We won,” they said."

    def test_wrapped_narrative_and_missing_bullet(self) -> None:
        lines = [
            "- Pro narrative, as provided by Alpha. It is",
            "good.",
            "Con narrative, as provided by Beta. It is bad.",
        ]
        brief = parse_text(upload(narratives=lines)).brief
        assert brief.narratives == (
            Narrative("Pro", "Alpha", "It is good."),
            Narrative("Con", "Beta", "It is bad."),
        )

    def test_line_not_in_the_narrative_shape(self) -> None:
        lines = [NARRATIVES[0], "- Beta Post says it is bad."]
        (problem,) = problems(upload(narratives=lines))
        assert problem.line == 8
        assert "<label> narrative, as provided by <outlet>. <text>" in problem.message

    def test_narrative_without_text(self) -> None:
        lines = [NARRATIVES[0], "- Con narrative, as provided by Beta Post."]
        (problem,) = problems(upload(narratives=lines))
        assert (problem.line, "no text after the outlet" in problem.message) == (8, True)


class TestHeadings:
    @pytest.mark.parametrize("facts", ["Facts", "FACTS:", "facts :", "Facts:"])
    def test_case_and_colon(self, facts: str) -> None:
        text = upload().replace("\nFacts\n", f"\n{facts}\n").replace("Narratives", "NARRATIVES:")
        assert len(parse_text(text).brief.narratives) == 2

    def test_summary_spans_lines_up_to_facts(self) -> None:
        summary = ["First line", "Background", "- a bullet in the summary", "ends here...."]
        brief = parse_text(upload(summary=summary)).brief
        assert brief.summary == "First line Background - a bullet in the summary ends here...."

    def test_unknown_heading_is_left_out_with_a_warning(self) -> None:
        text = upload(facts=["- A fact.1", "", "Predictions", "- It will rain.", "- Then sun."])
        result = parse_text(text)
        assert result.brief.facts == (Fact("A fact.", (1,)),)
        (warning,) = result.warnings
        assert warning.line == 6
        assert warning.message.startswith('the "Predictions" section (lines 6\u20138) was left out')

    def test_unknown_heading_with_colon_and_paragraph(self) -> None:
        text = upload(narratives=[*NARRATIVES, "What next:", "Nobody knows."])
        result = parse_text(text)
        assert result.brief.narratives[1].text == "It is bad."
        assert [w.line for w in result.warnings] == [9]

    def test_a_wrapped_fact_is_not_an_unknown_heading(self) -> None:
        text = upload(facts=["- The council met on", "Monday Night", "- Another fact.2"])
        result = parse_text(text)
        assert result.brief.facts[0] == Fact("The council met on Monday Night", ())
        assert [w.line for w in result.warnings] == [4]

    def test_second_facts_section(self) -> None:
        text = upload(narratives=[*NARRATIVES, "Facts", "- More.1"])
        (problem,) = problems(text)
        assert problem.line == 9
        assert "a second Facts section (the first is on line 3)" in problem.message

    def test_first_line_is_a_heading(self) -> None:
        text = upload(title="Facts", summary=[])
        found = problems(text)
        assert found[0].line == 1
        assert "the first line should be the title" in found[0].message


class TestTitleAndSummary:
    def test_title_length(self) -> None:
        assert parse_text(upload(title="T" * 300)).brief.title == "T" * 300
        (problem,) = problems(upload(title="T" * 301))
        assert (problem.line, problem.message.startswith("the title is 301 characters")) == (
            1,
            True,
        )

    def test_missing_summary(self) -> None:
        (problem,) = problems(upload(summary=[]))
        assert (problem.line, problem.message.startswith("there is no summary")) == (1, True)

    def test_blank_lines_before_the_title(self) -> None:
        assert parse_text("\n\n  \n" + upload()).brief.title == "A Title"


class TestEncoding:
    def expected(self) -> ParseResult:
        return parse_text(upload())

    def test_byte_order_mark(self) -> None:
        assert parse_text("\ufeff" + upload()) == self.expected()

    @pytest.mark.parametrize("newline", ["\r\n", "\r"])
    def test_line_ends(self, newline: str) -> None:
        assert parse_text(upload().replace("\n", newline)) == self.expected()

    def test_tabs_and_no_break_spaces(self) -> None:
        text = upload().replace("A fact.", "A\tfact.").replace("A summary", "A\u00a0 summary")
        assert parse_text(text.replace("Facts", "Facts\t")) == self.expected()

    def test_line_numbers_with_crlf(self) -> None:
        (problem,) = problems(upload(facts=["- A fact.3"]).replace("\n", "\r\n"))
        assert problem.line == 4


def test_every_problem_at_once_in_line_order() -> None:
    text = upload(
        title="T" * 301,
        facts=["- First.1", "", "stray words", "- Second.9"],
        sources=["Sources: 1Alpha and 3Beta."],
        narratives=["- Only narrative, as provided by Alpha. Text."],
    )
    found = problems(text)
    assert [(p.line, p.message.split(";")[0]) for p in found] == [
        (1, "the title is 301 characters long"),
        (6, "this line in the Facts section is not a fact"),
        (7, "fact cites source 9, which is not listed"),
        (8, 'the sources skip from 1 to 3 ("3Beta")'),
        (9, "a brief needs at least two narratives"),
    ]


def test_empty_upload_is_one_clear_problem() -> None:
    for text in ["", "\n\n", "  \t\n", "\ufeff", "0:00\n/1861\n"]:
        assert problems(text) == (Problem(problems("")[0].message),)
        assert problems(text)[0].message.startswith("the upload is empty")
